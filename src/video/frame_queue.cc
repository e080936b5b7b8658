#include "video/frame_queue.h"

#include <chrono>
#include <stdexcept>

namespace corvette::video {

FrameQueue::FrameQueue(size_t capacity, std::function<void()> on_drop)
    : on_drop_(std::move(on_drop)), slots_(capacity) {
  if (capacity == 0) {
    throw std::invalid_argument("FrameQueue: capacity must be at least 1");
  }
}

bool FrameQueue::Push(std::shared_ptr<const Frame> frame) {
  std::shared_ptr<const Frame> dropped;  // released outside the lock
  {
    std::lock_guard lock(mutex_);
    if (closed_) {
      return false;
    }
    if (count_ == slots_.size()) {
      dropped = TakeLocked();
    }
    slots_[(head_ + count_) % slots_.size()] = std::move(frame);
    ++count_;
  }
  not_empty_.notify_one();
  if (dropped) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    if (on_drop_) {
      on_drop_();
    }
    return false;
  }
  return true;
}

std::shared_ptr<const Frame> FrameQueue::TakeLocked() {
  std::shared_ptr<const Frame> frame = std::move(slots_[head_]);
  head_ = (head_ + 1) % slots_.size();
  --count_;
  return frame;
}

std::shared_ptr<const Frame> FrameQueue::Pop(double timeout_seconds) {
  std::unique_lock lock(mutex_);
  not_empty_.wait_for(lock, std::chrono::duration<double>(timeout_seconds),
                      [this] { return count_ > 0 || closed_; });
  return count_ > 0 ? TakeLocked() : nullptr;
}

std::shared_ptr<const Frame> FrameQueue::TryPop() {
  std::lock_guard lock(mutex_);
  return count_ > 0 ? TakeLocked() : nullptr;
}

void FrameQueue::Close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  not_empty_.notify_all();
}

bool FrameQueue::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

size_t FrameQueue::size() const {
  std::lock_guard lock(mutex_);
  return count_;
}

}  // namespace corvette::video
