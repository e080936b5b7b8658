#pragma once

#include <map>
#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "detect/detection.h"
#include "detect/detector_pool.h"
#include "detect/object_filter.h"
#include "motion/motion_detector.h"
#include "track/tracker.h"
#include "video/frame.h"

namespace corvette::camera {

struct FramePipelineOptions {
  std::string camera;  // the name the detector pool's requests carry
  int width = 0;       // frame geometry: every frame processed must be width x height
  int height = 0;
  motion::MotionOptions motion;
  cv::Mat motion_mask;  // empty, or 8-bit width x height, 0 = masked
  // Object detection: null = motion only (no detector call, no tracked object). The pool must
  // outlive the pipeline; `object_filter` must be set with a pool.
  detect::DetectorPool* detector_pool = nullptr;
  std::shared_ptr<const detect::ObjectFilter> object_filter;
  track::TrackerOptions tracker;
  // A tracked object that has not been matched for this long is looked at again by the detector
  // even without motion, so a still object keeps its id; once a look misses it, it is looked at
  // every frame until found or ended.
  double recheck_interval_seconds = 5.0;
  // Regions are merged while every tracked object in them stays at least this many
  // model input pixels large (detect::RegionPlan); 0 = Frigate 0.8's regions.
  int min_object_pixels = 0;
};

// What one frame gave. With no motion and no still object due for a look, only motion_boxes may be
// filled (no region, no detector call).
struct FrameProcessing {
  std::vector<detect::PixelBox> motion_boxes;
  std::vector<detect::PixelBox> regions;  // every region run, refinement regions included
  // Filtered, each touching a motion box, a re-checked still object's box or a tracked object's
  // box: what the tracker got.
  std::vector<detect::Detection> detections;
  int detector_calls = 0;     // regions sent to the detector pool
  int refinement_calls = 0;   // of those, regions around clipped detections
  int rechecked_objects = 0;  // still objects looked at again (seeds besides the motion boxes)
  int failed_calls = 0;       // regions that got no answer
};

// The camera's per-frame processing, without capture or threads: the MotionDetector, then regions
// from the motion boxes, from the tracked boxes touching motion and from still objects due for a
// re-check, detect::DetectFrame on the pool, and the Tracker update. Feeding it decoded frames one
// by one gives what the camera would do with every frame arriving in time (no frame is dropped),
// whatever the machine's speed.
//
// Not thread-safe: one pipeline per camera, used by one thread at a time.
class FramePipeline {
 public:
  // Throws std::invalid_argument when a pool is given without an object filter.
  explicit FramePipeline(FramePipelineOptions options);
  FramePipeline(const FramePipeline&) = delete;
  FramePipeline& operator=(const FramePipeline&) = delete;

  // Processes `frame` (width x height, packed I420) at its frame_time(), which must not go back in
  // time from one call to the next. Blocks while the pool runs the frame's regions. The result
  // stays valid until the next call to Process or SkipDetection.
  const FrameProcessing& Process(const std::shared_ptr<const video::Frame>& frame);

  // Detection switched off for a frame taken at `frame_time`: no motion, no detector; as in 0.8,
  // every tracked object misses, so all of them end after max_disappeared + 1 such frames. Clears
  // the last result's lists.
  void SkipDetection(double frame_time);

  // The tracked objects after the last call (matched on that frame or not), in registration order.
  const std::vector<track::TrackedRecord>& Objects() const { return tracker_.Objects(); }
  // The objects the last call to Process or SkipDetection ended (none after a motion-only call).
  const std::vector<track::TrackedRecord>& Removed() const { return tracker_.Removed(); }

  const FramePipelineOptions& options() const { return options_; }

 private:
  // Regions' seeds of this frame: motion boxes, then still objects due for a look; fills tracked_.
  void CollectSeeds(double now);
  void ForgetRemoved();

  const FramePipelineOptions options_;
  motion::MotionDetector motion_;
  track::Tracker tracker_;
  std::map<std::string, double> last_recheck_;  // tracked id -> frame time of its last re-check
  FrameProcessing result_;
  std::vector<detect::PixelBox> seeds_;    // per-frame scratch
  std::vector<detect::PixelBox> tracked_;  // per-frame scratch
  std::vector<track::Detection> tracker_detections_;
};

}  // namespace corvette::camera
