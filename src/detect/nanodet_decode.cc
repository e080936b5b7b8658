#include "detect/nanodet_decode.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace corvette::detect {
namespace {

// Expected distance (in cells) of one side: softmax over the bins, weighted by the bin index. Bin j
// is at logits[j * step].
float ExpectedDistance(const float* logits, size_t step) {
  float max_logit = logits[0];
  for (int j = 1; j < kNanoDetBins; ++j)
    max_logit = std::max(max_logit, logits[j * step]);
  float sum = 0.0f;
  float weighted = 0.0f;
  for (int j = 0; j < kNanoDetBins; ++j) {
    const float e = std::exp(logits[j * step] - max_logit);
    sum += e;
    weighted += e * static_cast<float>(j);
  }
  return weighted / sum;
}

}  // namespace

void DecodeNanoDet(const NanoDetOutputs& outputs, int input_size, float score_threshold,
                   std::vector<ModelDetection>* out) {
  const float limit = static_cast<float>(input_size);
  for (int level = 0; level < 3; ++level) {
    const int stride = kNanoDetStrides[level];
    const int grid = input_size / stride;
    const size_t cells = static_cast<size_t>(grid) * grid;
    const auto scores = outputs.scores[level];
    const auto boxes = outputs.boxes[level];
    if (scores.size() != cells * kNanoDetClasses || boxes.size() != cells * 4 * kNanoDetBins) {
      throw std::invalid_argument(
          fmt::format("NanoDet output at stride {} has {} scores and {} box values; input size {} "
                      "needs {} and {}",
                      stride, scores.size(), boxes.size(), input_size, cells * kNanoDetClasses,
                      cells * 4 * kNanoDetBins));
    }
    // Value k of cell c is at c * cell_step + k * value_step.
    const size_t cell_step_scores = outputs.channel_major ? 1 : kNanoDetClasses;
    const size_t cell_step_boxes = outputs.channel_major ? 1 : 4 * kNanoDetBins;
    const size_t value_step = outputs.channel_major ? cells : 1;
    for (size_t cell = 0; cell < cells; ++cell) {
      const float* cell_scores = scores.data() + cell * cell_step_scores;
      int best_class = 0;
      float best = cell_scores[0];
      for (int k = 1; k < kNanoDetClasses; ++k) {
        const float v = cell_scores[k * value_step];
        if (v > best) {
          best = v;
          best_class = k;
        }
      }
      if (!(best > score_threshold))
        continue;
      const float* dist = boxes.data() + cell * cell_step_boxes;
      const size_t side = kNanoDetBins * value_step;
      const float cx = (static_cast<float>(cell % grid) + 0.5f) * stride;
      const float cy = (static_cast<float>(cell / grid) + 0.5f) * stride;
      ModelDetection d;
      d.class_id = best_class;
      d.score = best;
      d.x1 = std::clamp(cx - ExpectedDistance(dist, value_step) * stride, 0.0f, limit);
      d.y1 = std::clamp(cy - ExpectedDistance(dist + side, value_step) * stride, 0.0f, limit);
      d.x2 = std::clamp(cx + ExpectedDistance(dist + 2 * side, value_step) * stride, 0.0f, limit);
      d.y2 = std::clamp(cy + ExpectedDistance(dist + 3 * side, value_step) * stride, 0.0f, limit);
      out->push_back(d);
    }
  }
}

}  // namespace corvette::detect
