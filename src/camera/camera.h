#pragma once

#include <sys/types.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <thread>
#include <vector>

#include "camera/camera_state.h"
#include "camera/frame_pipeline.h"
#include "detect/detector_pool.h"
#include "detect/object_filter.h"
#include "image/overlay.h"
#include "image/render.h"
#include "motion/motion_detector.h"
#include "stats/rate_meter.h"
#include "track/tracker.h"
#include "util/clock.h"
#include "video/camera_supervisor.h"

namespace corvette::camera {

// A configured zone as the live view draws it.
struct ZoneView {
  std::string name;
  std::vector<cv::Point> polygon;  // frame pixels
};

// What the processor made of one frame, handed to the frame observer on the camera's thread.
struct FrameResult {
  const std::shared_ptr<const video::Frame>& frame;
  const std::vector<track::TrackedRecord>& objects;  // tracked now (matched this frame or not)
  const std::vector<track::TrackedRecord>& removed;  // ended by this frame
  bool detect_enabled;
  // The snapshot about to be published: an observer may fill in what it knows (zone occupancy).
  CameraSnapshot& snapshot;
};

// Called on the camera's processor thread after each frame, before the frame's snapshot is
// published. Must be quick: hand slow work (encoding, disk, network) to other threads.
using FrameObserver = std::function<void(const FrameResult&)>;

struct CameraOptions {
  std::string name;
  int width = 0;  // detect frame geometry
  int height = 0;
  motion::MotionOptions motion;
  cv::Mat motion_mask;  // empty, or 8-bit width x height, 0 = masked
  std::vector<ZoneView> zones;
  bool detect_enabled = true;  // initial state; MQTT can toggle it
  // Object detection: null = motion only. The pool is shared by all cameras and must outlive the
  // camera; `object_filter` holds the camera's track list, filters and masks.
  detect::DetectorPool* detector_pool = nullptr;
  std::shared_ptr<const detect::ObjectFilter> object_filter;
  track::TrackerOptions tracker;
  // A tracked object that has not been matched for this long is looked at again by the detector
  // even without motion, so a still object keeps its id (0.8 drops it); once a look misses it, it
  // is looked at every frame until found or ended.
  double recheck_interval_seconds = 5.0;
  // FramePipelineOptions::min_object_pixels (config detect.min_object_pixels).
  int min_object_pixels = 0;
  FrameObserver on_frame;
  video::CameraSupervisorOptions capture;
  const util::Clock* clock = nullptr;  // null = util::SystemClock
};

// Figures of one camera for /api/stats (spec section 11), over the 10 s window.
struct CameraStats {
  double camera_fps = 0;     // frames read from ffmpeg
  double process_fps = 0;    // frames the processor finished
  double skipped_fps = 0;    // frames dropped because the processor was behind
  double detection_fps = 0;  // detector calls
  pid_t pid = 0;             // the process doing the work (corvette itself)
  pid_t capture_pid = 0;     // the detect ffmpeg's pid, 0 while none runs
  std::vector<video::CameraSupervisor::Status::Role> roles;  // which ffmpeg outputs work
};

// One camera: its ffmpeg processes (CameraSupervisor), its processor thread (motion, then detection
// and tracking as they come) and the state the API reads. Thread-safe public interface.
class Camera {
 public:
  explicit Camera(CameraOptions options);
  ~Camera();
  Camera(const Camera&) = delete;
  Camera& operator=(const Camera&) = delete;

  void Start();
  // Asks capture and processing to stop without waiting (lets an app stop every camera at once).
  void RequestStop();
  // Stops and joins; takes about the capture's stop grace at most.
  void Stop();

  const std::string& name() const { return options_.name; }
  int width() const { return options_.width; }
  int height() const { return options_.height; }
  const CameraOptions& options() const { return options_; }
  const CameraState& state() const { return state_; }
  CameraStats Stats() const;

  bool detect_enabled() const { return detect_enabled_.load(std::memory_order_relaxed); }
  void set_detect_enabled(bool enabled) { detect_enabled_.store(enabled); }

  // The latest processed frame as a JPEG with `options` (latest.jpg, MJPEG parts). One encode per
  // (frame, options) however many viewers ask; before the first frame, a black frame. With
  // max_age_seconds > 0 (MJPEG: 1/fps), a JPEG with the same options encoded at most that long ago
  // is good enough even if a newer frame exists: viewers waking out of phase then share encodes.
  std::shared_ptr<const std::string> LiveJpeg(const image::RenderOptions& options,
                                              double max_age_seconds = 0) const;

 private:
  void Process();
  void ProcessFrame(std::shared_ptr<const video::Frame> frame);
  image::OverlayData OverlayFor(const CameraSnapshot& snapshot) const;
  cv::Scalar LabelColour(const std::string& label) const;

  const CameraOptions options_;
  const util::Clock& clock_;
  video::CameraSupervisor supervisor_;
  FramePipeline pipeline_;  // processor thread only
  CameraState state_;
  stats::RateMeter process_fps_;
  stats::RateMeter detection_fps_;
  std::atomic<bool> detect_enabled_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::map<std::string, int> class_ids_;  // processor thread only: label -> class id
  std::vector<image::OverlayZone> overlay_zones_;
  std::shared_ptr<const video::Frame> black_frame_;
};

}  // namespace corvette::camera
