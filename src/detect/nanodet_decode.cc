#include "detect/nanodet_decode.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace corvette::detect {
namespace {

// Expected distance (in cells) of one side: softmax over the bins, weighted by the bin index.
float ExpectedDistance(const float* logits) {
  float max_logit = logits[0];
  for (int j = 1; j < kNanoDetBins; ++j)
    max_logit = std::max(max_logit, logits[j]);
  float sum = 0.0f;
  float weighted = 0.0f;
  for (int j = 0; j < kNanoDetBins; ++j) {
    const float e = std::exp(logits[j] - max_logit);
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
    for (size_t cell = 0; cell < cells; ++cell) {
      const float* cell_scores = scores.data() + cell * kNanoDetClasses;
      const float* best = std::max_element(cell_scores, cell_scores + kNanoDetClasses);
      if (!(*best > score_threshold))
        continue;
      const float* dist = boxes.data() + cell * 4 * kNanoDetBins;
      const float cx = (static_cast<float>(cell % grid) + 0.5f) * stride;
      const float cy = (static_cast<float>(cell / grid) + 0.5f) * stride;
      ModelDetection d;
      d.class_id = static_cast<int>(best - cell_scores);
      d.score = *best;
      d.x1 = std::clamp(cx - ExpectedDistance(dist) * stride, 0.0f, limit);
      d.y1 = std::clamp(cy - ExpectedDistance(dist + kNanoDetBins) * stride, 0.0f, limit);
      d.x2 = std::clamp(cx + ExpectedDistance(dist + 2 * kNanoDetBins) * stride, 0.0f, limit);
      d.y2 = std::clamp(cy + ExpectedDistance(dist + 3 * kNanoDetBins) * stride, 0.0f, limit);
      out->push_back(d);
    }
  }
}

}  // namespace corvette::detect
