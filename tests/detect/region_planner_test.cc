#include "detect/region_planner.h"

#include <gtest/gtest.h>

namespace corvette::detect {
namespace {

TEST(CalculateRegionTest, SpecExamples) {
  EXPECT_EQ(CalculateRegion(1280, 720, {100, 100, 200, 300}, 1.2), (PixelBox{0, 50, 300, 350}));
  EXPECT_EQ(CalculateRegion(1280, 720, {1000, 500, 1270, 710}, 2.0),
            (PixelBox{744, 184, 1280, 720}));
  EXPECT_EQ(CalculateRegion(1280, 720, {400, 200, 700, 650}, 1.0), (PixelBox{326, 201, 774, 649}));
  EXPECT_EQ(CalculateRegion(640, 360, {0, 0, 640, 360}, 1.2), (PixelBox{0, 0, 768, 768}));
}

TEST(CalculateRegionTest, SmallBoxesGetTheMinimumSide) {
  const PixelBox r = CalculateRegion(1280, 720, {600, 300, 610, 310}, 2.0);
  EXPECT_EQ(r.width(), 300);
  EXPECT_EQ(r.height(), 300);
  EXPECT_EQ(r, (PixelBox{455, 155, 755, 455}));
}

TEST(RegionPlannerTest, IntersectsCountsTouching) {
  EXPECT_TRUE(Intersects({0, 0, 10, 10}, {10, 10, 20, 20}));
  EXPECT_FALSE(Intersects({0, 0, 10, 10}, {11, 0, 20, 10}));
  EXPECT_FALSE(Intersects({0, 0, 10, 10}, {0, 11, 10, 20}));
}

TEST(RegionPlannerTest, NoMotionNoRegions) {
  const std::vector<PixelBox> tracked = {{100, 100, 200, 200}};
  EXPECT_TRUE(PlanRegions(1280, 720, {}, tracked).empty());
}

TEST(RegionPlannerTest, EveryMotionBoxLiesInSomeRegion) {
  const std::vector<std::vector<PixelBox>> cases = {
      {{10, 10, 50, 80}},
      {{0, 0, 1280, 720}},
      {{100, 100, 403, 403}},  // a side not a multiple of 4
      {{10, 10, 50, 80}, {1200, 600, 1279, 719}, {600, 300, 700, 500}},
      {{100, 100, 200, 200}, {190, 190, 300, 260}, {250, 100, 500, 200}, {900, 50, 1000, 80}},
      {{0, 600, 1279, 719}, {1270, 0, 1279, 719}},
  };
  for (const auto& motion : cases) {
    const auto regions = PlanRegions(1280, 720, motion, {});
    ASSERT_FALSE(regions.empty());
    for (const auto& m : motion) {
      bool covered = false;
      for (const auto& r : regions)
        covered = covered || Contains(r, m);
      EXPECT_TRUE(covered) << "motion box " << m.x1 << "," << m.y1 << "," << m.x2 << "," << m.y2;
    }
    for (const auto& r : regions) {
      EXPECT_EQ(r.width(), r.height());
      EXPECT_GE(r.width(), 300);
    }
  }
}

TEST(RegionPlannerTest, FarApartMotionGivesSeparateRegionsAndCloseMotionOne) {
  const std::vector<PixelBox> far = {{10, 10, 50, 80}, {1000, 500, 1040, 580}};
  EXPECT_EQ(PlanRegions(1280, 720, far, {}).size(), 2u);
  const std::vector<PixelBox> close = {{100, 100, 140, 180}, {150, 100, 190, 180}};
  EXPECT_EQ(PlanRegions(1280, 720, close, {}).size(), 1u);
}

TEST(RegionPlannerTest, TrackedBoxesTouchingMotionWidenTheRegion) {
  const std::vector<PixelBox> motion = {{500, 300, 520, 320}};
  const std::vector<PixelBox> tracked = {{400, 200, 520, 560}, {0, 0, 50, 50}};
  const auto touching = TrackedBoxesTouchingMotion(tracked, motion);
  ASSERT_EQ(touching.size(), 1u);
  EXPECT_EQ(touching[0], tracked[0]);
  const auto regions = PlanRegions(1280, 720, motion, tracked);
  ASSERT_EQ(regions.size(), 1u);
  EXPECT_TRUE(Contains(regions[0], tracked[0]));
  EXPECT_FALSE(Contains(regions[0], tracked[1]));
}

TEST(RegionPlannerTest, RegionsMergeOnlyWhileEveryTrackedObjectStaysLargeEnoughForTheModel) {
  // Two tracked walkers 150 px tall, 500 px apart, moving: Frigate's plan gives a 300-px region
  // each.
  const std::vector<PixelBox> walkers = {{200, 300, 260, 450}, {700, 300, 760, 450}};
  const std::vector<PixelBox> legs = {{200, 400, 260, 450}, {700, 400, 760, 450}};
  ASSERT_EQ(PlanRegions(1280, 720, legs, walkers).size(), 2u);
  // One region around both is 1.2 x 560 = 672 px: at a 320 model a 150-px walker becomes 71 px.
  const RegionPlan plan{.model_size = 320, .min_object_pixels = 64};
  EXPECT_EQ(LargestRegionSide(walkers[0], plan), 750);
  const auto merged = PlanRegions(1280, 720, legs, walkers, plan);
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_TRUE(Contains(merged[0], walkers[0]));
  EXPECT_TRUE(Contains(merged[0], walkers[1]));
  EXPECT_LE(merged[0].width(), 750);
  // Asking for 80 model pixels allows 600-px regions: they stay apart.
  EXPECT_EQ(
      PlanRegions(1280, 720, legs, walkers, {.model_size = 320, .min_object_pixels = 80}).size(),
      2u);
  // A small walker (40 px, far away) keeps its region at full resolution.
  const std::vector<PixelBox> with_small = {{200, 300, 260, 450}, {700, 410, 716, 450}};
  EXPECT_EQ(PlanRegions(1280, 720, legs, with_small, plan).size(), 2u);
}

TEST(RegionPlannerTest, MotionOfSomethingNotYetTrackedIsNotScaledDown) {
  // The same two walkers before the tracker knows them: their size is unknown (a motion box is not
  // the object), so their regions stay at most the model's input size and do not merge.
  const std::vector<PixelBox> walkers = {{200, 300, 260, 450}, {700, 300, 760, 450}};
  const RegionPlan plan{.model_size = 320, .min_object_pixels = 32};
  EXPECT_EQ(PlanRegions(1280, 720, walkers, {}, plan).size(), 2u);
  // Once one of them is tracked, the other's region still limits the merge.
  const std::vector<PixelBox> one_tracked = {walkers[0]};
  EXPECT_EQ(PlanRegions(1280, 720, walkers, one_tracked, plan).size(), 2u);
  // Both tracked: one region.
  EXPECT_EQ(PlanRegions(1280, 720, walkers, walkers, plan).size(), 1u);
}

TEST(RegionPlannerTest, MergedRegionsStillHoldEveryMotionBox) {
  const RegionPlan plan{.model_size = 320, .min_object_pixels = 32};
  const std::vector<std::vector<PixelBox>> cases = {
      {{10, 10, 110, 210}, {1100, 500, 1200, 700}, {600, 300, 700, 500}},
      {{0, 0, 100, 200}, {1179, 519, 1279, 719}},
      {{100, 100, 200, 300}, {300, 100, 400, 300}, {500, 100, 600, 300}, {700, 100, 800, 300}},
  };
  for (const auto& motion : cases) {
    // Every moving thing tracked, so the plan may merge.
    const auto regions = PlanRegions(1280, 720, motion, motion, plan);
    EXPECT_LT(regions.size(), PlanRegions(1280, 720, motion, motion).size());
    for (const auto& m : motion) {
      bool covered = false;
      for (const auto& r : regions)
        covered = covered || Contains(r, m);
      EXPECT_TRUE(covered) << "motion box " << m.x1 << "," << m.y1 << "," << m.x2 << "," << m.y2;
    }
  }
}

Detection Det(const std::string& label, float score, PixelBox box, PixelBox region) {
  Detection d;
  d.label = label;
  d.score = score;
  d.box = box;
  d.area = box.area();
  d.region = region;
  return d;
}

TEST(ClippedTest, BoxAtAnInnerRegionEdgeIsClipped) {
  const PixelBox region{100, 100, 400, 400};
  EXPECT_FALSE(IsClipped(Det("person", 0.9f, {150, 150, 250, 350}, region), 1280, 720));
  EXPECT_TRUE(IsClipped(Det("person", 0.9f, {105, 150, 250, 350}, region), 1280, 720));
  EXPECT_TRUE(IsClipped(Det("person", 0.9f, {150, 104, 250, 350}, region), 1280, 720));
  EXPECT_TRUE(IsClipped(Det("person", 0.9f, {150, 150, 395, 350}, region), 1280, 720));
  EXPECT_TRUE(IsClipped(Det("person", 0.9f, {150, 150, 250, 396}, region), 1280, 720));
  EXPECT_FALSE(IsClipped(Det("person", 0.9f, {150, 150, 250, 394}, region), 1280, 720));
}

TEST(ClippedTest, RegionEdgesAtTheFrameEdgeDoNotClip) {
  // Region touches the left and top of the frame (x1, y1 <= 5) and the right/bottom (within 5 px).
  const PixelBox region{0, 0, 300, 300};
  EXPECT_FALSE(IsClipped(Det("person", 0.9f, {0, 0, 100, 100}, region), 1280, 720));
  const PixelBox corner{980, 420, 1280, 720};
  EXPECT_FALSE(IsClipped(Det("person", 0.9f, {1100, 600, 1280, 720}, corner), 1280, 720));
  EXPECT_TRUE(IsClipped(Det("person", 0.9f, {980, 600, 1100, 720}, corner), 1280, 720));
}

TEST(RefineTest, ClippedDetectionIsReplacedByTheDetectionsOfAWiderRegion) {
  const PixelBox region{100, 100, 400, 400};
  std::vector<Detection> dets = {Det("person", 0.8f, {300, 150, 399, 350}, region),
                                 Det("car", 0.7f, {150, 150, 250, 250}, region)};
  std::vector<PixelBox> asked;
  auto detect = [&](const PixelBox& r) {
    asked.push_back(r);
    return std::vector<Detection>{Det("person", 0.85f, {300, 150, 450, 350}, r)};
  };
  std::vector<PixelBox> regions = {region};
  const auto refined = RefineClippedDetections(dets, 1280, 720, detect, &regions);
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0], CalculateRegion(1280, 720, {300, 150, 399, 350}, 2.0));
  ASSERT_EQ(regions.size(), 2u);
  EXPECT_EQ(regions[1], asked[0]);
  ASSERT_EQ(refined.size(), 2u);
  EXPECT_EQ(refined[0].label, "person");  // highest score first after the last round's NMS
  EXPECT_EQ(refined[0].box, (PixelBox{300, 150, 450, 350}));
  EXPECT_EQ(refined[0].region, asked[0]);
  EXPECT_EQ(refined[1].label, "car");
}

