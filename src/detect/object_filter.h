#pragma once

#include <map>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "detect/detection.h"

namespace corvette::detect {

// The per-label thresholds of `objects.filters.<label>` (defaults as Frigate's).
struct LabelFilter {
  int min_area = 0;
  int max_area = 24000000;
  float min_score = 0.5f;
  // Optional mask, frame-sized CV_8UC1: 0 = masked (Frigate's fillPoly of the polygons into a 255
  // image). Shared, not copied, by cv::Mat's reference counting.
  cv::Mat mask;
};

// Section 5's per-detection filters. A detection is dropped when its label is not tracked, its area
// is below min_area or above max_area, its score is below min_score, or the camera's object mask or
// the label's filter mask is 0 at the bottom centre of its box (y = min(y2, H - 1), x = min((x2 -
// x1) / 2 + x1, W - 1)). Immutable after construction; safe to share between threads.
class ObjectFilter {
 public:
  // track: the labels to keep (`objects.track`). filters: per tracked label; a tracked label
  // without an entry gets LabelFilter's defaults. object_mask: the camera's `objects.mask` (empty =
  // none), frame-sized.
  ObjectFilter(std::vector<std::string> track, std::map<std::string, LabelFilter> filters,
               cv::Mat object_mask = {});

  bool Keep(const Detection& detection) const;
  // Removes the detections Keep rejects.
  void Apply(std::vector<Detection>* detections) const;

  // The lowest min_score of the tracked labels: the detector's raw score threshold should not be
  // above it.
  float LowestMinScore() const;

 private:
  std::vector<std::string> track_;
  std::map<std::string, LabelFilter> filters_;
  cv::Mat object_mask_;
};

// True when `mask` (CV_8UC1, may be empty = nothing masked) is 0 at the box's bottom centre, as
// Frigate tests it.
bool MaskedAtBottomCentre(const cv::Mat& mask, const PixelBox& box);

}  // namespace corvette::detect
