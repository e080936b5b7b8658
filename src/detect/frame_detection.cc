#include "detect/frame_detection.h"

#include "detect/region_planner.h"

namespace corvette::detect {

FrameDetectionResult DetectFrame(DetectorPool& pool, const ObjectFilter& filter,
                                 const std::string& camera, std::shared_ptr<const void> frame_owner,
                                 const I420View& frame, std::span<const PixelBox> motion,
                                 std::span<const PixelBox> tracked, const RegionPlan& plan) {
  FrameDetectionResult out;
  if (motion.empty())
    return out;
  out.regions = PlanRegions(frame.width, frame.height, motion, tracked, plan);

  auto run = [&](std::span<const PixelBox> regions) {
    std::vector<Detection> kept;
    const auto results = pool.DetectRegions(camera, frame_owner, frame, regions);
    out.detector_calls += static_cast<int>(regions.size());
    for (const auto& r : results) {
      if (!r.ok) {
        ++out.failed_calls;
        continue;
      }
      for (const auto& d : r.detections) {
        if (filter.Keep(d))
          kept.push_back(d);
      }
    }
    return kept;
  };

  std::vector<Detection> detections = run(out.regions);
  const int planned_calls = out.detector_calls;
  detections = RefineClippedDetections(
      std::move(detections), frame.width, frame.height,
      [&](const PixelBox& region) {
        const PixelBox one[] = {region};
        return run(one);
      },
      &out.regions);
  out.refinement_calls = out.detector_calls - planned_calls;
  out.detections = DetectionsTouchingMotionOrTracked(std::move(detections), motion, tracked);
  return out;
}

}  // namespace corvette::detect
