#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <vector>

#include "image/geometry.h"

namespace corvette::image {

// A read-only view of an I420 (yuv420p) picture: a width x height Y plane and U, V planes of
// ceil(width/2) x ceil(height/2). The planes belong to the caller and must outlive the view.
struct I420View {
  const uint8_t* y = nullptr;
  const uint8_t* u = nullptr;
  const uint8_t* v = nullptr;
  int y_stride = 0;
  int uv_stride = 0;
  int width = 0;
  int height = 0;

  int chroma_width() const { return (width + 1) / 2; }
  int chroma_height() const { return (height + 1) / 2; }
  // True when the three planes follow each other with no padding, as ffmpeg's rawvideo output
  // and video::Frame lay them out.
  bool packed() const;

  // A view of a tightly packed buffer (Y, then U, then V, no padding).
  static I420View Packed(const uint8_t* data, int width, int height);
};

// An owned, tightly packed I420 picture. Reuses its buffer when reshaped to a size that fits.
class I420Image {
 public:
  I420Image() = default;
  I420Image(int width, int height) { Reshape(width, height); }

  // Makes the picture width x height; contents unspecified.
  void Reshape(int width, int height);
  // Every pixel black (Y 16, U and V 128 as in limited-range BT.601).
  void FillBlack();

  int width() const { return width_; }
  int height() const { return height_; }
  uint8_t* y() { return bytes_.data(); }
  uint8_t* u() { return bytes_.data() + y_size(); }
  uint8_t* v() { return bytes_.data() + y_size() + chroma_size(); }
  const std::vector<uint8_t>& bytes() const { return bytes_; }
  I420View view() const { return I420View::Packed(bytes_.data(), width_, height_); }

 private:
  size_t y_size() const { return static_cast<size_t>(width_) * height_; }
  size_t chroma_size() const {
    return static_cast<size_t>((width_ + 1) / 2) * static_cast<size_t>((height_ + 1) / 2);
  }

  int width_ = 0;
  int height_ = 0;
  std::vector<uint8_t> bytes_;
};

// The width that keeps the aspect ratio of width x height at `target_height`, rounded to the
// nearest even number (at least 2).
int ScaledWidth(int width, int height, int target_height);

// Resizes `src` to ScaledWidth(...) x target_height into `dst` (its buffer is reused). Shrinking
// halves each plane with area averaging while it is at least twice the target, then finishes
// bilinearly (Frigate's latest.jpg uses INTER_AREA throughout, its MJPEG INTER_LINEAR; this
// matches INTER_AREA exactly at a ratio of 2 and stays free of aliasing at larger ratios for a
// fraction of INTER_AREA's cost at non-integer ratios). Enlarging is bilinear.
void ResizeI420(const I420View& src, int target_height, I420Image* dst);
// Resizes `src` to exactly width x height (width and height >= 1).
void ResizeI420(const I420View& src, int width, int height, I420Image* dst);

// Converts to BGR with cv::cvtColor(COLOR_YUV2BGR_I420) (BT.601 limited range, as Frigate).
// `bgr` is reused when it already has the right size and type. Odd sizes are supported (the
// last row/column is converted from a padded copy).
void I420ToBgr(const I420View& src, cv::Mat* bgr);

// Copies the part of `src` inside `box` (clipped to the frame, then widened to even coordinates
// so chroma stays aligned) into `dst`. Returns the box actually copied.
Box CropI420(const I420View& src, const Box& box, I420Image* dst);

// The two ranges of YCbCr samples. Video (ffmpeg's yuv420p, cv::cvtColor's I420) is limited
// range: Y 16..235, U/V 16..240. JPEG (JFIF) is full range 0..255 with the same BT.601 matrix,
// so encoding limited-range planes as they are would turn black into grey 16.
enum class YuvRange { kLimited, kFull };

// Maps limited-range samples to full range in place (Y' = (Y-16)*255/219,
// C' = (C-128)*255/224 + 128, rounded and clamped).
void LimitedToFullRange(I420Image* image);
// As above, into `dst` (its buffer reused).
void LimitedToFullRange(const I420View& src, I420Image* dst);
// The inverse, in place: full-range samples (a decoded JPEG) to limited range.
void FullToLimitedRange(I420Image* image);

// Converts BGR to packed I420 (cv::cvtColor COLOR_BGR2YUV_I420); width and height must be even.
void BgrToI420(const cv::Mat& bgr, I420Image* dst);

}  // namespace corvette::image
