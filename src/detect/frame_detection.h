#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "detect/detection.h"
#include "detect/detector_pool.h"
#include "detect/object_filter.h"
#include "detect/region_planner.h"

namespace corvette::detect {

struct FrameDetectionResult {
  std::vector<Detection> detections;  // filtered, refined, touching motion or a tracked box
  std::vector<PixelBox> regions;  // every region run, refinement regions included (debug overlay)
  int detector_calls = 0;         // regions sent to the detector (counts towards detection_fps)
  int refinement_calls = 0;       // of those, regions around clipped detections (section 4.4)
  int failed_calls = 0;           // regions that got no answer (timeout, queue full)
};

// The detection part of one frame's processing (sections 4.3 to 5): regions from the motion boxes
// and the tracked boxes touching motion, all regions through the pool at once, the filters on every
// detection, refinement of clipped detections, and only detections touching motion or a tracked box
// kept (DetectionsTouchingMotionOrTracked). No motion
// boxes: no detector call and no detections. `frame_owner` keeps `frame` alive while detectors read
// it. `plan` is PlanRegions' (its default: Frigate 0.8's regions).
FrameDetectionResult DetectFrame(DetectorPool& pool, const ObjectFilter& filter,
                                 const std::string& camera, std::shared_ptr<const void> frame_owner,
                                 const I420View& frame, std::span<const PixelBox> motion,
                                 std::span<const PixelBox> tracked, const RegionPlan& plan = {});

}  // namespace corvette::detect
