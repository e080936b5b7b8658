#pragma once

#include <opencv2/imgproc.hpp>

#include "image/yuv.h"

namespace corvette::image::testing {

// An I420 picture of one BGR colour (even sizes).
inline I420Image SolidI420(int width, int height, const cv::Scalar& bgr) {
  I420Image image;
  BgrToI420(cv::Mat(height, width, CV_8UC3, bgr), &image);
  return image;
}

// Max per-channel difference between a pixel and a BGR colour.
inline int ColourDistance(const cv::Vec3b& pixel, const cv::Scalar& bgr) {
  int d = 0;
  for (int c = 0; c < 3; ++c) {
    d = std::max(d, std::abs(pixel[c] - static_cast<int>(bgr[c])));
  }
  return d;
}

}  // namespace corvette::image::testing
