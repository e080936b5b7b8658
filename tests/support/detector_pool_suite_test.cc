#include "detector_pool_suite.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "detect/frame_detection.h"
#include "detect/object_filter.h"
#include "vtest_frames.h"

namespace corvette::testing {
namespace {

class DetectorPoolSuiteTest : public DetectorPoolSuite {};

TEST_F(DetectorPoolSuiteTest, ThePoolRunsTheModelAndFindsPeople) {
  auto frame = std::make_shared<const std::vector<uint8_t>>(ReadVtestI420(100, 1)[0]);
  const detect::PixelBox whole[] = {{0, 0, kVtestWidth, kVtestHeight}};
  const detect::FrameDetectionResult result = detect::DetectFrame(
      pool(), detect::ObjectFilter({"person"}, {}), "vtest", frame,
      detect::I420View::Packed(frame->data(), kVtestWidth, kVtestHeight), whole, {});
  EXPECT_EQ(result.failed_calls, 0);
  EXPECT_FALSE(result.detections.empty()) << "people walk in frame 100 of vtest.avi";
}

TEST_F(DetectorPoolSuiteTest, EveryTestOfTheSuiteHasThePoolOfOneCpuDetector) {
  ASSERT_EQ(pool().Stats().size(), 1u);
  EXPECT_EQ(pool().Stats()[0].name, "cpu");
}

}  // namespace
}  // namespace corvette::testing
