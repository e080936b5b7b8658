#include "video/frame_pool.h"

#include <spdlog/spdlog.h>

#include <mutex>
#include <new>
#include <vector>

namespace corvette::video {

struct FramePool::State {
  Options options;
  mutable std::mutex mutex;
  std::vector<Frame*> free;  // capacity max_retained_frames: returning a frame never allocates
  size_t total = 0;
  bool logged_growth = false;
  bool logged_over_max = false;

  ~State() {
    for (Frame* frame : free) {
      delete frame;
    }
  }

  void Return(Frame* frame) {
    {
      std::lock_guard lock(mutex);
      if (total <= options.max_retained_frames) {
        free.push_back(frame);
        return;
      }
      --total;
    }
    delete frame;
  }
};

// Places the shared_ptr control block inside the Frame and, when the control block is released (the
// very last step of a shared_ptr's life), hands the frame back to the pool. Returning the frame any
// earlier (for example from the deleter) would let a new owner build its control block in storage
// still being torn down.
template <class T>
class FrameControlBlockAllocator {
 public:
  using value_type = T;

  FrameControlBlockAllocator(Frame* frame, std::shared_ptr<FramePool::State> state)
      : frame_(frame), state_(std::move(state)) {}
  template <class U>
  FrameControlBlockAllocator(const FrameControlBlockAllocator<U>& other)
      : frame_(other.frame_), state_(other.state_) {}

  T* allocate(size_t n) {
    static_assert(sizeof(T) <= Frame::kControlBlockBytes, "raise Frame::kControlBlockBytes");
    static_assert(alignof(T) <= alignof(std::max_align_t));
    if (n != 1) {
      throw std::bad_alloc();
    }
    return reinterpret_cast<T*>(frame_->control_block_);
  }
  void deallocate(T*, size_t) { state_->Return(frame_); }

  template <class U>
  bool operator==(const FrameControlBlockAllocator<U>& other) const {
    return frame_ == other.frame_;
  }

 private:
  template <class U>
  friend class FrameControlBlockAllocator;
  Frame* frame_;
  std::shared_ptr<FramePool::State> state_;
};

namespace {
// The pool, not the shared_ptr, owns the Frame object: releasing the last reference returns it (see
// the allocator above).
struct KeepFrame {
  void operator()(Frame*) const {}
};
}  // namespace

FramePool::FramePool(const Options& options) : state_(std::make_shared<State>()) {
  state_->options = options;
  if (state_->options.max_retained_frames < state_->options.initial_frames) {
    state_->options.max_retained_frames = state_->options.initial_frames;
  }
  state_->free.reserve(state_->options.max_retained_frames);
  for (size_t i = 0; i < options.initial_frames; ++i) {
    state_->free.push_back(new Frame(options.width, options.height));
    ++state_->total;
  }
}

FramePool::~FramePool() = default;

std::shared_ptr<Frame> FramePool::Acquire() {
  Frame* frame = nullptr;
  size_t total = 0;
  bool log_growth = false;
  bool log_over_max = false;
  {
    std::lock_guard lock(state_->mutex);
    if (!state_->free.empty()) {
      frame = state_->free.back();
      state_->free.pop_back();
    } else {
      total = ++state_->total;
      if (!state_->logged_growth) {
        log_growth = state_->logged_growth = true;
      }
      if (total > state_->options.max_retained_frames && !state_->logged_over_max) {
        log_over_max = state_->logged_over_max = true;
      }
    }
  }
  if (frame == nullptr) {
    const Options& o = state_->options;
    if (log_growth) {
      spdlog::info("{}: all {} frame buffers are in use; adding buffers (up to {} are kept)",
                   o.name, total - 1, o.max_retained_frames);
    }
    if (log_over_max) {
      spdlog::warn(
          "{}: more than {} frames are held at once; frames beyond that are allocated and freed "
          "one by one",
          o.name, o.max_retained_frames);
    }
    try {
      frame = new Frame(o.width, o.height);
    } catch (...) {
      std::lock_guard lock(state_->mutex);
      --state_->total;
      throw;
    }
  }
  return std::shared_ptr<Frame>(frame, KeepFrame{},
                                FrameControlBlockAllocator<Frame>(frame, state_));
}

int FramePool::width() const {
  return state_->options.width;
}
int FramePool::height() const {
  return state_->options.height;
}

size_t FramePool::total_frames() const {
  std::lock_guard lock(state_->mutex);
  return state_->total;
}

size_t FramePool::free_frames() const {
  std::lock_guard lock(state_->mutex);
  return state_->free.size();
}

}  // namespace corvette::video
