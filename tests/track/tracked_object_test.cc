#include "track/tracked_object.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace corvette::track {
namespace {

std::shared_ptr<CameraObjectSettings> Settings() {
  auto s = std::make_shared<CameraObjectSettings>();
  s->frame_width = 1280;
  s->frame_height = 720;
  s->default_threshold = 0.7;
  return s;
}

TrackedRecord Record(double frame_time, double score, Box box = {400, 200, 500, 500},
                     double start_time = -1) {
  TrackedRecord r;
  r.id = "1607123955.475377-mxklsc";
  r.label = "person";
  r.score = score;
  r.box = box;
  r.area = box.area();
  r.region = Box{250, 150, 650, 550};
  r.frame_time = frame_time;
  r.centroid = Centroid(box);
  r.start_time = start_time < 0 ? frame_time : start_time;
  return r;
}

// Feeds scores; a negative score means "not matched on this frame".
TrackedObject Feed(const std::vector<double>& scores,
                   std::shared_ptr<const CameraObjectSettings> settings = Settings()) {
  double t = 100.0;
  TrackedObject object("front", Record(t, scores[0]), settings);
  TrackedRecord last = object.record();
  for (size_t i = 1; i < scores.size(); ++i) {
    t += 1.0;
    if (scores[i] >= 0)
      last = Record(t, scores[i], last.box, 100.0);
    object.Update(t, last);
  }
  return object;
}

TEST(ComputeScoreTest, MedianPaddedWithZeros) {
  EXPECT_DOUBLE_EQ(ComputeScore({0.8, 0.9}), 0.8);
  EXPECT_DOUBLE_EQ(ComputeScore({0.6, 0.0}), 0.0);
  EXPECT_DOUBLE_EQ(ComputeScore({0.7, 0.0, 0.85}), 0.7);
  EXPECT_DOUBLE_EQ(ComputeScore({0.7, 0.0, 0.85, 0.9}), 0.775);
  EXPECT_DOUBLE_EQ(ComputeScore({0.9}), 0.0);
}

TEST(TrackedObjectTest, WorkedExamplesOfSection51) {
  {
    TrackedObject o = Feed({0.8, 0.9});
    EXPECT_DOUBLE_EQ(o.computed_score(), 0.8);
    EXPECT_FALSE(o.false_positive());  // true positive on frame 2
  }
  {
    TrackedObject o = Feed({0.6, -1});
    EXPECT_DOUBLE_EQ(o.computed_score(), 0.0);
    EXPECT_TRUE(o.false_positive());
    EXPECT_EQ(o.score_history(), (std::vector<double>{0.6, 0.0}));
  }
  {
    TrackedObject o = Feed({0.7, -1, 0.85});
    EXPECT_DOUBLE_EQ(o.computed_score(), 0.7);
    EXPECT_FALSE(o.false_positive());  // >= threshold counts
  }
  {
    TrackedObject o = Feed({0.7, -1, 0.85, 0.9});
    EXPECT_DOUBLE_EQ(o.computed_score(), 0.775);
    EXPECT_DOUBLE_EQ(o.top_score(), 0.775);
  }
}

TEST(TrackedObjectTest, FirstFrameDoesNotDecide) {
  TrackedObject o("front", Record(1.0, 0.99), Settings());
  EXPECT_TRUE(o.false_positive());
  EXPECT_DOUBLE_EQ(o.computed_score(), 0.0);
  EXPECT_DOUBLE_EQ(o.top_score(), 0.0);
  EXPECT_FALSE(o.thumbnail().has_value());
  EXPECT_EQ(o.score_history(), (std::vector<double>{0.99}));
}

TEST(TrackedObjectTest, TruePositiveIsForeverAndHistoryKeepsTen) {
  TrackedObject o = Feed({0.8, 0.9, 0.9, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1});
  EXPECT_EQ(o.score_history().size(), 10u);
  EXPECT_DOUBLE_EQ(o.computed_score(), 0.0);
  EXPECT_FALSE(o.false_positive());
  EXPECT_DOUBLE_EQ(o.top_score(), 0.9);
}

TEST(TrackedObjectTest, FramesWhereTheObjectWasNotExaminedDoNotScore) {
  TrackedObject o("front", Record(1.0, 0.8), Settings());
  TrackedRecord still = Record(1.0, 0.8);
  still.examined = false;
  for (int i = 0; i < 20; ++i)
    o.Update(2.0 + i, still);
  EXPECT_EQ(o.score_history(), (std::vector<double>{0.8}));
  EXPECT_TRUE(o.false_positive());
  // Re-checked and found twice: [0.8, 0.8, 0.9] -> 0.8, a true positive.
  o.Update(30.0, Record(30.0, 0.8, {400, 200, 500, 500}, 1.0));
  o.Update(31.0, Record(31.0, 0.9, {400, 200, 500, 500}, 1.0));
  EXPECT_FALSE(o.false_positive());
  // Re-checked and missed: scores 0.
  TrackedRecord missed = Record(31.0, 0.9, {400, 200, 500, 500}, 1.0);
  missed.examined = true;
  o.Update(32.0, missed);
  EXPECT_EQ(o.score_history(), (std::vector<double>{0.8, 0.8, 0.9, 0.0}));
}

TEST(TrackedObjectTest, ThresholdPerLabel) {
  auto settings = Settings();
  settings->thresholds["person"] = 0.85;
  TrackedObject o = Feed({0.8, 0.8, 0.8}, settings);
  EXPECT_TRUE(o.false_positive());
  TrackedObject p = Feed({0.9, 0.9}, settings);
  EXPECT_FALSE(p.false_positive());
}

TEST(IsBetterThumbnailTest, Table) {
  auto td = [](Box box, double score) { return ThumbnailData{0, box, box.area(), box, score}; };
  const Box inner{100, 100, 200, 200};        // area 10000
  const Box larger{100, 100, 206, 200};       // area 10600 (< 1.1x)
  const Box much_larger{100, 100, 212, 200};  // area 11200 (> 1.1x)
  const Box edge{0, 100, 300, 300};
  struct Row {
    ThumbnailData current, candidate;
    bool expected;
  } rows[] = {
      {td(inner, 0.70), td(inner, 0.76), true},        // score + > 0.05
      {td(inner, 0.70), td(inner, 0.75), false},       // exactly +0.05 is not better
      {td(inner, 0.70), td(larger, 0.70), false},      // area +6%
      {td(inner, 0.70), td(much_larger, 0.70), true},  // area +12%
      {td(inner, 0.70), td(edge, 0.99), false},        // touches the edge, current does not
      {td(edge, 0.70), td(edge, 0.80), true},          // both touch: normal rules
      {td(edge, 0.70), td(inner, 0.80), true},         // leaving the edge
      {td(inner, 0.90), td(much_larger, 0.50), true},  // bigger wins even with a lower score
  };
  for (const Row& row : rows) {
    EXPECT_EQ(IsBetterThumbnail(row.current, row.candidate, 1280, 720), row.expected)
        << row.candidate.score << " " << row.candidate.area;
  }
  EXPECT_FALSE(IsBetterThumbnail(td(inner, 0.5), td(Box{10, 10, 1279, 700}, 0.9), 1280, 720));
}

TEST(TrackedObjectTest, ThumbnailOnlyForTruePositives) {
  TrackedObject o("front", Record(1.0, 0.6), Settings());
  EXPECT_FALSE(o.Update(2.0, Record(2.0, 0.6, {400, 200, 500, 500}, 1.0)));
  EXPECT_FALSE(o.Update(3.0, Record(3.0, 0.9, {400, 200, 500, 500}, 1.0)));  // median 0.6
  EXPECT_FALSE(o.thumbnail().has_value());
  EXPECT_TRUE(o.Update(4.0, Record(4.0, 0.9, {400, 200, 500, 500}, 1.0)));  // 0.75: true positive
  ASSERT_TRUE(o.thumbnail().has_value());
  EXPECT_DOUBLE_EQ(o.thumbnail()->frame_time, 4.0);
  EXPECT_EQ(o.thumbnail()->box, (Box{400, 200, 500, 500}));
  EXPECT_EQ(o.thumbnail()->area, 30000);
}

TEST(TrackedObjectTest, ThumbnailFollowsTheBetterFrame) {
  TrackedObject o("front", Record(1.0, 0.8), Settings());
  EXPECT_TRUE(o.Update(2.0, Record(2.0, 0.8, {400, 200, 500, 500}, 1.0)));
  ASSERT_TRUE(o.thumbnail().has_value());
  EXPECT_TRUE(o.thumbnail_from_last_update());
  EXPECT_DOUBLE_EQ(o.thumbnail()->frame_time, 2.0);
  EXPECT_DOUBLE_EQ(o.last_updated(), 2.0);
  // Same quality: no change, not significant.
  EXPECT_FALSE(o.Update(3.0, Record(3.0, 0.81, {400, 200, 500, 500}, 1.0)));
  EXPECT_FALSE(o.thumbnail_from_last_update());
  EXPECT_DOUBLE_EQ(o.thumbnail()->frame_time, 2.0);
  // Clearly higher score: new thumbnail.
  EXPECT_TRUE(o.Update(4.0, Record(4.0, 0.95, {400, 200, 500, 500}, 1.0)));
  EXPECT_DOUBLE_EQ(o.thumbnail()->frame_time, 4.0);
  EXPECT_DOUBLE_EQ(o.thumbnail()->score, 0.95);
  // Not matched on this frame: no thumbnail from it.
  EXPECT_FALSE(o.Update(5.0, Record(4.0, 0.95, {400, 200, 500, 500}, 1.0)));
}

std::shared_ptr<CameraObjectSettings> ZonedSettings() {
  auto s = Settings();
  Zone yard{"yard", {{0, 0}, {640, 0}, {640, 720}, {0, 720}}, {}};
  Zone driveway{"driveway", {{600, 400}, {1280, 400}, {1280, 720}, {600, 720}}, {}};
  driveway.filters["person"] = ZoneFilter{0, 24'000'000, 0.8};
  Zone porch{"porch", {{900, 0}, {1280, 0}, {1280, 300}, {900, 300}}, {}};
  porch.filters["person"] = ZoneFilter{20000, 100000, 0.0};
  porch.filters["car"] = ZoneFilter{0, 1, 0.0};
  s->zones = {yard, driveway, porch};
  return s;
}

Box BoxWithBottomCentre(int x, int y, int w = 100, int h = 200) {
  return Box{x - w / 2, y - h, x + w / 2, y};
}

TEST(TrackedObjectTest, ZonesUseTheBottomCentreWithTheBoundaryInside) {
  auto settings = ZonedSettings();
  TrackedObject o("front", Record(1.0, 0.9, BoxWithBottomCentre(300, 500)), settings);
  o.Update(2.0, Record(2.0, 0.9, BoxWithBottomCentre(300, 500), 1.0));
  EXPECT_EQ(o.current_zones(), (std::vector<std::string>{"yard"}));
  // Bottom centre exactly on the yard's right edge (x = 640) and inside the driveway (filter 0.8 vs
  // computed 0.9 passes).
  o.Update(3.0, Record(3.0, 0.9, BoxWithBottomCentre(640, 500), 1.0));
  EXPECT_EQ(o.current_zones(), (std::vector<std::string>{"yard", "driveway"}));
  o.Update(4.0, Record(4.0, 0.9, BoxWithBottomCentre(900, 600), 1.0));
  EXPECT_EQ(o.current_zones(), (std::vector<std::string>{"driveway"}));
  EXPECT_EQ(o.entered_zones(), (std::vector<std::string>{"yard", "driveway"}));
}

TEST(TrackedObjectTest, ZoneFiltersApplyOnEntryOnly) {
  auto settings = ZonedSettings();
  // Computed score 0.75 < driveway's 0.8 person threshold: not in the driveway.
  TrackedObject o("front", Record(1.0, 0.75, BoxWithBottomCentre(900, 600)), settings);
  o.Update(2.0, Record(2.0, 0.75, BoxWithBottomCentre(900, 600), 1.0));
  o.Update(3.0, Record(3.0, 0.75, BoxWithBottomCentre(900, 600), 1.0));
  EXPECT_TRUE(o.current_zones().empty());
  EXPECT_TRUE(o.entered_zones().empty());
  o.Update(4.0, Record(4.0, 0.95, BoxWithBottomCentre(900, 600), 1.0));
  o.Update(5.0, Record(5.0, 0.95, BoxWithBottomCentre(900, 600), 1.0));
  EXPECT_TRUE(o.current_zones().empty());  // 0.75 x3, 0.95 x2: median 0.75
  o.Update(6.0, Record(6.0, 0.95, BoxWithBottomCentre(900, 600), 1.0));
  EXPECT_DOUBLE_EQ(o.computed_score(), 0.85);
  EXPECT_EQ(o.current_zones(), (std::vector<std::string>{"driveway"}));
  // Once inside, the filter is not applied again while it stays.
  for (int i = 1; i <= 8; ++i)
    o.Update(6.0 + i, Record(6.0 + i, 0.5, BoxWithBottomCentre(900, 600), 1.0));
  EXPECT_LT(o.computed_score(), 0.8);
  EXPECT_EQ(o.current_zones(), (std::vector<std::string>{"driveway"}));
}

TEST(TrackedObjectTest, ZoneAreaFilters) {
  auto settings = ZonedSettings();
  // Porch needs 20000 <= area <= 100000 for a person.
  TrackedObject small("front", Record(1.0, 0.9, BoxWithBottomCentre(1000, 250, 50, 100)), settings);
  small.Update(2.0, Record(2.0, 0.9, BoxWithBottomCentre(1000, 250, 50, 100), 1.0));
  EXPECT_TRUE(small.current_zones().empty());
  TrackedObject fits("front", Record(1.0, 0.9, BoxWithBottomCentre(1000, 250, 100, 200)), settings);
  fits.Update(2.0, Record(2.0, 0.9, BoxWithBottomCentre(1000, 250, 100, 200), 1.0));
  EXPECT_EQ(fits.current_zones(), (std::vector<std::string>{"porch"}));
  TrackedObject big("front", Record(1.0, 0.9, BoxWithBottomCentre(1000, 250, 400, 260)), settings);
  big.Update(2.0, Record(2.0, 0.9, BoxWithBottomCentre(1000, 250, 400, 260), 1.0));
  EXPECT_TRUE(big.current_zones().empty());
}

TEST(TrackedObjectTest, ZoneChangeIsSignificantOnlyForTruePositives) {
  auto settings = ZonedSettings();
  TrackedObject o("front", Record(1.0, 0.9, BoxWithBottomCentre(300, 500)), settings);
  EXPECT_TRUE(o.Update(2.0, Record(2.0, 0.9, BoxWithBottomCentre(300, 500), 1.0)));  // thumbnail
  EXPECT_FALSE(o.Update(3.0, Record(3.0, 0.9, BoxWithBottomCentre(300, 500), 1.0)));
  EXPECT_TRUE(o.Update(5.0, Record(5.0, 0.9, BoxWithBottomCentre(700, 300), 1.0)));  // left yard
  EXPECT_TRUE(o.current_zones().empty());
  TrackedObject fp("front", Record(1.0, 0.5, BoxWithBottomCentre(300, 500)), settings);
  EXPECT_FALSE(fp.Update(2.0, Record(2.0, 0.5, BoxWithBottomCentre(300, 500), 1.0)));
  EXPECT_EQ(fp.current_zones(), (std::vector<std::string>{"yard"}));
}

TEST(TrackedObjectTest, PublishThrottlingNewThenUpdateThenEnd) {
  TrackedObject o("front", Record(100.0, 0.9), Settings());
  EXPECT_FALSE(o.TakeDueMessage(100.0).has_value());
  // Frame 2: true positive and first thumbnail: "new" at once.
  o.Update(100.2, Record(100.2, 0.9, {400, 200, 500, 500}, 100.0));
  auto first = o.TakeDueMessage(100.2);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->type, "new");
  EXPECT_EQ(first->before["false_positive"], true);
  EXPECT_EQ(first->before["top_score"], 0.0);
  EXPECT_EQ(first->after["false_positive"], false);
  EXPECT_TRUE(first->after["end_time"].is_null());
  EXPECT_TRUE(first->after["thumbnail"].is_null());
  // A better thumbnail 1 s later: pending, not yet published.
  o.Update(101.2, Record(101.2, 0.99, {400, 200, 500, 500}, 100.0));
  EXPECT_FALSE(o.TakeDueMessage(101.2).has_value());
  // Nothing new happens, but the window passes: the pending change is flushed.
  o.Update(105.0, Record(105.0, 0.99, {400, 200, 500, 500}, 100.0));
  EXPECT_FALSE(o.TakeDueMessage(105.0).has_value());  // 4.8 s
  o.Update(105.4, Record(105.4, 0.99, {400, 200, 500, 500}, 100.0));
  auto second = o.TakeDueMessage(105.4);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->type, "update");
  EXPECT_EQ(second->before, first->after);
  // Nothing significant since: no more updates however long.
  o.Update(120.0, Record(120.0, 0.99, {400, 200, 500, 500}, 100.0));
  EXPECT_FALSE(o.TakeDueMessage(120.0).has_value());
  // Missed for a while, then ended: end_time is the last sighting.
  o.Update(121.0, Record(120.0, 0.99, {400, 200, 500, 500}, 100.0));
  auto end = o.End();
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(end->type, "end");
  EXPECT_EQ(end->before, second->after);
  EXPECT_DOUBLE_EQ(end->after["end_time"].get<double>(), 120.0);
  EXPECT_DOUBLE_EQ(*o.end_time(), 120.0);
  EXPECT_FALSE(o.End().has_value());
  EXPECT_FALSE(o.TakeDueMessage(130.0).has_value());
}

