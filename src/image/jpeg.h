#pragma once

#include <opencv2/core.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "image/yuv.h"

namespace corvette::image {

// Frigate encodes every JPEG at quality 70.
inline constexpr int kJpegQuality = 70;

// A JPEG could not be encoded or decoded; what() carries TurboJPEG's message.
class JpegError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Encoding and decoding use libjpeg-turbo's accurate integer DCT, as cv::imencode does in
// Frigate (the fast DCT measured no faster here).
//
// All functions here are thread-safe: each thread keeps its own TurboJPEG handles and output
// buffer (thread_local), made on first use, so a call allocates only the returned bytes.

// Encodes an I420 picture straight to a 4:2:0 JPEG, without going through RGB. Limited-range
// input (video frames) is first mapped to JPEG's full range in a per-thread copy; pass
// YuvRange::kFull for planes already mapped (LimitedToFullRange) to skip the copy.
// Throws JpegError.
std::string EncodeI420(const I420View& frame, int quality = kJpegQuality,
                       YuvRange range = YuvRange::kLimited);

// Encodes an 8-bit 3-channel BGR image as a 4:2:0 JPEG. Throws JpegError.
std::string EncodeBgr(const cv::Mat& bgr, int quality = kJpegQuality);

struct JpegSize {
  int width = 0;
  int height = 0;
};

// The size in a JPEG's header. Throws JpegError when the bytes are not a JPEG.
JpegSize ReadJpegSize(std::string_view jpeg);

// Decodes to an 8-bit BGR image. Throws JpegError.
cv::Mat DecodeToBgr(std::string_view jpeg);

// Decodes to I420 in `range` (limited by default, as video frames); the JPEG must be 4:2:0 (as
// everything encoded here). Throws JpegError.
void DecodeToI420(std::string_view jpeg, I420Image* dst, YuvRange range = YuvRange::kLimited);

}  // namespace corvette::image
