#pragma once

#include <string>

namespace corvette::detect {

// An axis-aligned box in frame pixels, as Frigate keeps them: integers, (x1, y1) the top-left
// corner, (x2, y2) the bottom-right corner; width is x2 - x1 and area (x2 - x1) * (y2 - y1) (no
// +1). Regions use the same type and may extend past the right or bottom edge of the frame.
struct PixelBox {
  int x1 = 0;
  int y1 = 0;
  int x2 = 0;
  int y2 = 0;

  int width() const { return x2 - x1; }
  int height() const { return y2 - y1; }
  int area() const { return (x2 - x1) * (y2 - y1); }
  friend bool operator==(const PixelBox&, const PixelBox&) = default;
};

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
