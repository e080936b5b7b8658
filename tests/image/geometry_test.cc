#include "image/geometry.h"

#include <gtest/gtest.h>

namespace corvette::image {
namespace {

TEST(CalculateRegionTest, SpecExamples) {
  EXPECT_EQ(CalculateRegion(1280, 720, {100, 100, 200, 300}, 1.2), (Box{0, 50, 300, 350}));
  EXPECT_EQ(CalculateRegion(1280, 720, {1000, 500, 1270, 710}, 2), (Box{744, 184, 1280, 720}));
  EXPECT_EQ(CalculateRegion(1280, 720, {400, 200, 700, 650}, 1.0), (Box{326, 201, 774, 649}));
  EXPECT_EQ(CalculateRegion(640, 360, {0, 0, 640, 360}, 1.2), (Box{0, 0, 768, 768}));
}

TEST(CalculateRegionTest, SmallBoxGetsThreeHundredSquareInsideFrame) {
  const Box r = CalculateRegion(1280, 720, {1270, 710, 1275, 715}, 1.1);
  EXPECT_EQ(r, (Box{980, 420, 1280, 720}));
}

TEST(ClipToFrameTest, ClipsToBounds) {
  EXPECT_EQ(ClipToFrame({0, 0, 768, 768}, 640, 360), (Box{0, 0, 640, 360}));
  EXPECT_EQ(ClipToFrame({-5, 10, 20, 30}, 640, 360), (Box{0, 10, 20, 30}));
}

}  // namespace
}  // namespace corvette::image
