#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace corvette::video {

template <class T>
class FrameControlBlockAllocator;

// Bytes of one tightly packed I420 (yuv420p) picture, as ffmpeg writes it with `-f rawvideo
// -pix_fmt yuv420p`: a width x height Y plane, then U and V planes of ceil(width/2) x
// ceil(height/2) each. For even sizes this is width * height * 3 / 2.
size_t I420Size(int width, int height);

// One decoded picture in I420 with its capture time. Frames come from a FramePool: the writer fills
// one through a std::shared_ptr<Frame>, then publishes it as std::shared_ptr<const Frame>; from
// then on it is immutable, and its buffer goes back to the pool when the last reader releases it.
// Planes are tightly packed (stride = plane width); the buffer is 64-byte aligned.
class Frame {
 public:
  Frame(int width, int height);
  Frame(const Frame&) = delete;
  Frame& operator=(const Frame&) = delete;

  int width() const { return width_; }
  int height() const { return height_; }
  int chroma_width() const { return (width_ + 1) / 2; }
  int chroma_height() const { return (height_ + 1) / 2; }
  size_t size_bytes() const { return size_; }

  const uint8_t* data() const { return data_.get(); }
  const uint8_t* y() const { return data_.get(); }
  const uint8_t* u() const { return data_.get() + y_size(); }
  const uint8_t* v() const { return data_.get() + y_size() + chroma_size(); }
  uint8_t* mutable_data() { return data_.get(); }

  // Wall-clock time (UNIX epoch seconds) at which the frame had been fully read from ffmpeg.
  double frame_time() const { return frame_time_; }
  void set_frame_time(double t) { frame_time_ = t; }
  // Number of the frame since its camera's capture began (continues across ffmpeg restarts).
  uint64_t sequence() const { return sequence_; }
  void set_sequence(uint64_t s) { sequence_ = s; }

 private:
  friend class FramePool;
  template <class T>
  friend class FrameControlBlockAllocator;
  struct AlignedFree {
    void operator()(uint8_t* p) const;
  };
  size_t y_size() const { return static_cast<size_t>(width_) * height_; }
  size_t chroma_size() const { return static_cast<size_t>(chroma_width()) * chroma_height(); }

  int width_;
  int height_;
  size_t size_;
  double frame_time_ = 0;
  uint64_t sequence_ = 0;
  std::unique_ptr<uint8_t[], AlignedFree> data_;

  // Room for the shared_ptr control block while the frame is handed out (see FramePool), so that
  // handing out a frame allocates nothing.
  static constexpr size_t kControlBlockBytes = 96;
  alignas(std::max_align_t) std::byte control_block_[kControlBlockBytes];
};

}  // namespace corvette::video
