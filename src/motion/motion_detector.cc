#include "motion/motion_detector.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "util/target_clones.h"

namespace corvette::motion {
namespace {

constexpr int kWarmUpFrames = 30;
constexpr int kFramesBeforeBackgroundAbsorbsMotion = 10;

// Round half to even, as cvRound (lrint) does in cv::convertScaleAbs, for 0 <= x < 2^22: adding
// and subtracting 1.5 * 2^23 rounds x in the default round-to-nearest-even mode. Plain float
// arithmetic (no libm call), so the loops around it vectorise. Needs IEEE semantics: never build
// this file with -ffast-math, which would fold the two operations away.
inline int RoundHalfEven(float x) {
  constexpr float kMagic = 12582912.0f;
  return static_cast<int>((x + kMagic) - kMagic);
}

inline int RoundToU8(float x) {
  return std::min(RoundHalfEven(x), 255);
}

// The per-pixel work of one frame after warm-up, fused in one pass over the motion image.
// Built with dynamic vectoriser costs (the project builds at -O2, whose cost model refuses
// loops with a scalar epilogue) and cloned for AVX2, chosen at load time. CPUs with AVX-512 take
// FusedDeltaPassAvx512 instead, which computes the same.
CORVETTE_TARGET_CLONES("avx2", "default")
__attribute__((optimize("tree-vectorize", "vect-cost-model=dynamic"))) int FusedDeltaPass(
    int n, const uint8_t* __restrict resized, const uint8_t* __restrict mask_or,
    const float* __restrict avg_frame, float* __restrict avg_frame_next,
    float* __restrict avg_delta, uint8_t* __restrict thresh, int threshold_floor, float delta_alpha,
    float frame_alpha) {
  const float delta_beta = 1.0f - delta_alpha;
  const float frame_beta = 1.0f - frame_alpha;
  int over = 0;
  for (int i = 0; i < n; ++i) {
    const int pixel = resized[i] | mask_or[i];
    const float background = avg_frame[i];
    int delta = pixel - RoundToU8(background);
    delta = delta < 0 ? -delta : delta;
    const float running_delta = avg_delta[i] * delta_beta + static_cast<float>(delta) * delta_alpha;
    avg_delta[i] = running_delta;
    const bool moving = (delta > threshold_floor) & (RoundToU8(running_delta) > threshold_floor);
    thresh[i] = moving ? 255 : 0;
    over += moving;
    avg_frame_next[i] = background * frame_beta + static_cast<float>(pixel) * frame_alpha;
  }
  return over;
}

// GCC 12 warns that the AVX-512 intrinsics' own "undefined" pass-through vectors may be used
// uninitialized once inlined (a false positive).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// RoundToU8 of 16 floats.
__attribute__((target("avx512f,avx512bw,avx512vl"))) inline __m512i RoundToU8x16(__m512 x,
                                                                                 __m512 magic,
                                                                                 __m512i max_u8) {
  return _mm512_min_epi32(_mm512_cvttps_epi32(_mm512_sub_ps(_mm512_add_ps(x, magic), magic)),
                          max_u8);
}

// FusedDeltaPass 16 pixels at a time with AVX-512 (GCC's own AVX-512 code for the loop above is
// 256 bits wide and slower than its AVX2 code). The same float operations in the same order, no
// fused multiply-add, the same rounding: bit for bit the same averages, thresholds and count.
__attribute__((target("avx512f,avx512bw,avx512vl"))) int FusedDeltaPassAvx512(
    int n, const uint8_t* __restrict resized, const uint8_t* __restrict mask_or,
    const float* __restrict avg_frame, float* __restrict avg_frame_next,
    float* __restrict avg_delta, uint8_t* __restrict thresh, int threshold_floor, float delta_alpha,
    float frame_alpha) {
  const __m512 magic = _mm512_set1_ps(12582912.0f);
  const __m512i max_u8 = _mm512_set1_epi32(255);
  const __m512i floor = _mm512_set1_epi32(threshold_floor);
  const __m512 d_alpha = _mm512_set1_ps(delta_alpha);
  const __m512 d_beta = _mm512_set1_ps(1.0f - delta_alpha);
  const __m512 f_alpha = _mm512_set1_ps(frame_alpha);
  const __m512 f_beta = _mm512_set1_ps(1.0f - frame_alpha);
  int over = 0;
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m128i bytes =
        _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(resized + i)),
                     _mm_loadu_si128(reinterpret_cast<const __m128i*>(mask_or + i)));
    const __m512i pixel = _mm512_cvtepu8_epi32(bytes);
    const __m512 background = _mm512_loadu_ps(avg_frame + i);
    const __m512i delta =
        _mm512_abs_epi32(_mm512_sub_epi32(pixel, RoundToU8x16(background, magic, max_u8)));
    const __m512 running = _mm512_add_ps(_mm512_mul_ps(_mm512_loadu_ps(avg_delta + i), d_beta),
                                         _mm512_mul_ps(_mm512_cvtepi32_ps(delta), d_alpha));
    _mm512_storeu_ps(avg_delta + i, running);
    const __mmask16 moving = _mm512_cmpgt_epi32_mask(delta, floor) &
                             _mm512_cmpgt_epi32_mask(RoundToU8x16(running, magic, max_u8), floor);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(thresh + i), _mm_movm_epi8(moving));
    over += __builtin_popcount(moving);
    _mm512_storeu_ps(avg_frame_next + i,
                     _mm512_add_ps(_mm512_mul_ps(background, f_beta),
                                   _mm512_mul_ps(_mm512_cvtepi32_ps(pixel), f_alpha)));
  }
  if (i < n) {
    over += FusedDeltaPass(n - i, resized + i, mask_or + i, avg_frame + i, avg_frame_next + i,
                           avg_delta + i, thresh + i, threshold_floor, delta_alpha, frame_alpha);
  }
  return over;
}
#pragma GCC diagnostic pop

