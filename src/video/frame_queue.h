#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "video/frame.h"

namespace corvette::video {

// Bounded FIFO of published frames between a camera's FrameReader (producer) and its processor
// (consumer). When full, Push drops the oldest queued frame so the consumer always gets the newest;
// every drop is counted (the camera's skipped_fps). Push and Pop never allocate. Thread-safe; any
// number of producers and consumers.
class FrameQueue {
 public:
  // `on_drop` (optional) runs on the pushing thread, outside the queue's lock, once per dropped
  // frame.
  explicit FrameQueue(size_t capacity, std::function<void()> on_drop = {});
  FrameQueue(const FrameQueue&) = delete;
  FrameQueue& operator=(const FrameQueue&) = delete;

  // Appends `frame`, dropping the oldest queued frame when full. Returns false when a frame was
  // dropped or the queue is closed (the frame is then discarded and not counted).
  bool Push(std::shared_ptr<const Frame> frame);
  // The oldest frame; waits up to `timeout_seconds` for one. Null on timeout, or when the queue is
  // closed and empty.
  std::shared_ptr<const Frame> Pop(double timeout_seconds);
  // The oldest frame if there is one, else null; never waits.
  std::shared_ptr<const Frame> TryPop();

  // Wakes every waiting consumer; later pushes are discarded. Frames already queued can still be
  // popped.
  void Close();
  bool closed() const;

  size_t capacity() const { return slots_.size(); }
  size_t size() const;
  // Frames dropped because the queue was full, since construction.
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  std::shared_ptr<const Frame> TakeLocked();

  const std::function<void()> on_drop_;
  mutable std::mutex mutex_;
  std::condition_variable not_empty_;
  std::vector<std::shared_ptr<const Frame>> slots_;  // ring buffer
  size_t head_ = 0;                                  // index of the oldest frame
  size_t count_ = 0;
  bool closed_ = false;
  std::atomic<uint64_t> dropped_{0};
};

}  // namespace corvette::video
