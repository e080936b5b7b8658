#include "motion/motion_detector.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>
#include <vector>

#include "vtest_frames.h"

namespace corvette::motion {
namespace {

constexpr int kWidth = 1280;
constexpr int kHeight = 720;
constexpr int kBackground = 20;
constexpr int kSquare = 220;

MotionOptions DefaultOptions() {
  MotionOptions o;
  o.frame_height = 120;  // resize factor 6
  return o;
}

cv::Mat Background() {
  return cv::Mat(kHeight, kWidth, CV_8UC1, cv::Scalar(kBackground));
}

cv::Mat WithSquare(const cv::Rect& square) {
  cv::Mat y = Background();
  y(square).setTo(kSquare);
  return y;
}

const std::vector<MotionBox>& Feed(MotionDetector& d, const cv::Mat& y) {
  return d.Detect(y.ptr<uint8_t>(), static_cast<int>(y.step));
}

void WarmUp(MotionDetector& d, const cv::Mat& y) {
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(Feed(d, y).empty());
  }
}

// The box covers the square, and not much more than the dilation and resize can add.
void ExpectBoxAround(const MotionBox& box, const cv::Rect& square, double rf) {
  const int slack = static_cast<int>(4 * rf);
  EXPECT_LE(box.x1, square.x + rf);
  EXPECT_LE(box.y1, square.y + rf);
  EXPECT_GE(box.x2, square.br().x - rf);
  EXPECT_GE(box.y2, square.br().y - rf);
  EXPECT_GE(box.x1, square.x - slack);
  EXPECT_GE(box.y1, square.y - slack);
  EXPECT_LE(box.x2, square.br().x + slack);
  EXPECT_LE(box.y2, square.br().y + slack);
}

TEST(MotionDetectorTest, SizesFollowFrameHeight) {
  MotionDetector d(kWidth, kHeight, DefaultOptions());
  EXPECT_EQ(d.motion_height(), 120);
  EXPECT_EQ(d.motion_width(), 213);
  EXPECT_DOUBLE_EQ(d.resize_factor(), 6.0);

  MotionDetector defaulted(kWidth, kHeight, MotionOptions{});
  EXPECT_EQ(defaulted.motion_height(), 120);  // height // 6
}

TEST(MotionDetectorTest, MovingSquareGivesOneBoxWhereItIs) {
  MotionDetector d(kWidth, kHeight, DefaultOptions());
  WarmUp(d, Background());
  for (int step = 0; step < 8; ++step) {
    const cv::Rect square(300 + 40 * step, 200 + 10 * step, 120, 120);
    const auto& boxes = Feed(d, WithSquare(square));
    ASSERT_EQ(boxes.size(), 1u) << "step " << step;
    ExpectBoxAround(boxes[0], square, d.resize_factor());
  }
}

TEST(MotionDetectorTest, WorksWithPaddedStride) {
  MotionDetector d(kWidth, kHeight, DefaultOptions());
  cv::Mat padded(kHeight, kWidth + 64, CV_8UC1, cv::Scalar(255));
  cv::Mat y = padded(cv::Rect(0, 0, kWidth, kHeight));
  y.setTo(kBackground);
  WarmUp(d, y);
  const cv::Rect square(600, 300, 150, 100);
  y(square).setTo(kSquare);
  const auto& boxes = Feed(d, y);
  ASSERT_EQ(boxes.size(), 1u);
  ExpectBoxAround(boxes[0], square, d.resize_factor());
}

TEST(MotionDetectorTest, TwoSquaresGiveTwoBoxes) {
  MotionDetector d(kWidth, kHeight, DefaultOptions());
  WarmUp(d, Background());
  cv::Mat y = Background();
  y(cv::Rect(100, 100, 100, 100)).setTo(kSquare);
  y(cv::Rect(900, 400, 100, 100)).setTo(kSquare);
  EXPECT_EQ(Feed(d, y).size(), 2u);
}

TEST(MotionDetectorTest, NoiseUnderThresholdGivesNoMotion) {
  MotionDetector d(kWidth, kHeight, DefaultOptions());
  cv::RNG rng(1234);
  cv::Mat y(kHeight, kWidth, CV_8UC1);
  for (int i = 0; i < 120; ++i) {
    rng.fill(y, cv::RNG::UNIFORM, 90, 111);  // 100 +- 10 per pixel, every frame
    EXPECT_TRUE(Feed(d, y).empty()) << "frame " << i;
  }
}

TEST(MotionDetectorTest, SmallChangeUnderContourAreaGivesNoMotion) {
  MotionDetector d(kWidth, kHeight, DefaultOptions());
  WarmUp(d, Background());
  // One motion pixel dilates to 5x5 = area 16 in the motion image: under contour_area 100.
  EXPECT_TRUE(Feed(d, WithSquare(cv::Rect(600, 300, 6, 6))).empty());
}

TEST(MotionDetectorTest, MaskSuppressesMotion) {
  cv::Mat mask(kHeight, kWidth, CV_8UC1, cv::Scalar(255));
  const std::vector<cv::Point> polygon{{200, 100}, {700, 100}, {700, 500}, {200, 500}};
  cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{polygon}, cv::Scalar(0));
  MotionDetector d(kWidth, kHeight, DefaultOptions(), mask);
  WarmUp(d, Background());
  for (int step = 0; step < 5; ++step) {
    // Inside the masked polygon: nothing.
    EXPECT_TRUE(Feed(d, WithSquare(cv::Rect(300 + 30 * step, 200, 120, 120))).empty());
  }
  // The same square outside the mask moves.
  const cv::Rect outside(900, 300, 120, 120);
  const auto& boxes = Feed(d, WithSquare(outside));
  ASSERT_EQ(boxes.size(), 1u);
  ExpectBoxAround(boxes[0], outside, d.resize_factor());
}

