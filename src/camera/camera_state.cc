#include "camera/camera_state.h"

#include <utility>

namespace corvette::camera {

CameraState::CameraState()
    : latest_(std::make_shared<const CameraSnapshot>()), jpeg_cache_(/*capacity=*/16) {}

std::shared_ptr<const CameraSnapshot> CameraState::Latest() const {
  std::lock_guard lock(mutex_);
  return latest_;
}

void CameraState::Publish(std::shared_ptr<const CameraSnapshot> snapshot) {
  std::shared_ptr<const CameraSnapshot> previous;
  {
    std::lock_guard lock(mutex_);
    previous = std::exchange(latest_, std::move(snapshot));
  }
  // `previous` (and possibly its frame's buffer) is released here, outside the lock.
}

}  // namespace corvette::camera
