#pragma once

#include "util/box.h"

namespace corvette::image {

// A box in frame pixels (util::Box).
using Box = util::Box;

// Frigate 0.8's calculate_region (spec section 4.1): a square of side
// max(300, int((max(w, h) // 4) * 4 * multiplier)) centred on the box, moved inside the frame
// where it fits; when the side exceeds the frame it starts at 0 and extends past the right/bottom.
Box CalculateRegion(int frame_width, int frame_height, const Box& box, double multiplier = 2.0);

// `box` clipped to [0, width] x [0, height] (numpy slicing of a frame by the box).
Box ClipToFrame(const Box& box, int width, int height);

}  // namespace corvette::image
