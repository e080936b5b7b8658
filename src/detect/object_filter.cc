#include "detect/object_filter.h"

#include <algorithm>

namespace corvette::detect {

bool MaskedAtBottomCentre(const cv::Mat& mask, const PixelBox& box) {
  if (mask.empty())
    return false;
  const int y = std::clamp(box.y2, 0, mask.rows - 1);
  const int x = std::clamp((box.x2 - box.x1) / 2 + box.x1, 0, mask.cols - 1);
  return mask.at<uint8_t>(y, x) == 0;
}

ObjectFilter::ObjectFilter(std::vector<std::string> track,
                           std::map<std::string, LabelFilter> filters, cv::Mat object_mask)
    : track_(std::move(track)), object_mask_(std::move(object_mask)) {
  for (const auto& label : track_) {
    auto it = filters.find(label);
    filters_[label] = it != filters.end() ? it->second : LabelFilter{};
  }
}

bool ObjectFilter::Keep(const Detection& d) const {
  auto it = filters_.find(d.label);
  if (it == filters_.end())
    return false;
  const LabelFilter& f = it->second;
  if (f.min_area > d.area || f.max_area < d.area)
    return false;
  if (f.min_score > d.score)
    return false;
  if (MaskedAtBottomCentre(object_mask_, d.box) || MaskedAtBottomCentre(f.mask, d.box))
    return false;
  return true;
}

void ObjectFilter::Apply(std::vector<Detection>* detections) const {
  std::erase_if(*detections, [this](const Detection& d) { return !Keep(d); });
}

float ObjectFilter::LowestMinScore() const {
  float lowest = 1.0f;
  for (const auto& [label, f] : filters_)
    lowest = std::min(lowest, f.min_score);
  return lowest;
}

}  // namespace corvette::detect
