// The detection chain on real footage: motion boxes (a plain frame difference standing in for the
// motion module) -> PlanRegions -> DetectorPool (real NanoDet) -> refinement -> ObjectFilter ->
// detections with motion.

#include "detect/frame_detection.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <opencv2/imgproc.hpp>

#include "../support/detector_pool_suite.h"
#include "../support/vtest_frames.h"
#include "detect/detector_pool.h"
#include "detect/object_filter.h"
#include "detect/region_planner.h"

namespace corvette::detect {
namespace {

using testing::kVtestHeight;
using testing::kVtestWidth;
using Frame = std::vector<uint8_t>;

// Boxes around the pixels whose luma changed by more than 25 between two frames.
std::vector<PixelBox> MotionBoxes(const Frame& previous, const Frame& current) {
  const cv::Mat a(kVtestHeight, kVtestWidth, CV_8UC1, const_cast<uint8_t*>(previous.data()));
  const cv::Mat b(kVtestHeight, kVtestWidth, CV_8UC1, const_cast<uint8_t*>(current.data()));
  cv::Mat diff;
  cv::absdiff(a, b, diff);
  cv::threshold(diff, diff, 25, 255, cv::THRESH_BINARY);
  cv::dilate(diff, diff, cv::Mat(), cv::Point(-1, -1), 2);
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(diff, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
  std::vector<PixelBox> boxes;
  for (const auto& c : contours) {
    if (cv::contourArea(c) < 100)
      continue;
    const cv::Rect r = cv::boundingRect(c);
    boxes.push_back({r.x, r.y, r.x + r.width, r.y + r.height});
  }
  return boxes;
}

class FrameDetectionTest : public corvette::testing::DetectorPoolSuite {
 protected:
  // The persons reported for `current`, given the frame before it.
  std::vector<Detection> People(const Frame& previous, const Frame& current,
                                std::vector<PixelBox>* regions_out = nullptr) {
    auto frame = std::make_shared<const Frame>(current);
    const I420View view = I420View::Packed(frame->data(), kVtestWidth, kVtestHeight);
    const auto motion = MotionBoxes(previous, current);
    const ObjectFilter filter({"person", "car", "truck"}, {});
    auto result = DetectFrame(pool(), filter, "vtest", frame, view, motion, {});
    EXPECT_EQ(result.failed_calls, 0);
    EXPECT_GE(result.detector_calls, static_cast<int>(result.regions.size()));
    std::erase_if(result.detections, [](const Detection& d) { return d.label != "person"; });
    if (regions_out != nullptr)
      *regions_out = result.regions;
    return result.detections;
  }
};

TEST_F(FrameDetectionTest, PeopleAreFoundOnMovingFrames) {
  for (int index : {100, 300, 500}) {
    const auto frames = testing::ReadVtestI420Every(index - 2, 2, 2);
    std::vector<PixelBox> regions;
    const auto people = People(frames[0], frames[1], &regions);
    std::printf("frame %d: %zu regions, %zu people\n", index, regions.size(), people.size());
    EXPECT_FALSE(regions.empty()) << "frame " << index;
    EXPECT_GE(people.size(), 3u) << "frame " << index;
    for (const auto& p : people) {
      EXPECT_GE(p.score, 0.5f);
      EXPECT_GE(p.box.x1, 0);
      EXPECT_LE(p.box.x2, kVtestWidth);
      EXPECT_LE(p.box.y2, kVtestHeight);
      // A standing person is taller than wide.
      EXPECT_GT(p.box.height(), p.box.width()) << "frame " << index;
    }
  }
}

TEST_F(FrameDetectionTest, StillSceneWithoutPeopleReportsNone) {
  const Frame background = testing::VtestStillBackground();
  std::vector<PixelBox> regions;
  EXPECT_TRUE(People(background, background, &regions).empty());
  EXPECT_TRUE(regions.empty());  // no motion, no detection at all

  // Even forced through the detector, the empty scene yields no person at Frigate's default
  // min_score.
  auto frame = std::make_shared<const Frame>(background);
  const PixelBox whole[] = {{0, 0, kVtestWidth, kVtestWidth},
                            {0, 0, 300, 300},
                            {300, 0, 600, 300},
                            {468, 0, 768, 300},
                            {0, 276, 300, 576},
                            {300, 276, 600, 576}};
  const ObjectFilter filter({"person"}, {});
  for (const auto& r : pool().DetectRegions(
           "vtest", frame, I420View::Packed(frame->data(), kVtestWidth, kVtestHeight), whole)) {
    ASSERT_TRUE(r.ok) << r.error;
    for (const auto& d : r.detections) {
      EXPECT_FALSE(filter.Keep(d))
          << d.label << " " << d.score << " at " << d.box.x1 << "," << d.box.y1 << " in region "
          << d.region.x1 << "," << d.region.y1;
    }
  }
}

}  // namespace
}  // namespace corvette::detect
