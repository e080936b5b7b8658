#include "detect/region_crop.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>
#include <stdexcept>
#include <vector>

namespace corvette::detect {
namespace {

// An I420 frame made from an RGB image by OpenCV's own conversion.
std::vector<uint8_t> ToI420(const cv::Mat& rgb) {
  cv::Mat i420;
  cv::cvtColor(rgb, i420, cv::COLOR_RGB2YUV_I420);
  return {i420.datastart, i420.dataend};
}

cv::Vec3b At(const cv::Mat& rgb, int x, int y) {
  return rgb.at<cv::Vec3b>(y, x);
}

void ExpectNear(const cv::Vec3b& got, const cv::Vec3b& want, int tolerance, const char* where) {
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(got[c], want[c], tolerance) << where << " channel " << c;
  }
}

// Left half red, right half blue, 200 wide and 100 high (the spec's test frame shape).
cv::Mat RedBlueFrame(int width, int height) {
  cv::Mat rgb(height, width, CV_8UC3, cv::Scalar(255, 0, 0));
  rgb(cv::Rect(width / 2, 0, width - width / 2, height)).setTo(cv::Scalar(0, 0, 255));
  return rgb;
}

TEST(RegionCropTest, RegionInsideTheFrameKeepsColours) {
  const cv::Mat rgb = RedBlueFrame(400, 300);
  const auto i420 = ToI420(rgb);
  RegionCropper cropper(100);
  cv::Mat out;
  cropper.Crop(I420View::Packed(i420.data(), 400, 300), {100, 50, 300, 250}, &out);
  ASSERT_EQ(out.rows, 100);
  ASSERT_EQ(out.cols, 100);
  ASSERT_EQ(out.type(), CV_8UC3);
  ExpectNear(At(out, 10, 50), {255, 0, 0}, 12, "left");
  ExpectNear(At(out, 90, 50), {0, 0, 255}, 12, "right");
}

TEST(RegionCropTest, RegionBeyondTheFrameIsBlackBottomRight) {
  const cv::Mat rgb(100, 200, CV_8UC3, cv::Scalar(200, 200, 200));
  const auto i420 = ToI420(rgb);
  RegionCropper cropper(200);
  cv::Mat out;
  cropper.Crop(I420View::Packed(i420.data(), 200, 100), {0, 0, 200, 200}, &out);
  ExpectNear(At(out, 10, 10), {200, 200, 200}, 3, "top-left inside");
  ExpectNear(At(out, 190, 190), {0, 0, 0}, 1, "bottom-right outside");
  ExpectNear(At(out, 100, 150), {0, 0, 0}, 1, "bottom outside");
}

TEST(RegionCropTest, RegionPastTheTopLeftCornerIsBlackThere) {
  const cv::Mat rgb(100, 200, CV_8UC3, cv::Scalar(255, 255, 255));
  const auto i420 = ToI420(rgb);
  RegionCropper cropper(100);
  cv::Mat out;
  cropper.Crop(I420View::Packed(i420.data(), 200, 100), {-50, -50, 50, 50}, &out);
  ExpectNear(At(out, 10, 10), {0, 0, 0}, 1, "outside");
  ExpectNear(At(out, 90, 90), {255, 255, 255}, 3, "inside");
}

TEST(RegionCropTest, PortraitFrame) {
  // 100 wide, 200 high: top half green, bottom half red.
  cv::Mat rgb(200, 100, CV_8UC3, cv::Scalar(0, 255, 0));
  rgb(cv::Rect(0, 100, 100, 100)).setTo(cv::Scalar(255, 0, 0));
  const auto i420 = ToI420(rgb);
  RegionCropper cropper(50);
  cv::Mat out;
  cropper.Crop(I420View::Packed(i420.data(), 100, 200), {0, 0, 200, 200}, &out);
  ExpectNear(At(out, 12, 10), {0, 255, 0}, 12, "top inside");
  ExpectNear(At(out, 12, 40), {255, 0, 0}, 12, "bottom inside");
  ExpectNear(At(out, 40, 25), {0, 0, 0}, 1, "right of the frame");
}

TEST(RegionCropTest, ModelSizedRegionIsCopiedPixelForPixel) {
  cv::Mat rgb(64, 64, CV_8UC3);
  cv::randu(rgb, 0, 255);
  cv::GaussianBlur(rgb, rgb, cv::Size(9, 9), 3);  // smooth, so chroma subsampling loses little
  const auto i420 = ToI420(rgb);
  RegionCropper cropper(32);
  cv::Mat out;
  cropper.Crop(I420View::Packed(i420.data(), 64, 64), {16, 16, 48, 48}, &out);
  cv::Mat want;
  cv::Mat full_i420(96, 64, CV_8UC1, const_cast<uint8_t*>(i420.data()));
  cv::cvtColor(full_i420, want, cv::COLOR_YUV2RGB_I420);
  EXPECT_LE(cv::norm(out, want(cv::Rect(16, 16, 32, 32)), cv::NORM_INF), 1.0);
}

TEST(RegionCropTest, ReusesTheOutputBuffer) {
  const cv::Mat rgb = RedBlueFrame(200, 100);
  const auto i420 = ToI420(rgb);
  RegionCropper cropper(64);
  cv::Mat out;
  cropper.Crop(I420View::Packed(i420.data(), 200, 100), {0, 0, 100, 100}, &out);
  const uint8_t* first = out.data;
  cropper.Crop(I420View::Packed(i420.data(), 200, 100), {100, 0, 200, 100}, &out);
  EXPECT_EQ(out.data, first);
}

TEST(RegionCropTest, BadInputsThrow) {
  std::vector<uint8_t> frame(10 * 10 * 3 / 2);
  RegionCropper cropper(32);
  cv::Mat out;
  EXPECT_THROW(cropper.Crop(I420View::Packed(frame.data(), 9, 10), {0, 0, 8, 8}, &out),
               std::invalid_argument);
  EXPECT_THROW(cropper.Crop(I420View::Packed(frame.data(), 10, 10), {0, 0, 2, 2}, &out),
               std::invalid_argument);
  EXPECT_THROW(RegionCropper(31), std::invalid_argument);
}

}  // namespace
}  // namespace corvette::detect
