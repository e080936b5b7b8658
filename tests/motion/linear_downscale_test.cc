#include "motion/linear_downscale.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>
#include <utility>
#include <vector>

#include "vtest_frames.h"

namespace corvette::motion {
namespace {

cv::Mat Downscaled(const LinearDownscale& downscale, const cv::Mat& src, cv::Size dst_size) {
  cv::Mat out(dst_size, CV_8UC1, cv::Scalar(1));
  downscale.Run(src.ptr<uint8_t>(), static_cast<int>(src.step), out.ptr<uint8_t>(),
                static_cast<int>(out.step));
  return out;
}

cv::Mat OpenCvResized(const cv::Mat& src, cv::Size dst_size) {
  cv::Mat out;
  cv::resize(src, out, dst_size, 0, 0, cv::INTER_LINEAR);
  return out;
}

int Differences(const cv::Mat& a, const cv::Mat& b) {
  return cv::countNonZero(a != b);
}

TEST(LinearDownscaleTest, TakesThePermutePathWhereItCanAndCvResizeElsewhere) {
  __builtin_cpu_init();
  const bool vbmi = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                    __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vbmi");
  EXPECT_EQ(LinearDownscale({1280, 720}, {213, 120}).uses_permute_path(), vbmi);
  EXPECT_EQ(LinearDownscale({1920, 1080}, {320, 180}).uses_permute_path(), vbmi);
  EXPECT_EQ(LinearDownscale({3840, 2160}, {100, 56}).uses_permute_path(), vbmi);  // 4 windows
  // OpenCV's area path for exact 2x; too few source pixels; sources too far apart.
  EXPECT_FALSE(LinearDownscale({1280, 720}, {640, 360}).uses_permute_path());
  EXPECT_FALSE(LinearDownscale({1, 720}, {1, 120}).uses_permute_path());
  EXPECT_FALSE(LinearDownscale({3840, 2160}, {80, 45}).uses_permute_path());
}

TEST(LinearDownscaleTest, MatchesCvResizeBitForBitOnRandomImagesOfManySizes) {
  const std::vector<std::pair<cv::Size, cv::Size>> cases = {
      {{1280, 720}, {213, 120}},  {{1280, 720}, {320, 180}}, {{1920, 1080}, {213, 120}},
      {{1920, 1080}, {320, 180}}, {{768, 576}, {133, 100}},  {{640, 480}, {106, 80}},
      {{2560, 1440}, {213, 120}}, {{1281, 721}, {213, 120}}, {{1280, 720}, {1280, 720}},
      {{1280, 720}, {426, 240}},  {{100, 50}, {300, 150}},   {{7, 5}, {3, 2}},
      {{1280, 720}, {640, 360}},  // exact 2x: cv::resize's own area path
      {{3840, 2160}, {100, 56}},  // 4 windows per block
      {{3840, 2160}, {80, 45}},   // beyond 4 windows per block: cv::resize
  };
  cv::RNG rng(11);
  for (const auto& [src_size, dst_size] : cases) {
    const LinearDownscale downscale(src_size, dst_size);
    for (int trial = 0; trial < 4; ++trial) {
      cv::Mat src(src_size, CV_8UC1);
      if (trial == 0) {
        rng.fill(src, cv::RNG::UNIFORM, 0, 256);
      } else if (trial == 1) {
        src.setTo(255);  // the largest sums
      } else if (trial == 2) {
        rng.fill(src, cv::RNG::UNIFORM, 240, 256);
      } else {
        // Sharp edges everywhere: the rounding of every weight shows.
        for (int y = 0; y < src.rows; ++y)
          for (int x = 0; x < src.cols; ++x)
            src.at<uint8_t>(y, x) = ((x / 3 + y / 2) % 2) ? 255 : 0;
      }
      EXPECT_EQ(Differences(Downscaled(downscale, src, dst_size), OpenCvResized(src, dst_size)), 0)
          << src_size << " -> " << dst_size << ", trial " << trial;
    }
  }
}

TEST(LinearDownscaleTest, ReadsThroughAStrideAndOnlyTheImage) {
  // A padded stride, and an image that ends exactly at the end of its allocation (the last row's
  // windows must not read past it).
  const cv::Size src_size(1280, 720);
  const cv::Size dst_size(213, 120);
  cv::RNG rng(3);
  cv::Mat padded(src_size.height, src_size.width + 64, CV_8UC1);
  rng.fill(padded, cv::RNG::UNIFORM, 0, 256);
  const cv::Mat view = padded(cv::Rect(0, 0, src_size.width, src_size.height));
  const LinearDownscale downscale(src_size, dst_size);
  EXPECT_EQ(Differences(Downscaled(downscale, view, dst_size), OpenCvResized(view, dst_size)), 0);
  std::vector<uint8_t> exact(static_cast<size_t>(src_size.area()));
  cv::Mat tight(src_size, CV_8UC1, exact.data());
  rng.fill(tight, cv::RNG::UNIFORM, 0, 256);
  EXPECT_EQ(Differences(Downscaled(downscale, tight, dst_size), OpenCvResized(tight, dst_size)), 0);
}

TEST(LinearDownscaleTest, MatchesCvResizeOnRealFramesOfVtest) {
  const std::vector<cv::Mat> frames = testing::VtestFrames(1280, 720, 120);
  if (frames.empty())
    GTEST_SKIP() << "vtest.avi (opencv-doc) or ffmpeg missing";
  ASSERT_EQ(frames.size(), 120u);
  for (const cv::Size dst_size : {cv::Size(213, 120), cv::Size(320, 180)}) {
    const LinearDownscale downscale(frames[0].size(), dst_size);
    for (size_t i = 0; i < frames.size(); ++i) {
      ASSERT_EQ(Differences(Downscaled(downscale, frames[i], dst_size),
                            OpenCvResized(frames[i], dst_size)),
                0)
          << "frame " << i << " to " << dst_size;
    }
  }
}

TEST(LinearDownscaleTest, RejectsEmptySizes) {
  EXPECT_THROW(LinearDownscale(cv::Size(0, 720), cv::Size(213, 120)), std::invalid_argument);
  EXPECT_THROW(LinearDownscale(cv::Size(1280, 720), cv::Size(213, 0)), std::invalid_argument);
}

}  // namespace
}  // namespace corvette::motion
