#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "video/frame.h"

namespace corvette::video {

// Recycled I420 buffers of one geometry. Acquire() hands out a frame that goes back to the pool
// when its last std::shared_ptr (mutable or const) is released; once the pool is warm, acquiring
// and releasing a frame allocates nothing (the shared_ptr's control block lives inside the Frame).
//
// Frames keep the pool's internals alive, so a FramePool may be destroyed while frames are still
// held. When every pooled frame is held by readers, Acquire() makes a new one: the pool keeps up to
// `max_retained_frames`; frames made beyond that are freed on release instead of being kept. Each
// of these two events is logged once. Thread-safe.
class FramePool {
 public:
  struct Options {
    int width = 0;
    int height = 0;
    size_t initial_frames = 8;        // allocated up front
    size_t max_retained_frames = 32;  // most frames kept for reuse
    std::string name = "frames";      // for log messages, e.g. the camera name
  };

  explicit FramePool(const Options& options);
  ~FramePool();
  FramePool(const FramePool&) = delete;
  FramePool& operator=(const FramePool&) = delete;

  // A frame of the pool's geometry with unspecified contents. Never null; throws std::bad_alloc
  // only when memory runs out.
  std::shared_ptr<Frame> Acquire();

  int width() const;
  int height() const;
  // Frames that exist now (handed out or free).
  size_t total_frames() const;
  // Frames free for reuse now.
  size_t free_frames() const;

 private:
  struct State;
  template <class T>
  friend class FrameControlBlockAllocator;
  std::shared_ptr<State> state_;
};

}  // namespace corvette::video
