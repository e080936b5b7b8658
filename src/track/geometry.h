#pragma once

#include <span>

#include "util/box.h"

namespace corvette::track {

// A box in detect-stream pixel coordinates (util::Box).
using Box = util::Box;

struct Point {
  int x = 0;
  int y = 0;
  bool operator==(const Point&) const = default;
};

// Frigate's int midpoint of the box.
Point Centroid(const Box& box);

// Area of the intersection of a and b (0 when disjoint).
long long IntersectionArea(const Box& a, const Box& b);

// True when the box touches the frame edge (Frigate 7.1: x1==0, y1==0, x2==W-1 or y2==H-1).
bool TouchesFrameEdge(const Box& box, int frame_width, int frame_height);

// True when the point is inside the closed polygon or on its boundary (OpenCV pointPolygonTest >=
// 0). A polygon with fewer than 3 points contains only the points on its segments.
bool PointInPolygon(Point point, std::span<const Point> polygon);

}  // namespace corvette::track
