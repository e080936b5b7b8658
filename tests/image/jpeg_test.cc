#include "image/jpeg.h"

#include <gtest/gtest.h>

#include <thread>

#include "test_frames.h"

namespace corvette::image {
namespace {

using testing::ColourDistance;
using testing::SolidI420;

TEST(JpegTest, I420RoundTripKeepsSizeAndColour) {
  const cv::Scalar colour(40, 180, 220);
  const I420Image image = SolidI420(1280, 720, colour);
  const std::string jpeg = EncodeI420(image.view());
  ASSERT_GT(jpeg.size(), 100u);
  EXPECT_EQ(static_cast<uint8_t>(jpeg[0]), 0xFF);
  EXPECT_EQ(static_cast<uint8_t>(jpeg[1]), 0xD8);
  const JpegSize size = ReadJpegSize(jpeg);
  EXPECT_EQ(size.width, 1280);
  EXPECT_EQ(size.height, 720);

  const cv::Mat bgr = DecodeToBgr(jpeg);
  ASSERT_EQ(bgr.size(), cv::Size(1280, 720));
  EXPECT_LE(ColourDistance(bgr.at<cv::Vec3b>(300, 600), colour), 6);

  I420Image decoded;
  DecodeToI420(jpeg, &decoded);
  EXPECT_EQ(decoded.width(), 1280);
  EXPECT_EQ(decoded.height(), 720);
  EXPECT_NEAR(decoded.y()[1000], image.view().y[1000], 2);
}

TEST(JpegTest, OddSizedI420) {
  const I420Image even = SolidI420(34, 22, cv::Scalar(10, 20, 30));
  I420View odd = even.view();
  odd.width = 33;
  odd.height = 21;
  odd.y_stride = 34;
  odd.uv_stride = 17;
  const JpegSize size = ReadJpegSize(EncodeI420(odd));
  EXPECT_EQ(size.width, 33);
  EXPECT_EQ(size.height, 21);
}

TEST(JpegTest, BgrRoundTrip) {
  cv::Mat bgr(90, 160, CV_8UC3, cv::Scalar(0, 0, 0));
  bgr(cv::Rect(80, 0, 80, 90)).setTo(cv::Scalar(255, 255, 255));
  const cv::Mat back = DecodeToBgr(EncodeBgr(bgr));
  ASSERT_EQ(back.size(), bgr.size());
  EXPECT_LE(ColourDistance(back.at<cv::Vec3b>(45, 20), cv::Scalar(0, 0, 0)), 4);
  EXPECT_LE(ColourDistance(back.at<cv::Vec3b>(45, 140), cv::Scalar(255, 255, 255)), 4);
}

TEST(JpegTest, HigherQualityIsBigger) {
  cv::Mat noise(120, 160, CV_8UC3);
  cv::randu(noise, 0, 255);
  EXPECT_LT(EncodeBgr(noise, 30).size(), EncodeBgr(noise, 90).size());
}

TEST(JpegTest, GarbageThrows) {
  EXPECT_THROW(ReadJpegSize("not a jpeg"), JpegError);
  EXPECT_THROW(DecodeToBgr(std::string(100, 'x')), JpegError);
  EXPECT_THROW(EncodeBgr(cv::Mat()), JpegError);
}

TEST(JpegTest, ThreadsEncodeIndependently) {
  const I420Image image = SolidI420(320, 240, cv::Scalar(1, 2, 3));
  const std::string expected = EncodeI420(image.view());
  std::vector<std::thread> threads;
  std::atomic<int> same{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        same += EncodeI420(image.view()) == expected;
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(same.load(), 80);
}

}  // namespace
}  // namespace corvette::image
