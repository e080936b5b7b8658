#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "image/geometry.h"
#include "image/jpeg_cache.h"
#include "image/overlay.h"
#include "video/frame.h"

namespace corvette::camera {

// What one processed frame of a camera looks like to the API and MQTT. Immutable once published:
// readers hold a std::shared_ptr<const CameraSnapshot> and never lock the processor.
struct CameraSnapshot {
  std::shared_ptr<const video::Frame> frame;  // null before the first frame
  double frame_time = 0;                      // the frame's wall-clock time (epoch seconds)
  uint64_t sequence = 0;                      // the frame's sequence number; 0 before the first
  std::vector<image::Box> motion_boxes;       // frame pixels
  std::vector<image::Box> regions;            // where detection ran, frame pixels
  std::vector<image::OverlayObject> objects;  // tracked objects, for the bbox layer
  std::vector<bool> zone_occupied;            // per configured zone, in config order
};

// The latest snapshot of one camera and the JPEG cache its viewers share. Thread-safe: the camera's
// processor publishes, any number of HTTP and MQTT threads read.
class CameraState {
 public:
  CameraState();
  CameraState(const CameraState&) = delete;
  CameraState& operator=(const CameraState&) = delete;

  // Never null: before the first frame, an empty snapshot (no frame).
  std::shared_ptr<const CameraSnapshot> Latest() const;
  void Publish(std::shared_ptr<const CameraSnapshot> snapshot);

  // Encoded live images of this camera, keyed by (frame sequence, render options).
  image::JpegCache& jpeg_cache() const { return jpeg_cache_; }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const CameraSnapshot> latest_;
  mutable image::JpegCache jpeg_cache_;
};

}  // namespace corvette::camera
