#include "detection_chain.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace corvette::testing {
namespace {

TEST(I420FrameTest, CopiesThePictureAndTakesTheFrameTime) {
  std::vector<uint8_t> i420(4 * 2 * 3 / 2);
  for (size_t i = 0; i < i420.size(); ++i)
    i420[i] = static_cast<uint8_t>(i);
  auto frame = I420Frame(i420, 4, 2, 1'600'000'000.5);
  EXPECT_EQ(frame->width(), 4);
  EXPECT_EQ(frame->height(), 2);
  EXPECT_DOUBLE_EQ(frame->frame_time(), 1'600'000'000.5);
  EXPECT_EQ(std::vector<uint8_t>(frame->data(), frame->data() + frame->size_bytes()), i420);
}

TEST(I420FrameTest, BytesOfAnotherSizeAreRefused) {
  EXPECT_THROW(I420Frame(std::vector<uint8_t>(10), 4, 2, 0.0), std::invalid_argument);
}

TEST(TrackerDetectionsTest, EachDetectionKeepsLabelScoreBoxAreaAndRegion) {
  detect::FrameDetectionResult result;
  result.detections.push_back({"person", 0, 0.75f, {10, 20, 30, 60}, 800, {0, 0, 320, 320}});
  result.detections.push_back({"car", 2, 0.5f, {100, 100, 200, 150}, 5000, {64, 0, 384, 320}});
  const std::vector<track::Detection> detections = TrackerDetections(result);
  ASSERT_EQ(detections.size(), 2u);
  EXPECT_EQ(detections[0].label, "person");
  EXPECT_DOUBLE_EQ(detections[0].score, 0.75);
  EXPECT_EQ(detections[0].box, (util::Box{10, 20, 30, 60}));
  EXPECT_EQ(detections[0].area, 800);
  EXPECT_EQ(detections[0].region, (util::Box{0, 0, 320, 320}));
  EXPECT_EQ(detections[1].label, "car");
  EXPECT_EQ(detections[1].region, (util::Box{64, 0, 384, 320}));
}

}  // namespace
}  // namespace corvette::testing