// cv::boundingRect of an 8-bit image of 0s and 255s (the pixels that are 255), found with
// memchr and memrchr, which scan a row many bytes at a time (cv::boundingRect goes pixel by
// pixel).
cv::Rect BoundsOf255(const cv::Mat& image) {
  int top = -1;
  int bottom = -1;
  int left = image.cols;
  int right = -1;
  const auto width = static_cast<size_t>(image.cols);
  for (int y = 0; y < image.rows; ++y) {
    const uint8_t* row = image.ptr<uint8_t>(y);
    const auto* first = static_cast<const uint8_t*>(std::memchr(row, 255, width));
    if (first == nullptr)
      continue;
    const auto* last = static_cast<const uint8_t*>(memrchr(row, 255, width));
    if (top < 0)
      top = y;
    bottom = y;
    left = std::min(left, static_cast<int>(first - row));
    right = std::max(right, static_cast<int>(last - row));
  }
  if (top < 0)
    return {};
  return cv::Rect(left, top, right - left + 1, bottom - top + 1);
}

bool CpuHasAvx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl");
}

CORVETTE_TARGET_CLONES("avx2", "default")
__attribute__((optimize("tree-vectorize", "vect-cost-model=dynamic"))) void BlendBackground(
    int n, const uint8_t* __restrict resized, const uint8_t* __restrict mask_or,
    float* __restrict avg_frame, float frame_alpha) {
  const float frame_beta = 1.0f - frame_alpha;
  for (int i = 0; i < n; ++i) {
    const int pixel = resized[i] | mask_or[i];
    avg_frame[i] = avg_frame[i] * frame_beta + static_cast<float>(pixel) * frame_alpha;
  }
}

}  // namespace

namespace {

MotionOptions Resolved(MotionOptions options, int frame_width, int frame_height) {
  if (frame_width <= 0 || frame_height <= 0) {
    throw std::invalid_argument("MotionDetector: frame size must be positive");
  }
  if (options.frame_height <= 0) {
    options.frame_height = std::max(1, frame_height / 6);
  }
  return options;
}

cv::Size MotionSize(const MotionOptions& resolved, int frame_width, int frame_height) {
  const int motion_height = resolved.frame_height;
  return cv::Size(std::max(1, motion_height * frame_width / frame_height), motion_height);
}

}  // namespace