TEST(MotionDetectorTest, RejectsMaskOfWrongSize) {
  cv::Mat mask(100, 100, CV_8UC1, cv::Scalar(0));
  EXPECT_THROW(MotionDetector(kWidth, kHeight, DefaultOptions(), mask), std::invalid_argument);
}

TEST(MotionDetectorTest, WarmUpGivesNoMotionForThirtyFrames) {
  MotionDetector d(kWidth, kHeight, DefaultOptions());
  for (int i = 0; i < 30; ++i) {
    // Something large changes on every frame.
    const cv::Mat y = (i % 2) ? WithSquare(cv::Rect(100 + 20 * i, 100, 200, 200)) : Background();
    EXPECT_TRUE(Feed(d, y).empty()) << "frame " << i;
  }
  EXPECT_EQ(Feed(d, WithSquare(cv::Rect(900, 400, 150, 150))).size(), 1u);
}

TEST(MotionDetectorTest, BackgroundAbsorbsStaticObject) {
  MotionDetector d(kWidth, kHeight, DefaultOptions());
  WarmUp(d, Background());
  const cv::Mat parked = WithSquare(cv::Rect(500, 300, 160, 120));
  // The first 10 frames of motion leave the background alone, so the object keeps moving.
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(Feed(d, parked).size(), 1u) << "frame " << i;
  }
  int frames_until_still = -1;
  for (int i = 10; i < 100; ++i) {
    if (Feed(d, parked).empty()) {
      frames_until_still = i;
      break;
    }
  }
  ASSERT_GT(frames_until_still, 10);
  // Once absorbed it stays still.
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(Feed(d, parked).empty());
  }
  // And leaving is motion again.
  EXPECT_EQ(Feed(d, Background()).size(), 1u);
}

