#include "detect/nms.h"

#include <gtest/gtest.h>

namespace corvette::detect {
namespace {

ModelDetection Det(int cls, float score, float x1, float y1, float x2, float y2) {
  return {cls, score, x1, y1, x2, y2};
}

TEST(NmsTest, IntersectionOverUnion) {
  EXPECT_FLOAT_EQ(IntersectionOverUnion(Det(0, 1, 0, 0, 10, 10), Det(0, 1, 0, 0, 10, 10)), 1.0f);
  EXPECT_FLOAT_EQ(IntersectionOverUnion(Det(0, 1, 0, 0, 10, 10), Det(0, 1, 5, 0, 15, 10)),
                  50.0f / 150.0f);
  EXPECT_FLOAT_EQ(IntersectionOverUnion(Det(0, 1, 0, 0, 10, 10), Det(0, 1, 10, 0, 20, 10)), 0.0f);
  EXPECT_FLOAT_EQ(IntersectionOverUnion(Det(0, 1, 0, 0, 0, 0), Det(0, 1, 0, 0, 0, 0)), 0.0f);
}

TEST(NmsTest, OverlappingBoxesOfOneClassKeepTheBest) {
  std::vector<ModelDetection> d = {Det(0, 0.6f, 0, 0, 10, 10), Det(0, 0.9f, 1, 0, 11, 10),
                                   Det(0, 0.7f, 50, 50, 60, 60)};
  PerClassNms(&d, 0.5f);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_FLOAT_EQ(d[0].score, 0.9f);
  EXPECT_FLOAT_EQ(d[1].score, 0.7f);
}

TEST(NmsTest, OtherClassesDoNotSuppress) {
  std::vector<ModelDetection> d = {Det(0, 0.6f, 0, 0, 10, 10), Det(2, 0.9f, 0, 0, 10, 10)};
  PerClassNms(&d, 0.5f);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].class_id, 2);
  EXPECT_EQ(d[1].class_id, 0);
}

TEST(NmsTest, OverlapAtTheThresholdIsKept) {
  // IoU exactly 1/3 with threshold 1/3: not above it, so both stay.
  std::vector<ModelDetection> d = {Det(0, 0.9f, 0, 0, 10, 10), Det(0, 0.8f, 5, 0, 15, 10)};
  PerClassNms(&d, 50.0f / 150.0f);
  EXPECT_EQ(d.size(), 2u);
  PerClassNms(&d, 0.3f);
  EXPECT_EQ(d.size(), 1u);
}

TEST(NmsTest, SuppressedBoxesDoNotSuppressOthers) {
  // b overlaps a (suppressed), c overlaps b but not a: c stays.
  std::vector<ModelDetection> d = {Det(0, 0.9f, 0, 0, 10, 10), Det(0, 0.8f, 3, 0, 13, 10),
                                   Det(0, 0.7f, 8, 0, 18, 10)};
  PerClassNms(&d, 0.4f);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_FLOAT_EQ(d[1].score, 0.7f);
}

}  // namespace
}  // namespace corvette::detect