TEST(TrackedObjectTest, FalsePositivesNeverPublish) {
  TrackedObject o("front", Record(100.0, 0.5), Settings());
  for (int i = 1; i < 20; ++i) {
    o.Update(100.0 + i, Record(100.0 + i, 0.5, {400, 200, 500, 500}, 100.0));
    EXPECT_FALSE(o.TakeDueMessage(100.0 + i).has_value());
  }
  EXPECT_FALSE(o.End().has_value());
  EXPECT_TRUE(o.ended());
}

TEST(TrackedObjectTest, ToJsonHasTheKeysOfToDict) {
  auto settings = ZonedSettings();
  TrackedObject o("front_door", Record(1607123955.475377, 0.9, BoxWithBottomCentre(300, 500)),
                  settings);
  o.Update(1607123961.837752,
           Record(1607123961.837752, 0.7890625, BoxWithBottomCentre(300, 500), 1607123955.475377));
  const nlohmann::json j = o.ToJson();
  for (const char* key : {"id", "camera", "frame_time", "label", "top_score", "false_positive",
                          "start_time", "end_time", "score", "box", "area", "region",
                          "current_zones", "entered_zones", "thumbnail"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j.size(), 15u);
  EXPECT_EQ(j["id"], "1607123955.475377-mxklsc");
  EXPECT_EQ(j["camera"], "front_door");
  EXPECT_EQ(j["box"], nlohmann::json::array({250, 300, 350, 500}));
  EXPECT_EQ(j["region"], nlohmann::json::array({250, 150, 650, 550}));
  EXPECT_EQ(j["area"], 20000);
  EXPECT_EQ(j["entered_zones"], nlohmann::json::array({"yard"}));
  EXPECT_EQ(j.dump().find("1607123961.837752") != std::string::npos, true);
}

}  // namespace
}  // namespace corvette::track
