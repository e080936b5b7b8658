#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <vector>

namespace corvette::motion {

// cv::resize(src, dst, dst_size, 0, 0, cv::INTER_LINEAR) of an 8-bit single-channel image, bit for
// bit, for one fixed pair of sizes (the motion detector's Y plane to motion image), faster.
//
// It computes what OpenCV 4's fixed-point bilinear path computes: the same coefficient tables
// (11-bit weights rounded from float, edges clamped), each output from two source pixels of two
// source rows, the horizontal sums exact in int32, then the vertical step
// (((b0 * (h0 >> 4)) >> 16) + ((b1 * (h1 >> 4)) >> 16) + 2) >> 2 that OpenCV's SIMD and scalar
// code both use. The speed comes from AVX-512 VBMI: each block of 16 outputs picks its source
// pixel pairs with one byte permute per 128-byte window instead of one load per pixel, and the
// source rows of the next output row are prefetched (at a 6x reduction they are 2 rows of every
// 6, which the hardware prefetcher does not foresee). On a CPU without AVX-512 VBMI, and for size
// pairs it does not cover (an exact 2x reduction, which OpenCV computes as an area average; a
// source 1 pixel wide or high; more than 4 windows per block), Run() is cv::resize itself.
//
// Thread-compatible: Run() only reads the tables, so one object may serve several threads.
class LinearDownscale {
 public:
  LinearDownscale(cv::Size src_size, cv::Size dst_size);

  // `src` points at src_size.height rows of src_size.width bytes, `src_stride` bytes apart; `dst`
  // at dst_size.height rows of dst_size.width bytes, `dst_stride` apart.
  void Run(const uint8_t* src, int src_stride, uint8_t* dst, int dst_stride) const;

  // True when Run() uses the AVX-512 VBMI path on this CPU for these sizes (false: cv::resize).
  bool uses_permute_path() const { return permute_block_ > 0; }

 private:
  void RunPermute(const uint8_t* src, int src_stride, uint8_t* dst, int dst_stride) const;
  void OpenCvResize(const uint8_t* src, int src_stride, uint8_t* dst, int dst_stride) const;

  cv::Size src_size_;
  cv::Size dst_size_;
  // Per output column: the left source pixel and the two weights. Where OpenCV takes one source
  // pixel at full weight (right edge), x is width - 2 with weights (0, 2048): the same integer.
  std::vector<int32_t> x_;
  std::vector<int16_t> x_weights_;  // pairs (a0, a1) per output column, padded to whole blocks
  // Per output row: the two source rows (clamped) and their weights.
  std::vector<int32_t> y0_;
  std::vector<int32_t> y1_;
  std::vector<int32_t> y_weights_;  // pairs (b0, b1) per output row
  // AVX-512 VBMI path: source windows per block of 16 outputs (1, 2 or 4; 0 = cv::resize), and
  // per window its first source byte and load masks (none past a row's end), per block the
  // permute indices (output j's pair at bytes 4j and 4j + 2).
  int permute_block_ = 0;
  std::vector<int32_t> block_base_;
  std::vector<uint8_t> block_index_;       // 64 bytes per block
  std::vector<uint64_t> block_load_mask_;  // 2 per block: bytes [0, 64) and [64, 128)
};

}  // namespace corvette::motion
