#include "video/frame_reader.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace corvette::video {

FrameReader::FrameReader(int fd, FramePool& pool, FrameQueue& queue, const util::Clock& clock,
                         FrameReaderOptions options)
    : fd_(fd),
      pool_(pool),
      queue_(queue),
      clock_(clock),
      options_(std::move(options)),
      next_sequence_(options_.first_sequence) {
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0) {
    throw std::system_error(errno, std::generic_category(), "eventfd for FrameReader");
  }
  int flags = ::fcntl(fd_, F_GETFL);
  if (flags >= 0) {
    ::fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
  }
}

FrameReader::~FrameReader() {
  ::close(stop_fd_);
}

void FrameReader::Stop() {
  stop_requested_.store(true, std::memory_order_relaxed);
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(stop_fd_, &one, sizeof(one));
}

FrameReader::Result FrameReader::Run() {
  Result result;
  std::shared_ptr<Frame> frame;
  size_t filled = 0;
  pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
  for (;;) {
    if (stop_requested_.load(std::memory_order_relaxed)) {
      result.reason = EndReason::kStopped;
      break;
    }
    if (!frame) {
      frame = pool_.Acquire();
      filled = 0;
    }
    ssize_t n = ::read(fd_, frame->mutable_data() + filled, frame->size_bytes() - filled);
    if (n > 0) {
      filled += static_cast<size_t>(n);
      if (filled == frame->size_bytes()) {
        frame->set_frame_time(clock_.Now());
        uint64_t sequence = next_sequence_.fetch_add(1, std::memory_order_relaxed);
        frame->set_sequence(sequence);
        last_frame_monotonic_.store(clock_.Monotonic(), std::memory_order_relaxed);
        frames_read_.fetch_add(1, std::memory_order_relaxed);
        ++result.frames;
        if (options_.on_frame_read) {
          options_.on_frame_read();
        }
        queue_.Push(std::move(frame));
        frame.reset();
      }
      continue;
    }
    if (n == 0) {
      result.reason = EndReason::kEndOfStream;
      break;
    }
    if (errno == EINTR) {
      continue;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      result.reason = EndReason::kReadError;
      result.error = errno;
      break;
    }
    // Nothing to read yet: wait for data or Stop().
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) {
      result.reason = EndReason::kReadError;
      result.error = errno;
      break;
    }
    if (fds[1].revents != 0) {
      result.reason = EndReason::kStopped;
      break;
    }
  }
  result.discarded_bytes = frame ? filled : 0;
  return result;
}

}  // namespace corvette::video
