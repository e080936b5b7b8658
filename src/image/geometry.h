#pragma once

namespace corvette::image {

// A box in frame pixels as Frigate keeps them: (x1, y1) top-left, (x2, y2) bottom-right, integers,
// width x2 - x1 (no +1). The same layout as detect::PixelBox, track::Box and motion::MotionBox, so
// callers convert field by field.
struct Box {
  int x1 = 0;
  int y1 = 0;
  int x2 = 0;
  int y2 = 0;

  int width() const { return x2 - x1; }
  int height() const { return y2 - y1; }
  friend bool operator==(const Box&, const Box&) = default;
};

// Frigate 0.8's calculate_region (spec section 4.1): a square of side
// max(300, int((max(w, h) // 4) * 4 * multiplier)) centred on the box, moved inside the frame
// where it fits; when the side exceeds the frame it starts at 0 and extends past the right/bottom.
Box CalculateRegion(int frame_width, int frame_height, const Box& box, double multiplier = 2.0);

// `box` clipped to [0, width] x [0, height] (numpy slicing of a frame by the box).
Box ClipToFrame(const Box& box, int width, int height);

}  // namespace corvette::image
