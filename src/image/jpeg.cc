#include "image/jpeg.h"

#include <fmt/format.h>
#include <turbojpeg.h>

namespace corvette::image {
namespace {

// One TurboJPEG handle per thread and kind, destroyed with the thread.
class Handle {
 public:
  explicit Handle(bool compress) : handle_(compress ? tjInitCompress() : tjInitDecompress()) {}
  ~Handle() {
    if (handle_ != nullptr) {
      tjDestroy(handle_);
    }
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  tjhandle get(const char* what) {
    if (handle_ == nullptr) {
      throw JpegError(fmt::format("{}: TurboJPEG init failed: {}", what, tjGetErrorStr2(nullptr)));
    }
    return handle_;
  }

 private:
  tjhandle handle_;
};

tjhandle Compressor() {
  thread_local Handle handle(true);
  return handle.get("JPEG encode");
}

tjhandle Decompressor() {
  thread_local Handle handle(false);
  return handle.get("JPEG decode");
}

// The thread's encode buffer, grown by TurboJPEG as needed and reused across calls.
struct OutputBuffer {
  unsigned char* data = nullptr;
  unsigned long size = 0;
  ~OutputBuffer() { tjFree(data); }
};

OutputBuffer& ThreadOutput() {
  thread_local OutputBuffer buffer;
  return buffer;
}

[[noreturn]] void Fail(tjhandle handle, const char* what) {
  throw JpegError(fmt::format("{}: {}", what, tjGetErrorStr2(handle)));
}

const unsigned char* Bytes(std::string_view jpeg) {
  return reinterpret_cast<const unsigned char*>(jpeg.data());
}

}  // namespace

std::string EncodeI420(const I420View& source, int quality, YuvRange range) {
  thread_local I420Image full_range;
  I420View frame = source;
  if (range == YuvRange::kLimited) {
    LimitedToFullRange(source, &full_range);
    frame = full_range.view();
  }
  tjhandle handle = Compressor();
  OutputBuffer& out = ThreadOutput();
  const unsigned char* planes[3] = {frame.y, frame.u, frame.v};
  const int strides[3] = {frame.y_stride, frame.uv_stride, frame.uv_stride};
  unsigned long size = out.size;
  if (tjCompressFromYUVPlanes(handle, planes, frame.width, strides, frame.height, TJSAMP_420,
                              &out.data, &size, quality, 0) != 0) {
    Fail(handle, "JPEG encode (I420)");
  }
  out.size = std::max(out.size, size);
  return std::string(reinterpret_cast<const char*>(out.data), size);
}

std::string EncodeBgr(const cv::Mat& bgr, int quality) {
  if (bgr.type() != CV_8UC3 || bgr.empty()) {
    throw JpegError("JPEG encode (BGR): expected a non-empty 8-bit 3-channel image");
  }
  tjhandle handle = Compressor();
  OutputBuffer& out = ThreadOutput();
  unsigned long size = out.size;
  if (tjCompress2(handle, bgr.data, bgr.cols, static_cast<int>(bgr.step), bgr.rows, TJPF_BGR,
                  &out.data, &size, TJSAMP_420, quality, 0) != 0) {
    Fail(handle, "JPEG encode (BGR)");
  }
  out.size = std::max(out.size, size);
  return std::string(reinterpret_cast<const char*>(out.data), size);
}

JpegSize ReadJpegSize(std::string_view jpeg) {
  tjhandle handle = Decompressor();
  int width = 0, height = 0, subsamp = 0, colorspace = 0;
  if (tjDecompressHeader3(handle, Bytes(jpeg), jpeg.size(), &width, &height, &subsamp,
                          &colorspace) != 0) {
    Fail(handle, "JPEG header");
  }
  return {width, height};
}

cv::Mat DecodeToBgr(std::string_view jpeg) {
  const JpegSize size = ReadJpegSize(jpeg);
  tjhandle handle = Decompressor();
  cv::Mat bgr(size.height, size.width, CV_8UC3);
  if (tjDecompress2(handle, Bytes(jpeg), jpeg.size(), bgr.data, size.width,
                    static_cast<int>(bgr.step), size.height, TJPF_BGR, 0) != 0) {
    Fail(handle, "JPEG decode (BGR)");
  }
  return bgr;
}

void DecodeToI420(std::string_view jpeg, I420Image* dst, YuvRange range) {
  tjhandle handle = Decompressor();
  int width = 0, height = 0, subsamp = 0, colorspace = 0;
  if (tjDecompressHeader3(handle, Bytes(jpeg), jpeg.size(), &width, &height, &subsamp,
                          &colorspace) != 0) {
    Fail(handle, "JPEG header");
  }
  if (subsamp != TJSAMP_420) {
    throw JpegError("JPEG decode (I420): not a 4:2:0 JPEG");
  }
  dst->Reshape(width, height);
  unsigned char* planes[3] = {dst->y(), dst->u(), dst->v()};
  const int cw = (width + 1) / 2;
  int strides[3] = {width, cw, cw};
  if (tjDecompressToYUVPlanes(handle, Bytes(jpeg), jpeg.size(), planes, width, strides, height,
                              0) != 0) {
    Fail(handle, "JPEG decode (I420)");
  }
  if (range == YuvRange::kLimited) {
    FullToLimitedRange(dst);
  }
}

}  // namespace corvette::image
