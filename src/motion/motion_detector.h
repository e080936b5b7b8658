#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <vector>

#include "motion/linear_downscale.h"
#include "util/box.h"

namespace corvette::motion {

// The motion settings of a camera (Frigate 0.8 `motion:`, spec section 2.5). Kept apart from
// config::MotionConfig so this module does not depend on the config module.
struct MotionOptions {
  double threshold = 25;     // a pixel moves when its delta is strictly greater than this
  int contour_area = 100;    // contours with area strictly greater than this (motion-image pixels)
  double delta_alpha = 0.2;  // weight of the new delta in the running average of deltas
  double frame_alpha = 0.2;  // weight of the new frame in the running background average
  int frame_height = 0;      // height of the motion image; 0 = frame height / 6
};

// A motion box in full-resolution frame coordinates: (x1, y1) top-left, (x2, y2) as Frigate
// computes them, int((x + w) * resize_factor), i.e. one past the last moving pixel when scaled
// back.
using MotionBox = util::Box;

// Frigate 0.8's motion detector (spec section 3) on the Y plane of I420 frames.
//
// Per frame: bilinear resize of Y to the motion size, masked pixels set to 255, 30 frames of
// warm-up, then |frame - background| against running averages, two thresholds, a 3x3 dilation
// twice, external contours with area > contour_area, boxes scaled back to the frame. The background
// average only absorbs a frame while there is no motion, or once motion has lasted 10 frames.
//
// Numerics: the running averages are float32 (Frigate 0.8 keeps them as float64), and each
// average is rounded half-to-even to uint8 as cv::convertScaleAbs does. A float32 average can land
// on the other side of a .5 rounding boundary than the float64 one, which changes a delta by 1
// grey level at most; nothing else differs (the resize gives cv::resize INTER_LINEAR's result, as
// Frigate's).
//
// Speed: the resize is LinearDownscale, cv::resize's INTER_LINEAR result bit for bit at about
// half its cost with AVX-512 VBMI (cv::resize itself elsewhere): it reads only the 2 Y rows of
// every 6 it needs, prefetched. The per-pixel arithmetic is one pass, 16 pixels at a time with
// AVX-512 (the same float operations in the same order as the portable pass, so the same
// results). About 45-55 us per 1280x720 frame without motion, 60-100 us with a moving object, on
// the project's 2-core Xeon (bench/motion_bench.cc, docs/benchmarks.md). The detector's buffers are
// allocated once; on frames with motion only, OpenCV allocates small scratch buffers inside
// cv::dilate and cv::findContours (both run on the bounding rectangle of the moving pixels, not
// the whole motion image).
//
// Not thread-safe: one detector per camera, used by that camera's thread.
class MotionDetector {
 public:
  // frame_width x frame_height is the full frame size. `mask` is empty (nothing masked) or an
  // 8-bit single-channel image of the frame size where 0 marks masked pixels (spec section 2.6).
  MotionDetector(int frame_width, int frame_height, const MotionOptions& options,
                 const cv::Mat& mask = cv::Mat());

  MotionDetector(const MotionDetector&) = delete;
  MotionDetector& operator=(const MotionDetector&) = delete;

  // Runs one frame. `y_plane` points at frame_height rows of frame_width bytes, `stride` bytes
  // apart (the first plane of an I420 buffer). Returns the motion boxes of this frame; the
  // reference stays valid until the next call.
  const std::vector<MotionBox>& Detect(const uint8_t* y_plane, int stride);

  // For tests: from now on the per-pixel pass runs without AVX-512 (it must give the same).
  void UsePortablePassForTesting() { use_avx512_ = false; }
  bool uses_avx512_pass() const { return use_avx512_; }

  int motion_width() const { return motion_size_.width; }
  int motion_height() const { return motion_size_.height; }
  double resize_factor() const { return resize_factor_; }
  const MotionOptions& options() const { return options_; }

 private:
  // Dilation, contours and boxes, once some pixel is over both thresholds.
  void FindBoxes();

  MotionOptions options_;
  cv::Size frame_size_;
  cv::Size motion_size_;
  LinearDownscale downscale_;
  bool use_avx512_;  // the per-pixel pass 16 pixels at a time (the same results)
  double resize_factor_;
  int threshold_floor_;  // pixels compare as value > threshold_floor_ (cv::threshold on 8U)

  cv::Mat resized_;               // 8U motion-size frame
  cv::Mat mask_or_;               // 8U, 255 where masked, else 0 (OR-ed into the resized frame)
  std::vector<float> avg_frame_;  // background average
  std::vector<float> avg_frame_next_;  // background blended with this frame, taken if needed
  std::vector<float> avg_delta_;
  cv::Mat thresh_;   // 8U motion-size, 255 where over both thresholds
  cv::Mat dilated_;  // 8U motion-size
  cv::Mat kernel_;
  std::vector<std::vector<cv::Point>> contours_;
  std::vector<MotionBox> boxes_;
  int frame_counter_ = 0;
  int motion_frame_count_ = 0;
};

}  // namespace corvette::motion
