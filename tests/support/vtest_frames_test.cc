#include "vtest_frames.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace corvette::testing {
namespace {

class VtestFramesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!VtestAvailable())
      GTEST_SKIP() << kVtestPath << " (opencv-doc) is missing";
  }
};

TEST_F(VtestFramesTest, I420FramesHaveTheNativeSizeAndTheFootageMoves) {
  const auto frames = ReadVtestI420(100, 2);
  ASSERT_EQ(frames.size(), 2u);
  for (const auto& frame : frames)
    EXPECT_EQ(frame.size(), static_cast<size_t>(kVtestWidth * kVtestHeight * 3 / 2));
  EXPECT_NE(frames[0], frames[1]);  // people walk between two frames
}

TEST_F(VtestFramesTest, EveryStepPicksTheSameFramesAsReadingThemOneByOne) {
  const auto every = ReadVtestI420Every(10, 5, 3);
  ASSERT_EQ(every.size(), 3u);
  EXPECT_EQ(every[0], ReadVtestI420(10, 1)[0]);
  EXPECT_EQ(every[2], ReadVtestI420(20, 1)[0]);
}

TEST_F(VtestFramesTest, GreyFramesScaledToTheAskedSize) {
  const auto frames = ReadVtestFrames({.count = 3, .width = 320, .height = 180, .grey = true});
  ASSERT_EQ(frames.size(), 3u);
  for (const auto& frame : frames)
    EXPECT_EQ(frame.size(), 320u * 180u);
}

TEST_F(VtestFramesTest, AskingPastTheEndThrows) {
  EXPECT_THROW(ReadVtestI420(790, 10), std::runtime_error);  // the footage has 795 frames
}

}  // namespace
}  // namespace corvette::testing
