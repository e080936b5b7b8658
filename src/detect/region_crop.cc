#include "detect/region_crop.h"

#include <fmt/format.h>

#include <algorithm>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

namespace corvette::detect {
namespace {

constexpr uint8_t kBlackY = 16;
constexpr uint8_t kBlackUV = 128;

// Scales the square of side `side` at (x, y) of `plane` into `dst` (bilinear). Pixels of the square
// outside the plane are `fill`. When the square lies inside the plane no copy is made.
void ScalePlane(const cv::Mat& plane, int x, int y, int side, uint8_t fill, cv::Mat* scratch,
                cv::Mat dst) {
  const cv::Rect square(x, y, side, side);
  const cv::Rect inside = square & cv::Rect(0, 0, plane.cols, plane.rows);
  cv::Mat src;
  if (inside == square) {
    src = plane(square);
  } else {
    if (scratch->rows < side || scratch->cols < side)
      scratch->create(side, side, CV_8UC1);
    src = (*scratch)(cv::Rect(0, 0, side, side));
    src.setTo(fill);
    if (!inside.empty()) {
      plane(inside).copyTo(src(cv::Rect(inside.x - x, inside.y - y, inside.width, inside.height)));
    }
  }
  if (side == dst.cols && side == dst.rows) {
    src.copyTo(dst);
  } else {
    cv::resize(src, dst, dst.size(), 0, 0, cv::INTER_LINEAR);
  }
}

}  // namespace

RegionCropper::RegionCropper(int model_size) : model_size_(model_size) {
  if (model_size <= 0 || model_size % 2 != 0) {
    throw std::invalid_argument(fmt::format("model size {} must be even and positive", model_size));
  }
  i420_model_.create(model_size * 3 / 2, model_size, CV_8UC1);
}

void RegionCropper::Crop(const I420View& frame, const PixelBox& region, cv::Mat* rgb) {
  if (frame.width <= 0 || frame.height <= 0 || frame.width % 2 || frame.height % 2) {
    throw std::invalid_argument(
        fmt::format("I420 frame size {}x{} must be even and positive", frame.width, frame.height));
  }
  const int side = region.width() / 4 * 4;
  if (side <= 0) {
    throw std::invalid_argument(
        fmt::format("region ({},{},{},{}) is empty", region.x1, region.y1, region.x2, region.y2));
  }
  const int w = frame.width;
  const int h = frame.height;
  // cv::Mat headers only; never written through.
  const cv::Mat y_plane(h, w, CV_8UC1, const_cast<uint8_t*>(frame.y), frame.y_stride);
  const cv::Mat u_plane(h / 2, w / 2, CV_8UC1, const_cast<uint8_t*>(frame.u), frame.uv_stride);
  const cv::Mat v_plane(h / 2, w / 2, CV_8UC1, const_cast<uint8_t*>(frame.v), frame.uv_stride);

  const int m = model_size_;
  const int half = m / 2;
  uint8_t* out = i420_model_.ptr<uint8_t>();
  cv::Mat y_out(m, m, CV_8UC1, out);
  cv::Mat u_out(half, half, CV_8UC1, out + m * m);
  cv::Mat v_out(half, half, CV_8UC1, out + m * m + half * half);

  // Chroma sample (i, j) covers luma (2i..2i+1, 2j..2j+1): floor division keeps odd origins
  // aligned.
  const auto floor_half = [](int v) { return v >= 0 ? v / 2 : -((1 - v) / 2); };
  ScalePlane(y_plane, region.x1, region.y1, side, kBlackY, &square_, y_out);
  ScalePlane(u_plane, floor_half(region.x1), floor_half(region.y1), side / 2, kBlackUV, &square_,
             u_out);
  ScalePlane(v_plane, floor_half(region.x1), floor_half(region.y1), side / 2, kBlackUV, &square_,
             v_out);

  rgb->create(m, m, CV_8UC3);
  cv::cvtColor(i420_model_, *rgb, cv::COLOR_YUV2RGB_I420);
}

}  // namespace corvette::detect
