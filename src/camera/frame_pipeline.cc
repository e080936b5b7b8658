#include "camera/frame_pipeline.h"

#include <algorithm>
#include <span>
#include <stdexcept>

#include "detect/frame_detection.h"
#include "detect/region_planner.h"

namespace corvette::camera {

FramePipeline::FramePipeline(FramePipelineOptions options)
    : options_(std::move(options)),
      motion_(options_.width, options_.height, options_.motion, options_.motion_mask),
      tracker_(options_.tracker) {
  if (options_.detector_pool != nullptr && options_.object_filter == nullptr) {
    throw std::invalid_argument("camera " + options_.camera + ": detection needs an object filter");
  }
}

const FrameProcessing& FramePipeline::Process(const std::shared_ptr<const video::Frame>& frame) {
  result_.regions.clear();
  result_.detections.clear();
  result_.detector_calls = 0;
  result_.refinement_calls = 0;
  result_.rechecked_objects = 0;
  result_.failed_calls = 0;
  const auto& boxes = motion_.Detect(frame->y(), frame->width());
  result_.motion_boxes.assign(boxes.begin(), boxes.end());
  if (options_.detector_pool == nullptr)
    return result_;

  const double now = frame->frame_time();
  CollectSeeds(now);
  if (seeds_.empty()) {
    tracker_.Update(now, {}, {});
    ForgetRemoved();
    return result_;
  }

  detect::FrameDetectionResult detected = detect::DetectFrame(
      *options_.detector_pool, *options_.object_filter, options_.camera, frame,
      detect::I420View::Packed(frame->data(), frame->width(), frame->height()), seeds_, tracked_,
      {.model_size = options_.detector_pool->model_size(),
       .min_object_pixels = options_.min_object_pixels});
  result_.regions = std::move(detected.regions);
  result_.detections = std::move(detected.detections);
  result_.detector_calls = detected.detector_calls;
  result_.refinement_calls = detected.refinement_calls;
  result_.failed_calls = detected.failed_calls;

  tracker_detections_.clear();
  for (const detect::Detection& d : result_.detections)
    tracker_detections_.push_back({d.label, d.score, d.box, d.area, d.region});
  tracker_.Update(now, tracker_detections_, result_.regions);
  ForgetRemoved();
  return result_;
}

void FramePipeline::SkipDetection(double frame_time) {
  result_ = {};
  // One region covering the frame: the tracker ages every object as examined and missed.
  const track::Box whole{0, 0, options_.width, options_.height};
  tracker_.Update(frame_time, {}, std::span<const track::Box>(&whole, 1));
  ForgetRemoved();
}

void FramePipeline::CollectSeeds(double now) {
  seeds_ = result_.motion_boxes;
  tracked_.clear();
  const size_t real_motion = seeds_.size();
  for (const track::TrackedRecord& object : tracker_.Objects()) {
    const detect::PixelBox& box = object.box;
    tracked_.push_back(box);
    bool touches_motion = false;
    for (size_t i = 0; i < real_motion && !touches_motion; ++i)
      touches_motion = detect::Intersects(box, seeds_[i]);
    if (touches_motion)
      continue;
    // A still object: look at it again from time to time (and every frame after a miss), as if
    // it moved, so that it keeps its id while it is there and ends when it is gone.
    double& last_look = last_recheck_[object.id];
    const double since = now - std::max(object.frame_time, last_look);
    if (object.disappeared > 0 || since >= options_.recheck_interval_seconds) {
      seeds_.push_back(box);
      last_look = now;
      ++result_.rechecked_objects;
    }
  }
}

void FramePipeline::ForgetRemoved() {
  for (const track::TrackedRecord& removed : tracker_.Removed())
    last_recheck_.erase(removed.id);
}

}  // namespace corvette::camera
