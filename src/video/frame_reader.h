#pragma once

#include <atomic>
#include <cstdint>
#include <functional>

#include "util/clock.h"
#include "video/frame_pool.h"
#include "video/frame_queue.h"

namespace corvette::video {

struct FrameReaderOptions {
  uint64_t first_sequence = 0;
  // Runs on the reader thread for each whole frame, just before it is queued (feeds camera_fps), so
  // a consumer that has the frame sees it counted. Must be quick.
  std::function<void()> on_frame_read;
};

// Reads fixed-size I420 frames (the pool's geometry, I420Size bytes each) from a pipe, ffmpeg's
// stdout, straight into pool buffers. A frame is stamped with clock.Now() when its last byte has
// been read, given the next sequence number, and pushed to the queue. Run() returns at end of
// stream, on a read error, or after Stop(); a partial frame at that point is discarded.
//
// `fd` is not owned and is switched to non-blocking mode. `pool`, `queue` and `clock` must outlive
// the reader. Run() is called by one thread; Stop() and the accessors may be called from any
// thread.
class FrameReader {
 public:
  enum class EndReason { kEndOfStream, kReadError, kStopped };
  struct Result {
    EndReason reason = EndReason::kEndOfStream;
    uint64_t frames = 0;         // whole frames delivered by this Run()
    size_t discarded_bytes = 0;  // bytes of the partial frame left at the end
    int error = 0;               // errno for kReadError
  };

  FrameReader(int fd, FramePool& pool, FrameQueue& queue, const util::Clock& clock,
              FrameReaderOptions options = FrameReaderOptions());
  ~FrameReader();
  FrameReader(const FrameReader&) = delete;
  FrameReader& operator=(const FrameReader&) = delete;

  Result Run();
  // Makes Run() return soon (kStopped); also before Run() has started.
  void Stop();

  uint64_t frames_read() const { return frames_read_.load(std::memory_order_relaxed); }
  // clock.Monotonic() when the last frame was completed; 0 before the first.
  double last_frame_monotonic() const {
    return last_frame_monotonic_.load(std::memory_order_relaxed);
  }
  // The sequence number the next frame would get.
  uint64_t next_sequence() const { return next_sequence_.load(std::memory_order_relaxed); }

 private:
  const int fd_;
  FramePool& pool_;
  FrameQueue& queue_;
  const util::Clock& clock_;
  const FrameReaderOptions options_;
  int stop_fd_ = -1;  // eventfd
  std::atomic<bool> stop_requested_{false};
  std::atomic<uint64_t> frames_read_{0};
  std::atomic<double> last_frame_monotonic_{0};
  std::atomic<uint64_t> next_sequence_;
};

}  // namespace corvette::video
