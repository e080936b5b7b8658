#include "detect/nms.h"

#include <algorithm>

namespace corvette::detect {

float IntersectionOverUnion(const ModelDetection& a, const ModelDetection& b) {
  const float iw = std::min(a.x2, b.x2) - std::max(a.x1, b.x1);
  const float ih = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
  if (iw <= 0.0f || ih <= 0.0f)
    return 0.0f;
  const float inter = iw * ih;
  const float area_a = (a.x2 - a.x1) * (a.y2 - a.y1);
  const float area_b = (b.x2 - b.x1) * (b.y2 - b.y1);
  const float uni = area_a + area_b - inter;
  return uni > 0.0f ? inter / uni : 0.0f;
}

void PerClassNms(std::vector<ModelDetection>* detections, float iou_threshold) {
  auto& d = *detections;
  std::sort(d.begin(), d.end(),
            [](const ModelDetection& a, const ModelDetection& b) { return a.score > b.score; });
  size_t kept = 0;
  for (size_t i = 0; i < d.size(); ++i) {
    bool suppressed = false;
    for (size_t k = 0; k < kept; ++k) {
      if (d[k].class_id == d[i].class_id && IntersectionOverUnion(d[k], d[i]) > iou_threshold) {
        suppressed = true;
        break;
      }
    }
    if (!suppressed)
      d[kept++] = d[i];
  }
  d.resize(kept);
}

}  // namespace corvette::detect
