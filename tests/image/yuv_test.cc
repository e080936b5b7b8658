#include "image/yuv.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
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

namespace corvette::image {
namespace {

TEST(YuvTest, RangeMappingEndsAndRoundTrip) {
  I420Image image(4, 2);
  const uint8_t luma[8] = {16, 235, 0, 255, 126, 125, 17, 234};
  std::memcpy(image.y(), luma, 8);
  image.u()[0] = 16;
  image.u()[1] = 240;
  image.v()[0] = 128;
  image.v()[1] = 72;
  I420Image full;
  LimitedToFullRange(image.view(), &full);
  EXPECT_EQ(full.y()[0], 0);
  EXPECT_EQ(full.y()[1], 255);
  EXPECT_EQ(full.y()[2], 0);    // below black clamps
  EXPECT_EQ(full.y()[3], 255);  // above white clamps
  EXPECT_EQ(full.y()[4], 128);  // 110 * 255 / 219 = 128.08
  EXPECT_EQ(full.u()[0], 0);
  EXPECT_EQ(full.u()[1], 255);
  EXPECT_EQ(full.v()[0], 128);
  EXPECT_EQ(full.v()[1], 64);  // (72 - 128) * 255 / 224 + 128 = 64.25
  FullToLimitedRange(&full);
  for (int i = 0; i < 8; ++i) {
    if (luma[i] >= 16 && luma[i] <= 235) {
      EXPECT_NEAR(full.y()[i], luma[i], 1) << i;
    }
  }
}

}  // namespace
}  // namespace corvette::image

namespace corvette::image {
namespace {

TEST(YuvTest, RangeMappingIsExactForEveryValue) {
  I420Image image(256, 2);
  for (int i = 0; i < 512; ++i)
    image.y()[i] = static_cast<uint8_t>(i % 256);
  for (int i = 0; i < 128; ++i) {
    image.u()[i] = static_cast<uint8_t>(i);
    image.v()[i] = static_cast<uint8_t>(i + 128);
  }
  LimitedToFullRange(&image);
  auto expected = [](int v, int offset, double span, int bias) {
    return static_cast<int>(
        std::clamp(std::nearbyint((v - offset) * 255.0 / span + bias), 0.0, 255.0));
  };
  for (int v = 0; v < 256; ++v) {
    EXPECT_EQ(image.y()[v], expected(v, 16, 219, 0)) << "luma " << v;
    const uint8_t chroma = v < 128 ? image.u()[v] : image.v()[v - 128];
    EXPECT_EQ(chroma, expected(v, 128, 224, 128)) << "chroma " << v;
  }
}

}  // namespace
}  // namespace corvette::image

namespace corvette::image {
namespace {

TEST(YuvTest, LargeShrinkAveragesInsteadOfAliasing) {
  // A 1-pixel checkerboard shrunk 3x must become flat grey; bilinear alone samples whole pixels
  // at 3x and would keep a pattern of black and white.
  I420Image image(1280, 720);
  for (int r = 0; r < 720; ++r) {
    for (int c = 0; c < 1280; ++c) {
      image.y()[r * 1280 + c] = ((r + c) % 2) ? 235 : 16;
    }
  }
  std::memset(image.u(), 128, 640 * 360 * 2);
  I420Image small;
  ResizeI420(image.view(), 240, &small);
  ASSERT_EQ(small.width(), 426);
  double lo = 255, hi = 0;
  cv::minMaxLoc(cv::Mat(240, 426, CV_8UC1, small.y()), &lo, &hi);
  EXPECT_GE(lo, 120);
  EXPECT_LE(hi, 131);
}

TEST(YuvTest, NonIntegerShrinkKeepsContent) {
  cv::Mat bgr(576, 768, CV_8UC3, cv::Scalar(0, 0, 0));
  bgr(cv::Rect(384, 0, 384, 576)).setTo(cv::Scalar(255, 255, 255));
  I420Image image;
  BgrToI420(bgr, &image);
  I420Image small;
  ResizeI420(image.view(), 360, &small);
  ASSERT_EQ(small.width(), 480);
  cv::Mat out;
  I420ToBgr(small.view(), &out);
  EXPECT_LE(testing::ColourDistance(out.at<cv::Vec3b>(180, 100), cv::Scalar(0, 0, 0)), 3);
  EXPECT_LE(testing::ColourDistance(out.at<cv::Vec3b>(180, 380), cv::Scalar(255, 255, 255)), 3);
}

}  // namespace
}  // namespace corvette::image