TEST(RefineTest, StopsAfterFourRounds) {
  int calls = 0;
  // Every answer is clipped again (at the left edge of its region).
  auto detect = [&](const PixelBox& r) {
    ++calls;
    return std::vector<Detection>{
        Det("person", 0.9f, {r.x1 + 1, r.y1 + 50, r.x1 + 60, r.y1 + 150}, r)};
  };
  const PixelBox region{400, 200, 700, 500};
  std::vector<Detection> dets = {Det("person", 0.9f, {401, 250, 460, 350}, region)};
  const auto refined = RefineClippedDetections(dets, 1280, 720, detect, nullptr);
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(refined.size(), 1u);
}

TEST(RefineTest, NmsPerLabelHasNoScoreThreshold) {
  const PixelBox region{0, 0, 300, 300};
  std::vector<Detection> dets = {Det("person", 0.45f, {50, 50, 100, 150}, region),
                                 Det("person", 0.42f, {52, 50, 102, 150}, region),
                                 Det("dog", 0.41f, {50, 50, 100, 150}, region)};
  const auto kept = NmsPerLabel(dets, 0.4f);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_FLOAT_EQ(kept[0].score, 0.45f);
  EXPECT_EQ(kept[1].label, "dog");
}

TEST(DetectionsTouchingMotionOrTrackedTest, KeepsDetectionsTouchingMotionOrATrackedBox) {
  const PixelBox region{0, 0, 300, 300};
  std::vector<Detection> dets = {Det("person", 0.9f, {10, 10, 50, 100}, region),
                                 Det("person", 0.9f, {200, 10, 250, 100}, region),
                                 Det("person", 0.9f, {120, 150, 160, 250}, region)};
  const std::vector<PixelBox> motion = {{50, 100, 60, 110}};
  const auto kept = DetectionsTouchingMotionOrTracked(dets, motion, {});
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].box.x1, 10);
  // A still person already tracked where the detector found one is kept; nothing else is.
  const std::vector<PixelBox> tracked = {{205, 12, 248, 98}};
  const auto with_tracked = DetectionsTouchingMotionOrTracked(dets, motion, tracked);
  ASSERT_EQ(with_tracked.size(), 2u);
  EXPECT_EQ(with_tracked[0].box.x1, 10);
  EXPECT_EQ(with_tracked[1].box.x1, 200);
}

}  // namespace
}  // namespace corvette::detect
