#pragma once

#include <span>
#include <vector>

#include "detect/detection.h"

namespace corvette::detect {

// The number of classes NanoDet scores and the bins of each side's distance distribution (GFL,
// reg_max 10).
inline constexpr int kNanoDetClasses = 80;
inline constexpr int kNanoDetBins = 11;
inline constexpr int kNanoDetStrides[3] = {8, 16, 32};

// The network's six outputs for one image of side `input_size` (a multiple of 32), as row-major
// float arrays: scores[i] has (input_size / stride_i)^2 x 80 sigmoid class scores, boxes[i] has
// (input_size / stride_i)^2 x 44 distance distributions (left, top, right, bottom; 11 bins each).
// Cell c is x = c % W, y = c / W.
struct NanoDetOutputs {
  std::span<const float> scores[3];
  std::span<const float> boxes[3];
};

// Appends to *out one detection per cell whose best class scores above score_threshold: that class,
// its score, and the box decoded from the distributions (softmax per side, expected bin times
// stride, around the cell centre), in model input pixels, clamped to [0, input_size]. Does not
// clear *out; no NMS. Throws std::invalid_argument when an output's size does not match input_size.
void DecodeNanoDet(const NanoDetOutputs& outputs, int input_size, float score_threshold,
                   std::vector<ModelDetection>* out);

}  // namespace corvette::detect
