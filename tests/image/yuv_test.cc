#include "image/yuv.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "test_frames.h"

namespace corvette::image {
namespace {

using testing::ColourDistance;
using testing::SolidI420;

TEST(YuvTest, ScaledWidthKeepsAspectAndIsEven) {
  EXPECT_EQ(ScaledWidth(1280, 720, 360), 640);
  EXPECT_EQ(ScaledWidth(768, 576, 360), 480);
  EXPECT_EQ(ScaledWidth(1280, 720, 175), 312);  // 311.1 -> nearest even
  EXPECT_EQ(ScaledWidth(1280, 720, 1), 2);
}

TEST(YuvTest, PackedViewLayout) {
  std::vector<uint8_t> buffer(6 * 4 * 3 / 2);
  const I420View view = I420View::Packed(buffer.data(), 6, 4);
  EXPECT_EQ(view.u, buffer.data() + 24);
  EXPECT_EQ(view.v, buffer.data() + 30);
  EXPECT_EQ(view.uv_stride, 3);
  EXPECT_TRUE(view.packed());
}

TEST(YuvTest, ConvertsToBgrKeepingColour) {
  const cv::Scalar orange(0, 128, 255);
  const I420Image image = SolidI420(64, 48, orange);
  cv::Mat bgr;
  I420ToBgr(image.view(), &bgr);
  ASSERT_EQ(bgr.size(), cv::Size(64, 48));
  EXPECT_LE(ColourDistance(bgr.at<cv::Vec3b>(20, 30), orange), 4);
}

TEST(YuvTest, ConvertsPaddedAndOddSizedViews) {
  // A 7x5 picture with padded rows: left half blue, right half green on the luma plane only
  // would be hard to check; use a solid colour and check every pixel, including the odd edges.
  const cv::Scalar blue(200, 40, 40);
  const I420Image even = SolidI420(8, 6, blue);
  const I420View src = even.view();
  std::vector<uint8_t> y(12 * 5), u(6 * 3), v(6 * 3);
  for (int r = 0; r < 5; ++r)
    std::memcpy(&y[r * 12], src.y + r * 8, 7);
  for (int r = 0; r < 3; ++r) {
    std::memcpy(&u[r * 6], src.u + r * 4, 4);
    std::memcpy(&v[r * 6], src.v + r * 4, 4);
  }
  I420View odd{y.data(), u.data(), v.data(), 12, 6, 7, 5};
  cv::Mat bgr;
  I420ToBgr(odd, &bgr);
  ASSERT_EQ(bgr.size(), cv::Size(7, 5));
  EXPECT_LE(ColourDistance(bgr.at<cv::Vec3b>(4, 6), blue), 4);
  EXPECT_LE(ColourDistance(bgr.at<cv::Vec3b>(0, 0), blue), 4);
}

TEST(YuvTest, ResizeToHeightKeepsAspectAndColour) {
  const cv::Scalar colour(30, 200, 90);
  const I420Image image = SolidI420(1280, 720, colour);
  I420Image small;
  ResizeI420(image.view(), 360, &small);
  EXPECT_EQ(small.width(), 640);
  EXPECT_EQ(small.height(), 360);
  EXPECT_EQ(small.bytes().size(), 640u * 360 * 3 / 2);
  cv::Mat bgr;
  I420ToBgr(small.view(), &bgr);
  EXPECT_LE(ColourDistance(bgr.at<cv::Vec3b>(100, 100), colour), 4);

  I420Image big;
  ResizeI420(image.view(), 1080, &big);
  EXPECT_EQ(big.width(), 1920);
}

TEST(YuvTest, CropCopiesTheRegionAlignedToEven) {
  cv::Mat bgr(100, 200, CV_8UC3, cv::Scalar(0, 0, 0));
  bgr(cv::Rect(50, 20, 40, 30)).setTo(cv::Scalar(255, 255, 255));
  I420Image image;
  BgrToI420(bgr, &image);
  I420Image crop;
  const Box copied = CropI420(image.view(), {51, 21, 89, 49}, &crop);
  EXPECT_EQ(copied, (Box{50, 20, 90, 50}));
  EXPECT_EQ(crop.width(), 40);
  EXPECT_EQ(crop.height(), 30);
  cv::Mat out;
  I420ToBgr(crop.view(), &out);
  EXPECT_GT(cv::mean(out)[0], 240);

  // Clipped to the frame.
  const Box clipped = CropI420(image.view(), {150, 50, 400, 300}, &crop);
  EXPECT_EQ(clipped, (Box{150, 50, 200, 100}));
  EXPECT_EQ(crop.width(), 50);
}

}  // namespace
}  // namespace corvette::image