MotionDetector::MotionDetector(int frame_width, int frame_height, const MotionOptions& options,
                               const cv::Mat& mask)
    : options_(Resolved(options, frame_width, frame_height)),
      frame_size_(frame_width, frame_height),
      motion_size_(MotionSize(options_, frame_width, frame_height)),
      downscale_(frame_size_, motion_size_),
      use_avx512_(CpuHasAvx512()) {
  const int motion_height = motion_size_.height;
  resize_factor_ = static_cast<double>(frame_height) / motion_height;
  // cv::threshold on 8-bit images compares value > floor(threshold).
  threshold_floor_ = cvFloor(options_.threshold);

  const size_t n = motion_size_.area();
  resized_.create(motion_size_, CV_8UC1);
  thresh_.create(motion_size_, CV_8UC1);
  dilated_.create(motion_size_, CV_8UC1);
  mask_or_ = cv::Mat::zeros(motion_size_, CV_8UC1);
  avg_frame_.assign(n, 0.0f);
  avg_frame_next_.assign(n, 0.0f);
  avg_delta_.assign(n, 0.0f);
  boxes_.reserve(16);

  if (!mask.empty()) {
    if (mask.type() != CV_8UC1 || mask.size() != frame_size_) {
      throw std::invalid_argument("MotionDetector: mask must be 8-bit, one channel, frame-sized");
    }
    cv::Mat small;
    cv::resize(mask, small, motion_size_, 0, 0, cv::INTER_LINEAR);
    // Frigate: masked where the resized mask is exactly 0.
    mask_or_.setTo(255, small == 0);
  }
}

const std::vector<MotionBox>& MotionDetector::Detect(const uint8_t* y_plane, int stride) {
  boxes_.clear();
  // cv::resize INTER_LINEAR, bit for bit (motion/linear_downscale.h).
  downscale_.Run(y_plane, stride, resized_.ptr<uint8_t>(), static_cast<int>(resized_.step));
  const int n = static_cast<int>(motion_size_.area());

  if (frame_counter_ < kWarmUpFrames) {
    ++frame_counter_;
    BlendBackground(n, resized_.ptr<uint8_t>(), mask_or_.ptr<uint8_t>(), avg_frame_.data(),
                    static_cast<float>(options_.frame_alpha));
    motion_frame_count_ = 0;
    return boxes_;
  }

  const int over = (use_avx512_ ? FusedDeltaPassAvx512 : FusedDeltaPass)(
      n, resized_.ptr<uint8_t>(), mask_or_.ptr<uint8_t>(), avg_frame_.data(),
      avg_frame_next_.data(), avg_delta_.data(), thresh_.ptr<uint8_t>(), threshold_floor_,
      static_cast<float>(options_.delta_alpha), static_cast<float>(options_.frame_alpha));
  // With no pixel over both thresholds the dilation is empty and there are no contours.
  if (over > 0) {
    FindBoxes();
  }

  bool blend = true;
  if (!boxes_.empty()) {
    ++motion_frame_count_;
    blend = motion_frame_count_ >= kFramesBeforeBackgroundAbsorbsMotion;
  } else {
    motion_frame_count_ = 0;
  }
  if (blend) {
    avg_frame_.swap(avg_frame_next_);
  }
  return boxes_;
}

void MotionDetector::FindBoxes() {
  // Dilate and trace only around the pixels over threshold: everything else is 0 in thresh_, the
  // dilation reaches 2 pixels and contour tracing looks 1 further, so a margin of 3 gives the same
  // contours as the whole image (in the same raster order), shifted back by findContours' offset.
  constexpr int kMargin = 3;
  const cv::Rect over = BoundsOf255(thresh_);
  const cv::Rect roi = cv::Rect(over.x - kMargin, over.y - kMargin, over.width + 2 * kMargin,
                                over.height + 2 * kMargin) &
                       cv::Rect(0, 0, motion_size_.width, motion_size_.height);
  cv::Mat dilated = dilated_(roi);
  // Frigate: cv2.dilate(thresh, None, iterations=2), i.e. the default 3x3 rectangle.
  cv::dilate(thresh_(roi), dilated, cv::Mat(), cv::Point(-1, -1), 2);
  cv::findContours(dilated, contours_, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE, roi.tl());
  for (const auto& contour : contours_) {
    if (cv::contourArea(contour) > options_.contour_area) {
      const cv::Rect r = cv::boundingRect(contour);
      const double rf = resize_factor_;
      boxes_.push_back({static_cast<int>(r.x * rf), static_cast<int>(r.y * rf),
                        static_cast<int>((r.x + r.width) * rf),
                        static_cast<int>((r.y + r.height) * rf)});
    }
  }
}

}  // namespace corvette::motion
