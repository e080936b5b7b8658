#include "image/yuv.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

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

struct RangeTables {
  uint8_t luma_to_full[256];
  uint8_t chroma_to_full[256];
  uint8_t luma_to_limited[256];
  uint8_t chroma_to_limited[256];
  RangeTables() {
    for (int i = 0; i < 256; ++i) {
      luma_to_full[i] = cv::saturate_cast<uint8_t>((i - 16) * 255.0 / 219.0);
      chroma_to_full[i] = cv::saturate_cast<uint8_t>((i - 128) * 255.0 / 224.0 + 128.0);
      luma_to_limited[i] = cv::saturate_cast<uint8_t>(i * 219.0 / 255.0 + 16.0);
      chroma_to_limited[i] = cv::saturate_cast<uint8_t>((i - 128) * 224.0 / 255.0 + 128.0);
    }
  }
};

const RangeTables& Tables() {
  static const RangeTables tables;
  return tables;
}

void MapPlane(const uint8_t* src, int src_stride, uint8_t* dst, int dst_stride, int width,
              int height, const uint8_t* table) {
  for (int row = 0; row < height; ++row) {
    const uint8_t* s = src + static_cast<size_t>(row) * src_stride;
    uint8_t* d = dst + static_cast<size_t>(row) * dst_stride;
    for (int x = 0; x < width; ++x) {
      d[x] = table[s[x]];
    }
  }
}

void MapImage(const I420View& src, I420Image* dst, const uint8_t* luma, const uint8_t* chroma) {
  const int cw = src.chroma_width();
  const int ch = src.chroma_height();
  MapPlane(src.y, src.y_stride, dst->y(), src.width, src.width, src.height, luma);
  MapPlane(src.u, src.uv_stride, dst->u(), cw, cw, ch, chroma);
  MapPlane(src.v, src.uv_stride, dst->v(), cw, cw, ch, chroma);
}

}  // namespace

void LimitedToFullRange(I420Image* image) {
  MapImage(image->view(), image, Tables().luma_to_full, Tables().chroma_to_full);
}

void LimitedToFullRange(const I420View& src, I420Image* dst) {
  dst->Reshape(src.width, src.height);
  MapImage(src, dst, Tables().luma_to_full, Tables().chroma_to_full);
}

void FullToLimitedRange(I420Image* image) {
  MapImage(image->view(), image, Tables().luma_to_limited, Tables().chroma_to_limited);
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
  const bool shrinking = height < src.height || width < src.width;
  const int interpolation = shrinking ? cv::INTER_AREA : cv::INTER_LINEAR;
  const cv::Mat y_dst = Plane(dst->y(), width, height, width);
  cv::Mat u_dst = Plane(dst->u(), cw, ch, cw);
  cv::Mat v_dst = Plane(dst->v(), cw, ch, cw);
  cv::resize(Plane(src.y, src.width, src.height, src.y_stride), y_dst, y_dst.size(), 0, 0,
             interpolation);
  cv::resize(Plane(src.u, src.chroma_width(), src.chroma_height(), src.uv_stride), u_dst,
             u_dst.size(), 0, 0, interpolation);
  cv::resize(Plane(src.v, src.chroma_width(), src.chroma_height(), src.uv_stride), v_dst,
             v_dst.size(), 0, 0, interpolation);
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
