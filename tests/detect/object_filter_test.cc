#include "detect/object_filter.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

namespace corvette::detect {
namespace {

Detection Det(const std::string& label, float score, PixelBox box) {
  Detection d;
  d.label = label;
  d.score = score;
  d.box = box;
  d.area = box.area();
  return d;
}

TEST(ObjectFilterTest, OnlyTrackedLabelsPass) {
  ObjectFilter filter({"person"}, {});
  EXPECT_TRUE(filter.Keep(Det("person", 0.6f, {0, 0, 10, 10})));
  EXPECT_FALSE(filter.Keep(Det("car", 0.9f, {0, 0, 10, 10})));
}

TEST(ObjectFilterTest, DefaultsAreFrigates) {
  ObjectFilter filter({"person"}, {});
  EXPECT_FALSE(filter.Keep(Det("person", 0.49f, {0, 0, 10, 10})));
  EXPECT_TRUE(filter.Keep(Det("person", 0.5f, {0, 0, 10, 10})));
  EXPECT_FLOAT_EQ(filter.LowestMinScore(), 0.5f);
}

TEST(ObjectFilterTest, AreaAndScoreLimits) {
  LabelFilter f;
  f.min_area = 100;
  f.max_area = 400;
  f.min_score = 0.3f;
  ObjectFilter filter({"person", "car"}, {{"person", f}});
  EXPECT_FALSE(filter.Keep(Det("person", 0.9f, {0, 0, 9, 10})));   // 90 < 100
  EXPECT_TRUE(filter.Keep(Det("person", 0.9f, {0, 0, 10, 10})));   // 100
  EXPECT_TRUE(filter.Keep(Det("person", 0.9f, {0, 0, 20, 20})));   // 400
  EXPECT_FALSE(filter.Keep(Det("person", 0.9f, {0, 0, 21, 20})));  // 420 > 400
  EXPECT_TRUE(filter.Keep(Det("person", 0.3f, {0, 0, 10, 10})));
  EXPECT_FALSE(filter.Keep(Det("person", 0.29f, {0, 0, 10, 10})));
  EXPECT_FALSE(filter.Keep(Det("car", 0.4f, {0, 0, 10, 10})));  // car has the defaults
  EXPECT_FLOAT_EQ(filter.LowestMinScore(), 0.3f);
}

TEST(ObjectFilterTest, MasksAreTestedAtTheBottomCentre) {
  // 100x100 frame; the bottom half masked (0).
  cv::Mat mask(100, 100, CV_8UC1, cv::Scalar(255));
  mask(cv::Rect(0, 50, 100, 50)).setTo(0);
  ObjectFilter filter({"person"}, {}, mask);
  // Box mostly in the masked half but its bottom centre (30, 40) is not masked: kept.
  EXPECT_TRUE(filter.Keep(Det("person", 0.9f, {20, 0, 40, 40})));
  // Box mostly unmasked but its bottom centre (30, 60) is masked: dropped.
  EXPECT_FALSE(filter.Keep(Det("person", 0.9f, {20, 0, 40, 60})));
  // A box reaching past the frame is tested at the last row / column.
  EXPECT_FALSE(filter.Keep(Det("person", 0.9f, {90, 0, 130, 150})));
}

TEST(ObjectFilterTest, PerLabelMaskAppliesToItsLabelOnly) {
  cv::Mat left_masked(100, 100, CV_8UC1, cv::Scalar(255));
  cv::fillPoly(left_masked,
               std::vector<std::vector<cv::Point>>{{{0, 0}, {50, 0}, {50, 100}, {0, 100}}},
               cv::Scalar(0));
  LabelFilter car;
  car.mask = left_masked;
  ObjectFilter filter({"person", "car"}, {{"car", car}});
  EXPECT_FALSE(filter.Keep(Det("car", 0.9f, {10, 10, 30, 30})));
  EXPECT_TRUE(filter.Keep(Det("car", 0.9f, {60, 10, 80, 30})));
  EXPECT_TRUE(filter.Keep(Det("person", 0.9f, {10, 10, 30, 30})));
}

TEST(ObjectFilterTest, ApplyRemovesRejected) {
  ObjectFilter filter({"person"}, {});
  std::vector<Detection> dets = {Det("person", 0.9f, {0, 0, 10, 10}),
                                 Det("dog", 0.9f, {0, 0, 10, 10}),
                                 Det("person", 0.1f, {0, 0, 10, 10})};
  filter.Apply(&dets);
  ASSERT_EQ(dets.size(), 1u);
  EXPECT_FLOAT_EQ(dets[0].score, 0.9f);
}

}  // namespace
}  // namespace corvette::detect
