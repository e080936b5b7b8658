#pragma once

namespace corvette::util {

// An axis-aligned box in frame pixels as Frigate keeps them: integers, (x1, y1) the top-left
// corner, (x2, y2) the bottom-right corner; width x2 - x1 and area (x2 - x1) * (y2 - y1) (no +1).
// Detections, regions, tracked objects and overlays all use it (image::Box, detect::PixelBox and
// track::Box name this type). A region may extend past the right or bottom edge of the frame.
struct Box {
  int x1 = 0;
  int y1 = 0;
  int x2 = 0;
  int y2 = 0;

  int width() const { return x2 - x1; }
  int height() const { return y2 - y1; }
  int area() const { return (x2 - x1) * (y2 - y1); }
  friend bool operator==(const Box&, const Box&) = default;
};

}  // namespace corvette::util
