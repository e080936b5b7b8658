#include "motion/linear_downscale.h"

#include <immintrin.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

namespace corvette::motion {
namespace {

// OpenCV's INTER_RESIZE_COEF_BITS: weights are 11-bit fixed point.
constexpr int kWeightOne = 1 << 11;
// The permute path: outputs per block, and source bytes one window (two 64-byte loads) holds.
constexpr int kBlock = 16;
constexpr int kWindowBytes = 128;

// Pulls the source rows of an output row towards the core (they are 2 of every 6 rows at a 6x
// reduction, which the hardware prefetcher does not guess from one row to the next).
inline void PrefetchRow(const uint8_t* row, int width) {
  for (int x = 0; x < width; x += 64)
    __builtin_prefetch(row + x, 0, 3);
  __builtin_prefetch(row + width - 1, 0, 3);
}

bool CpuHasAvx512Vbmi() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vbmi");
}

// GCC 12 warns that the AVX-512 intrinsics' own "undefined" pass-through vectors may be used
// uninitialized once they are inlined here (a false positive).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// One output row on the permute path. For each block of 16 outputs, the source pixel pairs are
// picked from one or more 128-byte windows of each source row by a zero-masking byte permute
// (vpermt2b) straight into 16-bit lanes (output j's pair in bytes 4j and 4j + 2), and multiplied
// by their weights in pairs (vpmaddwd): the exact int32 horizontal sums of OpenCV.
__attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi"))) void PermuteRow(
    const uint8_t* s0, const uint8_t* s1, uint8_t* out, int dst_width, int windows,
    const int32_t* bases, const uint8_t* indices, const uint64_t* load_masks,
    const int16_t* weights, int b0, int b1) {
  const __m512i vb0 = _mm512_set1_epi32(b0);
  const __m512i vb1 = _mm512_set1_epi32(b1);
  const __m512i two = _mm512_set1_epi32(2);
  const __m512i zero = _mm512_setzero_si512();
  constexpr uint64_t kEvenBytes = 0x5555555555555555ULL;
  const int bytes_per_window = 64 / windows;
  const uint64_t window_bytes =
      bytes_per_window == 64 ? ~uint64_t{0} : (uint64_t{1} << bytes_per_window) - 1;
  for (int dx = 0, block = 0; dx < dst_width; dx += kBlock, ++block) {
    const __m512i index = _mm512_loadu_si512(indices + block * 64);
    __m512i pairs0 = zero;
    __m512i pairs1 = zero;
    for (int w = 0; w < windows; ++w) {
      const int slot = block * windows + w;
      const uint8_t* a = s0 + bases[slot];
      const uint8_t* c = s1 + bases[slot];
      const __mmask64 low = load_masks[2 * slot];
      const __mmask64 high = load_masks[2 * slot + 1];
      const __mmask64 mine = (window_bytes << (w * bytes_per_window)) & kEvenBytes;
      pairs0 = _mm512_or_si512(
          pairs0, _mm512_maskz_permutex2var_epi8(mine, _mm512_maskz_loadu_epi8(low, a), index,
                                                 _mm512_maskz_loadu_epi8(high, a + 64)));
      pairs1 = _mm512_or_si512(
          pairs1, _mm512_maskz_permutex2var_epi8(mine, _mm512_maskz_loadu_epi8(low, c), index,
                                                 _mm512_maskz_loadu_epi8(high, c + 64)));
    }
    const __m512i weight = _mm512_loadu_si512(weights + 2 * dx);
    const __m512i h0 = _mm512_madd_epi16(pairs0, weight);
    const __m512i h1 = _mm512_madd_epi16(pairs1, weight);
    const __m512i t0 = _mm512_srai_epi32(_mm512_mullo_epi32(_mm512_srai_epi32(h0, 4), vb0), 16);
    const __m512i t1 = _mm512_srai_epi32(_mm512_mullo_epi32(_mm512_srai_epi32(h1, 4), vb1), 16);
    const __m512i v = _mm512_srai_epi32(_mm512_add_epi32(_mm512_add_epi32(t0, t1), two), 2);
    const __m128i bytes = _mm512_cvtusepi32_epi8(_mm512_max_epi32(v, zero));
    const int count = std::min(kBlock, dst_width - dx);
    _mm_mask_storeu_epi8(out + dx, static_cast<__mmask16>((1u << count) - 1), bytes);
  }
}
#pragma GCC diagnostic pop

}  // namespace