// Frigate 0.8's detect() written with the OpenCV calls it uses (float64 averages), as the
// reference the fused implementation must agree with.
class ReferenceDetector {
 public:
  ReferenceDetector(cv::Size frame, const MotionOptions& o, const cv::Mat& mask) : o_(o) {
    size_ = cv::Size(o.frame_height * frame.width / frame.height, o.frame_height);
    rf_ = static_cast<double>(frame.height) / o.frame_height;
    avg_frame_ = cv::Mat::zeros(size_, CV_64F);
    avg_delta_ = cv::Mat::zeros(size_, CV_64F);
    if (!mask.empty()) {
      cv::Mat small;
      cv::resize(mask, small, size_, 0, 0, cv::INTER_LINEAR);
      mask_ = small == 0;
    }
  }
  std::vector<MotionBox> Detect(const cv::Mat& gray) {
    std::vector<MotionBox> boxes;
    cv::Mat resized;
    cv::resize(gray, resized, size_, 0, 0, cv::INTER_LINEAR);
    if (!mask_.empty())
      resized.setTo(255, mask_);
    if (counter_ < 30) {
      ++counter_;
    } else {
      cv::Mat bg, delta, cur, avg_delta_image, thresh;
      cv::convertScaleAbs(avg_frame_, bg);
      cv::absdiff(resized, bg, delta);
      cv::accumulateWeighted(delta, avg_delta_, o_.delta_alpha);
      cv::threshold(delta, cur, o_.threshold, 255, cv::THRESH_BINARY);
      cv::convertScaleAbs(avg_delta_, avg_delta_image);
      cv::bitwise_and(avg_delta_image, cur, avg_delta_image);
      cv::threshold(avg_delta_image, thresh, o_.threshold, 255, cv::THRESH_BINARY);
      cv::dilate(thresh, thresh, cv::Mat(), cv::Point(-1, -1), 2);
      std::vector<std::vector<cv::Point>> contours;
      cv::findContours(thresh, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
      for (const auto& c : contours) {
        if (cv::contourArea(c) > o_.contour_area) {
          const cv::Rect r = cv::boundingRect(c);
          boxes.push_back({int(r.x * rf_), int(r.y * rf_), int((r.x + r.width) * rf_),
                           int((r.y + r.height) * rf_)});
        }
      }
    }
    if (!boxes.empty()) {
      if (++motion_count_ >= 10)
        cv::accumulateWeighted(resized, avg_frame_, o_.frame_alpha);
    } else {
      cv::accumulateWeighted(resized, avg_frame_, o_.frame_alpha);
      motion_count_ = 0;
    }
    return boxes;
  }

 private:
  MotionOptions o_;
  cv::Size size_;
  double rf_;
  cv::Mat avg_frame_, avg_delta_, mask_;
  int counter_ = 0, motion_count_ = 0;
};

TEST(MotionDetectorTest, AgreesWithReferenceOnNoisyScene) {
  MotionOptions o = DefaultOptions();
  o.threshold = 20;
  o.contour_area = 60;
  cv::Mat mask(kHeight, kWidth, CV_8UC1, cv::Scalar(255));
  mask(cv::Rect(0, 0, 400, 150)).setTo(0);
  MotionDetector d(kWidth, kHeight, o, mask);
  ReferenceDetector ref(cv::Size(kWidth, kHeight), o, mask);

  cv::RNG rng(42);
  cv::Mat scene(kHeight, kWidth, CV_8UC1);
  cv::Mat noise(kHeight, kWidth, CV_8UC1);
  int frames_with_motion = 0;
  // Smooth gradient plus noise, with objects wandering and a light level that drifts.
  for (int i = 0; i < 200; ++i) {
    for (int r = 0; r < kHeight; ++r) {
      scene.row(r).setTo(40 + r / 8 + (i / 20) * 3);
    }
    rng.fill(noise, cv::RNG::UNIFORM, 0, 30);
    scene += noise;
    if (i % 50 < 30) {
      cv::circle(scene, cv::Point(100 + 7 * i % 1100, 300 + (i % 50) * 4), 60, cv::Scalar(230), -1);
    }
    if (i % 40 < 20) {
      // Touches the right and bottom edges of the frame.
      cv::rectangle(scene, cv::Rect(1180, 600, 100, 120), cv::Scalar(240), -1);
    }
    if (i > 80) {
      cv::rectangle(scene, cv::Rect(800, 100, 200, 250), cv::Scalar(5), -1);  // parks and stays
    }
    if (i % 30 < 15) {
      cv::rectangle(scene, cv::Rect(20 + i, 20, 150, 80), cv::Scalar(250), -1);  // in the mask
    }
    const auto expected = ref.Detect(scene);
    const auto& actual = d.Detect(scene.ptr<uint8_t>(), static_cast<int>(scene.step));
    ASSERT_EQ(actual, expected) << "frame " << i;
    frames_with_motion += !expected.empty();
  }
  // The scene exercises both outcomes.
  EXPECT_GT(frames_with_motion, 100);
  EXPECT_LT(frames_with_motion, 170);
}

// Real frames (people walking in vtest.avi, scaled to 1280x720): the same boxes as Frigate's
// calls, frame by frame, with the mask and without.
TEST(MotionDetectorTest, AgreesWithReferenceOnVtest) {
  const std::vector<cv::Mat> frames = testing::VtestFrames(kWidth, kHeight, 200);
  if (frames.empty())
    GTEST_SKIP() << "vtest.avi (opencv-doc) or ffmpeg missing";
  ASSERT_EQ(frames.size(), 200u);
  cv::Mat mask(kHeight, kWidth, CV_8UC1, cv::Scalar(255));
  mask(cv::Rect(0, 0, 640, 200)).setTo(0);
  for (const cv::Mat& frame_mask : {cv::Mat(), mask}) {
    MotionOptions o = DefaultOptions();
    MotionDetector d(kWidth, kHeight, o, frame_mask);
    ReferenceDetector ref(cv::Size(kWidth, kHeight), o, frame_mask);
    int frames_with_motion = 0;
    for (size_t i = 0; i < frames.size(); ++i) {
      const auto expected = ref.Detect(frames[i]);
      const auto& actual = d.Detect(frames[i].ptr<uint8_t>(), static_cast<int>(frames[i].step));
      ASSERT_EQ(actual, expected) << "frame " << i << (frame_mask.empty() ? "" : ", masked");
      frames_with_motion += !expected.empty();
    }
    EXPECT_GT(frames_with_motion, 100);  // people walk through the whole clip
  }
}

// The AVX-512 per-pixel pass (taken on CPUs that have it) and the portable one agree frame by
// frame on real frames with motion.
TEST(MotionDetectorTest, Avx512AndPortablePassesGiveTheSameBoxes) {
  const std::vector<cv::Mat> frames = testing::VtestFrames(kWidth, kHeight, 150);
  if (frames.empty())
    GTEST_SKIP() << "vtest.avi (opencv-doc) or ffmpeg missing";
  MotionOptions o = DefaultOptions();
  o.contour_area = 30;
  MotionDetector fast(kWidth, kHeight, o);
  MotionDetector portable(kWidth, kHeight, o);
  portable.UsePortablePassForTesting();
  if (!fast.uses_avx512_pass())
    GTEST_SKIP() << "no AVX-512 on this CPU: both detectors take the portable pass";
  int boxes = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    const auto& expected =
        portable.Detect(frames[i].ptr<uint8_t>(), static_cast<int>(frames[i].step));
    const auto& actual = fast.Detect(frames[i].ptr<uint8_t>(), static_cast<int>(frames[i].step));
    ASSERT_EQ(actual, expected) << "frame " << i;
    boxes += static_cast<int>(expected.size());
  }
  EXPECT_GT(boxes, 150);
}

}  // namespace
}  // namespace corvette::motion
