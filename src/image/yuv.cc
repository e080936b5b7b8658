#include "image/yuv.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "util/target_clones.h"

namespace corvette::image {
namespace {

cv::Mat Plane(const uint8_t* data, int width, int height, int stride) {
  return cv::Mat(height, width, CV_8UC1, const_cast<uint8_t*>(data), static_cast<size_t>(stride));
}

void CopyPlane(const uint8_t* src, int src_stride, uint8_t* dst, int dst_stride, int width,
               int height) {
  for (int row = 0; row < height; ++row) {
    std::memcpy(dst + static_cast<size_t>(row) * dst_stride,
                src + static_cast<size_t>(row) * src_stride, static_cast<size_t>(width));
  }
}

// Full range to limited range, for decoded JPEGs (rare): tables.
struct ToLimitedTables {
  uint8_t luma[256];
  uint8_t chroma[256];
  ToLimitedTables() {
    for (int i = 0; i < 256; ++i) {
      luma[i] = cv::saturate_cast<uint8_t>(i * 219.0 / 255.0 + 16.0);
      chroma[i] = cv::saturate_cast<uint8_t>((i - 128) * 224.0 / 255.0 + 128.0);
    }
  }
};

void MapPlaneWithTable(const uint8_t* src, int src_stride, uint8_t* dst, int dst_stride, int width,
                       int height, const uint8_t* table) {
  for (int row = 0; row < height; ++row) {
    const uint8_t* s = src + static_cast<size_t>(row) * src_stride;
    uint8_t* d = dst + static_cast<size_t>(row) * dst_stride;
    for (int x = 0; x < width; ++x) {
      d[x] = table[s[x]];
    }
  }
}

// Limited to full range on every frame encoded: fixed-point arithmetic that vectorises. For all
// 256 inputs it equals (v - offset) * 255 / span + bias rounded half to even and clamped (the
// unit test checks every value). `scale` is 255 / span in 1/65536 units.
CORVETTE_TARGET_CLONES("avx2", "default")
__attribute__((optimize("tree-vectorize", "vect-cost-model=dynamic"))) void ExpandRow(
    const uint8_t* __restrict src, uint8_t* __restrict dst, int width, int offset, int scale,
    int bias) {
  for (int x = 0; x < width; ++x) {
    int v = ((src[x] - offset) * scale + (bias << 16) + 32768) >> 16;
    v = v < 0 ? 0 : v;
    dst[x] = static_cast<uint8_t>(v > 255 ? 255 : v);
  }
}

constexpr int kLumaScale = 76309;    // 255 / 219 * 65536
constexpr int kChromaScale = 74606;  // 255 / 224 * 65536, rounded so every input rounds exactly

void ExpandPlane(const uint8_t* src, int src_stride, uint8_t* dst, int dst_stride, int width,
                 int height, bool luma) {
  for (int row = 0; row < height; ++row) {
    ExpandRow(src + static_cast<size_t>(row) * src_stride,
              dst + static_cast<size_t>(row) * dst_stride, width, luma ? 16 : 128,
              luma ? kLumaScale : kChromaScale, luma ? 0 : 128);
  }
}

void ExpandImage(const I420View& src, I420Image* dst) {
  const int cw = src.chroma_width();
  const int ch = src.chroma_height();
  ExpandPlane(src.y, src.y_stride, dst->y(), src.width, src.width, src.height, true);
  ExpandPlane(src.u, src.uv_stride, dst->u(), cw, cw, ch, false);
  ExpandPlane(src.v, src.uv_stride, dst->v(), cw, cw, ch, false);
}

// Shrinks by halving with area averaging while the plane is at least twice the target (OpenCV's
// SIMD 2x area path), then finishes bilinearly. Plain INTER_AREA at other ratios costs 5-8x
// more than encoding the JPEG (1.3 ms for a 768x576 plane to 360 lines); halving first keeps
// area averaging's freedom from aliasing at large ratios, and bilinear is fine under 2x.
void ResizePlane(const cv::Mat& src, cv::Mat& dst) {
  thread_local cv::Mat halves[2];
  cv::Mat current = src;
  int next = 0;
  while (current.cols % 2 == 0 && current.rows % 2 == 0 && current.cols >= 2 * dst.cols &&
         current.rows >= 2 * dst.rows) {
    const cv::Size half(current.cols / 2, current.rows / 2);
    if (half == dst.size()) {
      cv::resize(current, dst, half, 0, 0, cv::INTER_AREA);
      return;
    }
    cv::resize(current, halves[next], half, 0, 0, cv::INTER_AREA);
    current = halves[next];
    next ^= 1;
  }
  if (current.size() == dst.size()) {
    current.copyTo(dst);
  } else {
    cv::resize(current, dst, dst.size(), 0, 0, cv::INTER_LINEAR);
  }
}

}  // namespace

void LimitedToFullRange(I420Image* image) {
  ExpandImage(image->view(), image);
}

void LimitedToFullRange(const I420View& src, I420Image* dst) {
  dst->Reshape(src.width, src.height);
  ExpandImage(src, dst);
}

void FullToLimitedRange(I420Image* image) {
  static const ToLimitedTables tables;
  const int w = image->width();
  const int h = image->height();
  const int cw = (w + 1) / 2;
  const int ch = (h + 1) / 2;
  MapPlaneWithTable(image->y(), w, image->y(), w, w, h, tables.luma);
  MapPlaneWithTable(image->u(), cw, image->u(), cw, cw, ch, tables.chroma);
  MapPlaneWithTable(image->v(), cw, image->v(), cw, cw, ch, tables.chroma);
}

bool I420View::packed() const {
  const size_t y_size = static_cast<size_t>(width) * height;
  const size_t c_size = static_cast<size_t>(chroma_width()) * chroma_height();
  return y_stride == width && uv_stride == chroma_width() && u == y + y_size && v == u + c_size;
}

I420View I420View::Packed(const uint8_t* data, int width, int height) {
  I420View view;
  view.width = width;
  view.height = height;
  view.y = data;
  view.y_stride = width;
  view.uv_stride = view.chroma_width();
  view.u = data + static_cast<size_t>(width) * height;
  view.v = view.u + static_cast<size_t>(view.chroma_width()) * view.chroma_height();
  return view;
}

void I420Image::Reshape(int width, int height) {
  if (width < 0 || height < 0) {
    throw std::invalid_argument("I420Image: negative size");
  }
  width_ = width;
  height_ = height;
  bytes_.resize(y_size() + 2 * chroma_size());
}

void I420Image::FillBlack() {
  std::memset(bytes_.data(), 16, y_size());
  std::memset(bytes_.data() + y_size(), 128, 2 * chroma_size());
}

int ScaledWidth(int width, int height, int target_height) {
  if (height <= 0) {
    return 2;
  }
  const double exact = static_cast<double>(target_height) * width / height;
  return std::max(2, 2 * static_cast<int>(std::lround(exact / 2.0)));
}

void ResizeI420(const I420View& src, int target_height, I420Image* dst) {
  ResizeI420(src, ScaledWidth(src.width, src.height, target_height), target_height, dst);
}

void ResizeI420(const I420View& src, int width, int height, I420Image* dst) {
  if (width < 1 || height < 1) {
    throw std::invalid_argument("ResizeI420: target size must be positive");
  }
  dst->Reshape(width, height);
  const int cw = (width + 1) / 2;
  const int ch = (height + 1) / 2;
  cv::Mat y_dst = Plane(dst->y(), width, height, width);
  cv::Mat u_dst = Plane(dst->u(), cw, ch, cw);
  cv::Mat v_dst = Plane(dst->v(), cw, ch, cw);
  ResizePlane(Plane(src.y, src.width, src.height, src.y_stride), y_dst);
  ResizePlane(Plane(src.u, src.chroma_width(), src.chroma_height(), src.uv_stride), u_dst);
  ResizePlane(Plane(src.v, src.chroma_width(), src.chroma_height(), src.uv_stride), v_dst);
}

void I420ToBgr(const I420View& src, cv::Mat* bgr) {
  const bool even = src.width % 2 == 0 && src.height % 2 == 0;
  if (even && src.packed()) {
    const cv::Mat yuv(src.height * 3 / 2, src.width, CV_8UC1, const_cast<uint8_t*>(src.y));
    cv::cvtColor(yuv, *bgr, cv::COLOR_YUV2BGR_I420);
    return;
  }
  // Repack (padding odd sizes by repeating the last row/column) and convert that.
  thread_local I420Image packed;
  const int w = src.width + (src.width & 1);
  const int h = src.height + (src.height & 1);
  packed.Reshape(w, h);
  CopyPlane(src.y, src.y_stride, packed.y(), w, src.width, src.height);
  for (int row = 0; row < h; ++row) {
    uint8_t* line = packed.y() + static_cast<size_t>(row) * w;
    if (row >= src.height) {
      std::memcpy(line, line - w, static_cast<size_t>(w));
    } else if (w != src.width) {
      line[w - 1] = line[w - 2];
    }
  }
  CopyPlane(src.u, src.uv_stride, packed.u(), w / 2, w / 2, h / 2);
  CopyPlane(src.v, src.uv_stride, packed.v(), w / 2, w / 2, h / 2);
  const cv::Mat yuv(h * 3 / 2, w, CV_8UC1, packed.y());
  if (w == src.width && h == src.height) {
    cv::cvtColor(yuv, *bgr, cv::COLOR_YUV2BGR_I420);
  } else {
    cv::Mat full;
    cv::cvtColor(yuv, full, cv::COLOR_YUV2BGR_I420);
    full(cv::Rect(0, 0, src.width, src.height)).copyTo(*bgr);
  }
}

Box CropI420(const I420View& src, const Box& box, I420Image* dst) {
  Box c = ClipToFrame(box, src.width, src.height);
  c.x1 &= ~1;
  c.y1 &= ~1;
  c.x2 = std::min(src.width, c.x2 + (c.x2 & 1));
  c.y2 = std::min(src.height, c.y2 + (c.y2 & 1));
  const int w = c.width();
  const int h = c.height();
  dst->Reshape(w, h);
  if (w == 0 || h == 0) {
    return c;
  }
  CopyPlane(src.y + static_cast<size_t>(c.y1) * src.y_stride + c.x1, src.y_stride, dst->y(), w, w,
            h);
  const int cw = (w + 1) / 2;
  const int ch = (h + 1) / 2;
  const size_t chroma_offset = static_cast<size_t>(c.y1 / 2) * src.uv_stride + c.x1 / 2;
  CopyPlane(src.u + chroma_offset, src.uv_stride, dst->u(), cw, cw, ch);
  CopyPlane(src.v + chroma_offset, src.uv_stride, dst->v(), cw, cw, ch);
  return c;
}

void BgrToI420(const cv::Mat& bgr, I420Image* dst) {
  if (bgr.cols % 2 != 0 || bgr.rows % 2 != 0) {
    throw std::invalid_argument("BgrToI420: width and height must be even");
  }
  dst->Reshape(bgr.cols, bgr.rows);
  cv::Mat yuv(bgr.rows * 3 / 2, bgr.cols, CV_8UC1, dst->y());
  cv::cvtColor(bgr, yuv, cv::COLOR_BGR2YUV_I420);
}

}  // namespace corvette::image
