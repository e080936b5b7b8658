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

// The network's six outputs for one image of side `input_size` (a multiple of 32), as float arrays:
// scores[i] has (input_size / stride_i)^2 cells x 80 sigmoid class scores, boxes[i] the same cells
// x 44 distance distributions (left, top, right, bottom; 11 bins each). Cell c is x = c % W, y = c
// / W. Layout: cell-major ([cells][values], the TF.js graph's [1, cells, 80]) or channel-major
// ([values][cells], [1, 80, cells], what tools/tfjs_to_onnx.py writes by default since it spares
// OpenCV six transposes).
struct NanoDetOutputs {
  std::span<const float> scores[3];
  std::span<const float> boxes[3];
  bool channel_major = false;
};

// Appends to *out one detection per cell whose best class scores above score_threshold: that class,
// its score, and the box decoded from the distributions (softmax per side, expected bin times
// stride, around the cell centre), in model input pixels, clamped to [0, input_size]. Does not
// clear *out; no NMS. Throws std::invalid_argument when an output's size does not match input_size.
void DecodeNanoDet(const NanoDetOutputs& outputs, int input_size, float score_threshold,
                   std::vector<ModelDetection>* out);

}  // namespace corvette::detect
