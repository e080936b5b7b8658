#include "image/geometry.h"

#include <algorithm>

namespace corvette::image {

Box CalculateRegion(int frame_width, int frame_height, const Box& box, double multiplier) {
  const int longest = std::max(box.x2 - box.x1, box.y2 - box.y1);
  // Python: int((longest // 4) * 4 * multiplier), floor division on ints.
  const int floored = (longest >= 0 ? longest / 4 : (longest - 3) / 4) * 4;
  int size = static_cast<int>(floored * multiplier);
  if (size < 300) {
    size = 300;
  }
  // Python int() truncates toward zero.
  int x = static_cast<int>((box.x2 - box.x1) / 2.0 + box.x1 - size / 2.0);
  if (x < 0) {
    x = 0;
  } else if (x > frame_width - size) {
    x = std::max(0, frame_width - size);
  }
  int y = static_cast<int>((box.y2 - box.y1) / 2.0 + box.y1 - size / 2.0);
  if (y < 0) {
    y = 0;
  } else if (y > frame_height - size) {
    y = std::max(0, frame_height - size);
  }
  return {x, y, x + size, y + size};
}

Box ClipToFrame(const Box& box, int width, int height) {
  Box out;
  out.x1 = std::clamp(box.x1, 0, width);
  out.y1 = std::clamp(box.y1, 0, height);
  out.x2 = std::clamp(box.x2, out.x1, width);
  out.y2 = std::clamp(box.y2, out.y1, height);
  return out;
}

}  // namespace corvette::image