LinearDownscale::LinearDownscale(cv::Size src_size, cv::Size dst_size)
    : src_size_(src_size), dst_size_(dst_size) {
  if (src_size.width <= 0 || src_size.height <= 0 || dst_size.width <= 0 || dst_size.height <= 0) {
    throw std::invalid_argument("LinearDownscale: sizes must be positive");
  }
  const double scale_x = 1.0 / (static_cast<double>(dst_size.width) / src_size.width);
  const double scale_y = 1.0 / (static_cast<double>(dst_size.height) / src_size.height);
  // OpenCV computes an exact 2x reduction as an area average (the same result in its SIMD code,
  // not in all of its scalar code), and a single source column or row has no pairs.
  const int integer_x = cv::saturate_cast<int>(scale_x);
  const int integer_y = cv::saturate_cast<int>(scale_y);
  const bool exact_2x = std::abs(scale_x - integer_x) < DBL_EPSILON &&
                        std::abs(scale_y - integer_y) < DBL_EPSILON && integer_x == 2 &&
                        integer_y == 2;
  if (exact_2x || src_size.width < 2 || src_size.height < 2 || !CpuHasAvx512Vbmi())
    return;  // cv::resize

  const int sw = src_size.width;
  const int dw = dst_size.width;
  x_.resize(dw);
  // Padded to whole blocks with zero weights (outputs past the row's end are not stored).
  const int padded = (dw + kBlock - 1) / kBlock * kBlock;
  x_weights_.assign(2 * static_cast<size_t>(padded), 0);
  for (int dx = 0; dx < dw; ++dx) {
    float fx = static_cast<float>((dx + 0.5) * scale_x - 0.5);
    int sx = cvFloor(fx);
    fx -= static_cast<float>(sx);
    if (sx < 0) {
      fx = 0;
      sx = 0;
    }
    int16_t a0 = cv::saturate_cast<int16_t>((1.f - fx) * kWeightOne);
    int16_t a1 = cv::saturate_cast<int16_t>(fx * kWeightOne);
    if (sx >= sw - 1) {
      // OpenCV: the last pixel times the whole weight.
      sx = sw - 2;
      a0 = 0;
      a1 = kWeightOne;
    }
    x_[dx] = sx;
    x_weights_[2 * dx] = a0;
    x_weights_[2 * dx + 1] = a1;
  }

  const int sh = src_size.height;
  const int dh = dst_size.height;
  y0_.resize(dh);
  y1_.resize(dh);
  y_weights_.resize(2 * static_cast<size_t>(dh));
  for (int dy = 0; dy < dh; ++dy) {
    float fy = static_cast<float>((dy + 0.5) * scale_y - 0.5);
    const int sy = cvFloor(fy);
    fy -= static_cast<float>(sy);
    y0_[dy] = std::clamp(sy, 0, sh - 1);
    y1_[dy] = std::clamp(sy + 1, 0, sh - 1);
    y_weights_[2 * dy] = cv::saturate_cast<int16_t>((1.f - fy) * kWeightOne);
    y_weights_[2 * dy + 1] = cv::saturate_cast<int16_t>(fy * kWeightOne);
  }

  // The fewest windows per block (1, 2 or 4) whose source spans fit in 128 bytes.
  const int blocks = padded / kBlock;
  for (int windows = 1; windows <= 4 && permute_block_ == 0; windows *= 2) {
    const int per_window = kBlock / windows;
    bool fits = true;
    for (int block = 0; block < blocks && fits; ++block) {
      for (int w = 0; w < windows && fits; ++w) {
        const int first = block * kBlock + w * per_window;
        const int last = std::min(first + per_window, dw) - 1;
        if (first < dw)
          fits = x_[last] + 1 - x_[first] < kWindowBytes;
      }
    }
    if (!fits)
      continue;
    permute_block_ = windows;
    block_base_.assign(static_cast<size_t>(blocks) * windows, 0);
    block_load_mask_.assign(2 * static_cast<size_t>(blocks) * windows, 0);
    block_index_.assign(static_cast<size_t>(blocks) * 64, 0);
    for (int block = 0; block < blocks; ++block) {
      for (int w = 0; w < windows; ++w) {
        const int first = block * kBlock + w * per_window;
        const int slot = block * windows + w;
        const int base = first < dw ? x_[first] : 0;
        block_base_[slot] = base;
        // Bytes of the window inside the row; the rest is never loaded (no read past a row,
        // nor past the last row of the image).
        const int inside = std::min(kWindowBytes, sw - base);
        const auto mask_of = [](int n) {
          return n >= 64 ? ~uint64_t{0} : n <= 0 ? uint64_t{0} : (uint64_t{1} << n) - 1;
        };
        block_load_mask_[2 * slot] = mask_of(inside);
        block_load_mask_[2 * slot + 1] = mask_of(inside - 64);
        for (int j = 0; j < per_window; ++j) {
          const int dx = first + j;
          if (dx >= dw)
            break;
          const int at = 4 * (w * per_window + j);
          block_index_[block * 64 + at] = static_cast<uint8_t>(x_[dx] - base);
          block_index_[block * 64 + at + 2] = static_cast<uint8_t>(x_[dx] + 1 - base);
        }
      }
    }
  }
}

