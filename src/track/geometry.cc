#include "track/geometry.h"

#include <algorithm>

namespace corvette::track {

Point Centroid(const Box& box) {
  return Point{(box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2};
}

long long IntersectionArea(const Box& a, const Box& b) {
  const long long w = std::min(a.x2, b.x2) - std::max(a.x1, b.x1);
  const long long h = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
  if (w <= 0 || h <= 0)
    return 0;
  return w * h;
}

bool TouchesFrameEdge(const Box& box, int frame_width, int frame_height) {
  return box.x1 == 0 || box.y1 == 0 || box.x2 == frame_width - 1 || box.y2 == frame_height - 1;
}

namespace {

bool OnSegment(Point p, Point a, Point b) {
  const long long cross = static_cast<long long>(b.x - a.x) * (p.y - a.y) -
                          static_cast<long long>(b.y - a.y) * (p.x - a.x);
  if (cross != 0)
    return false;
  return p.x >= std::min(a.x, b.x) && p.x <= std::max(a.x, b.x) && p.y >= std::min(a.y, b.y) &&
         p.y <= std::max(a.y, b.y);
}

}  // namespace

bool PointInPolygon(Point p, std::span<const Point> polygon) {
  const size_t n = polygon.size();
  if (n == 0)
    return false;
  for (size_t i = 0; i < n; ++i) {
    if (OnSegment(p, polygon[i], polygon[(i + 1) % n]))
      return true;
  }
  if (n < 3)
    return false;
  // Even-odd ray cast to +x; points on the boundary were handled above.
  bool inside = false;
  for (size_t i = 0, j = n - 1; i < n; j = i++) {
    const Point a = polygon[i];
    const Point b = polygon[j];
    if ((a.y > p.y) != (b.y > p.y)) {
      // x coordinate of the edge at height p.y, compared without division.
      const long long lhs = static_cast<long long>(p.x - a.x) * (b.y - a.y);
      const long long rhs = static_cast<long long>(b.x - a.x) * (p.y - a.y);
      if ((b.y - a.y) > 0 ? lhs < rhs : lhs > rhs)
        inside = !inside;
    }
  }
  return inside;
}

}  // namespace corvette::track
