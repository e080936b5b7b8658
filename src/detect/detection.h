#pragma once

#include <string>

#include "util/box.h"

namespace corvette::detect {

// A box in frame pixels (util::Box); regions may extend past the right or bottom edge.
using PixelBox = util::Box;

// One detection as the network reports it, in model input pixels (0..size on both axes).
struct ModelDetection {
  int class_id = 0;
  float score = 0.0f;
  float x1 = 0.0f;
  float y1 = 0.0f;
  float x2 = 0.0f;
  float y2 = 0.0f;
};

// One detection in frame pixels, as it goes on to the filters and the tracker (Frigate's
// (label, score, box, area, region) tuple).
struct Detection {
  std::string label;
  int class_id = 0;
  float score = 0.0f;
  PixelBox box;
  int area = 0;     // box.area()
  PixelBox region;  // the region the detection was found in
};

}  // namespace corvette::detect