void LinearDownscale::Run(const uint8_t* src, int src_stride, uint8_t* dst, int dst_stride) const {
  if (permute_block_ > 0) {
    RunPermute(src, src_stride, dst, dst_stride);
  } else {
    OpenCvResize(src, src_stride, dst, dst_stride);
  }
}

void LinearDownscale::RunPermute(const uint8_t* src, int src_stride, uint8_t* dst,
                                 int dst_stride) const {
  const int dh = dst_size_.height;
  const int sw = src_size_.width;
  PrefetchRow(src + static_cast<ptrdiff_t>(y0_[0]) * src_stride, sw);
  PrefetchRow(src + static_cast<ptrdiff_t>(y1_[0]) * src_stride, sw);
  for (int dy = 0; dy < dh; ++dy) {
    if (dy + 1 < dh) {
      PrefetchRow(src + static_cast<ptrdiff_t>(y0_[dy + 1]) * src_stride, sw);
      PrefetchRow(src + static_cast<ptrdiff_t>(y1_[dy + 1]) * src_stride, sw);
    }
    PermuteRow(src + static_cast<ptrdiff_t>(y0_[dy]) * src_stride,
               src + static_cast<ptrdiff_t>(y1_[dy]) * src_stride,
               dst + static_cast<ptrdiff_t>(dy) * dst_stride, dst_size_.width, permute_block_,
               block_base_.data(), block_index_.data(), block_load_mask_.data(), x_weights_.data(),
               y_weights_[2 * dy], y_weights_[2 * dy + 1]);
  }
}

void LinearDownscale::OpenCvResize(const uint8_t* src, int src_stride, uint8_t* dst,
                                   int dst_stride) const {
  const cv::Mat in(src_size_, CV_8UC1, const_cast<uint8_t*>(src), static_cast<size_t>(src_stride));
  cv::Mat out(dst_size_, CV_8UC1, dst, static_cast<size_t>(dst_stride));
  cv::resize(in, out, dst_size_, 0, 0, cv::INTER_LINEAR);
}

}  // namespace corvette::motion
