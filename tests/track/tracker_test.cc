#include "track/tracker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <regex>
#include <vector>

namespace corvette::track {
namespace {

const Box kFullFrame{0, 0, 1280, 720};

Detection Person(int cx, int cy, double score = 0.8, int w = 80, int h = 200) {
  Detection d;
  d.label = "person";
  d.score = score;
  d.box = Box{cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2};
  d.area = d.box.area();
  d.region = Box{0, 0, 320, 320};
  return d;
}

Detection Labelled(const std::string& label, int cx, int cy) {
  Detection d = Person(cx, cy);
  d.label = label;
  return d;
}

TrackerOptions Seeded(int max_disappeared = 3) {
  TrackerOptions options;
  options.seed = 42;
  options.max_disappeared = max_disappeared;
  return options;
}

// The id of the object whose box centre is nearest (cx, cy).
std::string IdAt(const Tracker& tracker, int cx, int cy) {
  for (const auto& o : tracker.Objects()) {
    if (std::abs(o.centroid.x - cx) <= 1 && std::abs(o.centroid.y - cy) <= 1)
      return o.id;
  }
  return "";
}

TEST(FormatFrameTimeTest, IsPythonsShortestRepr) {
  EXPECT_EQ(FormatFrameTime(1607123955.475377), "1607123955.475377");
  EXPECT_EQ(FormatFrameTime(1607123955.0), "1607123955.0");
  EXPECT_EQ(FormatFrameTime(1607123955.5), "1607123955.5");
  EXPECT_EQ(FormatFrameTime(1623643750.569992), "1623643750.569992");
}

TEST(TrackerTest, RegistersWithFrigateShapedIds) {
  Tracker tracker(Seeded());
  const std::vector<Detection> detections{Person(100, 300)};
  tracker.Update(1607123955.475377, detections, {&kFullFrame, 1});
  ASSERT_EQ(tracker.Objects().size(), 1u);
  const TrackedRecord& o = tracker.Objects()[0];
  EXPECT_TRUE(std::regex_match(o.id, std::regex(R"(1607123955\.475377-[a-z0-9]{6})"))) << o.id;
  EXPECT_EQ(o.label, "person");
  EXPECT_DOUBLE_EQ(o.start_time, 1607123955.475377);
  EXPECT_DOUBLE_EQ(o.frame_time, 1607123955.475377);
  EXPECT_EQ(o.centroid, (Point{100, 300}));
  EXPECT_EQ(o.disappeared, 0);
}

TEST(TrackerTest, SeededIdsRepeatAndUnseededDiffer) {
  Tracker a(Seeded()), b(Seeded());
  const std::vector<Detection> detections{Person(100, 300)};
  a.Update(10.0, detections, {&kFullFrame, 1});
  b.Update(10.0, detections, {&kFullFrame, 1});
  EXPECT_EQ(a.Objects()[0].id, b.Objects()[0].id);
}

TEST(TrackerTest, CrossingPathsKeepTheirIds) {
  Tracker tracker(Seeded());
  double t = 100.0;
  // A walks right, B walks left on the same line; they cross in the middle.
  int ax = 200, bx = 800;
  tracker.Update(t, std::vector<Detection>{Person(ax, 360), Person(bx, 360)}, {&kFullFrame, 1});
  const std::string a = IdAt(tracker, ax, 360);
  const std::string b = IdAt(tracker, bx, 360);
  ASSERT_NE(a, b);
  for (int frame = 0; frame < 60; ++frame) {
    t += 0.2;
    ax += 20;
    bx -= 20;
    // Detections come in either order.
    std::vector<Detection> detections{Person(ax, 360 + (frame % 3)), Person(bx, 360)};
    if (frame % 2)
      std::swap(detections[0], detections[1]);
    tracker.Update(t, detections, {&kFullFrame, 1});
    ASSERT_EQ(tracker.Objects().size(), 2u) << "frame " << frame;
    if (ax == bx)
      continue;  // identical boxes: either answer is right
    EXPECT_EQ(IdAt(tracker, ax, 360 + (frame % 3)), a) << "frame " << frame;
    EXPECT_EQ(IdAt(tracker, bx, 360), b) << "frame " << frame;
  }
}

TEST(TrackerTest, CrossingDiagonallyKeepsIds) {
  Tracker tracker(Seeded());
  double t = 0.0;
  int ax = 300, ay = 200, bx = 700, by = 200;
  tracker.Update(t, std::vector<Detection>{Person(ax, ay), Person(bx, by)}, {&kFullFrame, 1});
  const std::string a = IdAt(tracker, ax, ay), b = IdAt(tracker, bx, by);
  for (int frame = 0; frame < 40; ++frame) {
    t += 0.2;
    ax += 10, ay += 6, bx -= 10, by += 6;
    tracker.Update(t, std::vector<Detection>{Person(bx, by), Person(ax, ay)}, {&kFullFrame, 1});
    if (ax == bx)
      continue;
    EXPECT_EQ(IdAt(tracker, ax, ay), a) << frame;
    EXPECT_EQ(IdAt(tracker, bx, by), b) << frame;
  }
}

TEST(TrackerTest, TwoPeopleFarApartNeverSwap) {
  Tracker tracker(Seeded(5));
  double t = 0.0;
  tracker.Update(t, std::vector<Detection>{Person(150, 360)}, {&kFullFrame, 1});
  const std::string left = tracker.Objects()[0].id;
  // The left person is missed while someone appears far to the right: 0.8 would hand them the id.
  t += 0.2;
  tracker.Update(t, std::vector<Detection>{Person(1100, 360)}, {&kFullFrame, 1});
  ASSERT_EQ(tracker.Objects().size(), 2u);
  const std::string right = IdAt(tracker, 1100, 360);
  EXPECT_NE(right, left);
  EXPECT_EQ(IdAt(tracker, 150, 360), left);
  EXPECT_EQ(tracker.Objects()[0].disappeared, 1);
  // Both seen again: each keeps its own id.
  t += 0.2;
  tracker.Update(t, std::vector<Detection>{Person(1100, 362), Person(152, 360)}, {&kFullFrame, 1});
  EXPECT_EQ(IdAt(tracker, 152, 360), left);
  EXPECT_EQ(IdAt(tracker, 1100, 362), right);
}

TEST(TrackerTest, NoDetectionIsDropped) {
  // 0.8 drops new detections whose nearest object is taken when #tracked >= #new.
  Tracker tracker(Seeded());
  tracker.Update(0.0, std::vector<Detection>{Person(100, 300), Person(200, 300)}, {&kFullFrame, 1});
  const std::string a = IdAt(tracker, 100, 300);
  // One old person continues, one far away appears, the other old one is missed.
  tracker.Update(0.2, std::vector<Detection>{Person(102, 300), Person(900, 300)}, {&kFullFrame, 1});
  EXPECT_EQ(tracker.Objects().size(), 3u);
  EXPECT_EQ(IdAt(tracker, 102, 300), a);
  EXPECT_FALSE(IdAt(tracker, 900, 300).empty());
  // More detections than objects, all near one object: one continues it, the others register.
  tracker.Update(0.4,
                 std::vector<Detection>{Person(104, 300), Person(104, 500), Person(900, 302),
                                        Person(200, 300), Person(600, 100)},
                 {&kFullFrame, 1});
  EXPECT_EQ(tracker.Objects().size(), 5u);
  EXPECT_EQ(IdAt(tracker, 104, 300), a);
}

TEST(TrackerTest, NewLabelDoesNotStopOtherLabelsFromMatchingOrAging) {
  Tracker tracker(Seeded(1));
  tracker.Update(0.0, std::vector<Detection>{Labelled("person", 100, 300)}, {&kFullFrame, 1});
  tracker.Update(0.0 + 0.2,
                 std::vector<Detection>{Labelled("car", 600, 400), Labelled("person", 104, 300)},
                 {&kFullFrame, 1});
  // The person was matched although a new label came first in the frame.
  ASSERT_EQ(tracker.Objects().size(), 2u);
  EXPECT_EQ(tracker.Objects()[0].label, "person");
  EXPECT_DOUBLE_EQ(tracker.Objects()[0].frame_time, 0.2);
  EXPECT_EQ(tracker.Objects()[0].centroid.x, 104);
  // A frame with a new label and no person: the person ages.
  tracker.Update(0.4, std::vector<Detection>{Labelled("dog", 900, 600)}, {&kFullFrame, 1});
  EXPECT_EQ(tracker.Objects()[0].disappeared, 1);
  EXPECT_EQ(tracker.Objects().size(), 3u);
}

TEST(TrackerTest, LabelsAreIndependent) {
  Tracker tracker(Seeded());
  tracker.Update(0.0, std::vector<Detection>{Labelled("car", 300, 300)}, {&kFullFrame, 1});
  const std::string car = tracker.Objects()[0].id;
  tracker.Update(0.2, std::vector<Detection>{Labelled("person", 300, 300)}, {&kFullFrame, 1});
  ASSERT_EQ(tracker.Objects().size(), 2u);
  EXPECT_EQ(tracker.Objects()[0].id, car);
  EXPECT_EQ(tracker.Objects()[0].disappeared, 1);
  EXPECT_NE(tracker.Objects()[1].id, car);
}

TEST(TrackerTest, LostObjectEndsAfterMaxDisappearedExaminedMisses) {
  Tracker tracker(Seeded(3));
  tracker.Update(10.0, std::vector<Detection>{Person(400, 300)}, {&kFullFrame, 1});
  const std::string id = tracker.Objects()[0].id;
  for (int miss = 1; miss <= 3; ++miss) {
    tracker.Update(10.0 + miss, {}, {&kFullFrame, 1});
    ASSERT_EQ(tracker.Objects().size(), 1u);
    EXPECT_EQ(tracker.Objects()[0].disappeared, miss);
    EXPECT_TRUE(tracker.Removed().empty());
  }
  tracker.Update(14.0, {}, {&kFullFrame, 1});
  EXPECT_TRUE(tracker.Objects().empty());
  ASSERT_EQ(tracker.Removed().size(), 1u);
  EXPECT_EQ(tracker.Removed()[0].id, id);
  EXPECT_DOUBLE_EQ(tracker.Removed()[0].frame_time, 10.0);  // last seen, not the removal time
  tracker.Update(15.0, {}, {&kFullFrame, 1});
  EXPECT_TRUE(tracker.Removed().empty());
}

TEST(TrackerTest, ObjectsOutsideTheExaminedRegionsDoNotAge) {
  Tracker tracker(Seeded(2));
  tracker.Update(0.0, std::vector<Detection>{Person(200, 300), Person(1000, 300)},
                 {&kFullFrame, 1});
  const std::string left = IdAt(tracker, 200, 300);
  const std::string right = IdAt(tracker, 1000, 300);
  // Motion only on the right half for a long time: the still person on the left is not looked at.
  const Box right_region{700, 0, 1280, 720};
  for (int frame = 1; frame <= 100; ++frame) {
    tracker.Update(frame * 0.2, std::vector<Detection>{Person(1000, 300)}, {&right_region, 1});
  }
  EXPECT_EQ(IdAt(tracker, 200, 300), left);
  EXPECT_EQ(tracker.Objects()[0].disappeared, 0);
  EXPECT_FALSE(tracker.Objects()[0].examined);
  EXPECT_EQ(IdAt(tracker, 1000, 300), right);
  EXPECT_TRUE(tracker.Objects()[1].examined);
  // A region covering less than half of the box does not count as looking at it.
  const Box sliver{230, 0, 260, 720};
  for (int frame = 0; frame < 5; ++frame)
    tracker.Update(30.0 + frame, {}, {&sliver, 1});
  EXPECT_EQ(IdAt(tracker, 200, 300), left);
  EXPECT_EQ(tracker.Objects()[0].disappeared, 0);
}

TEST(TrackerTest, StillObjectKeepsItsIdWhenRecheckedAndFound) {
  Tracker tracker(Seeded(5));
  tracker.Update(0.0, std::vector<Detection>{Person(500, 400, 0.9)}, {&kFullFrame, 1});
  const std::string id = tracker.Objects()[0].id;
  const Box recheck{340, 240, 660, 560};
  // 10 minutes at 5 fps without motion; every 5 s the processor re-checks the object's region and
  // the detector finds it (jittering by a pixel); sometimes it misses once.
  double t = 0.0;
  for (int frame = 1; frame <= 2990; ++frame) {
    t = frame * 0.2;
    if (frame % 25 == 0) {
      if (frame % 100 == 0) {
        tracker.Update(t, {}, {&recheck, 1});  // a missed re-check
      } else {
        tracker.Update(t, std::vector<Detection>{Person(500 + frame % 2, 400, 0.85)},
                       {&recheck, 1});
      }
    } else {
      tracker.Update(t, {}, {});
    }
    ASSERT_EQ(tracker.Objects().size(), 1u) << frame;
    ASSERT_EQ(tracker.Objects()[0].id, id) << frame;
  }
  // Then it is gone: max_disappeared + 1 re-checks without it end it.
  int rechecks = 0;
  while (!tracker.Objects().empty()) {
    t += 5.0;
    tracker.Update(t, {}, {&recheck, 1});
    ++rechecks;
  }
  EXPECT_EQ(rechecks, 6);
  EXPECT_EQ(tracker.Removed()[0].id, id);
}

TEST(TrackerTest, MovingObjectIsFollowedAcrossFrames) {
  Tracker tracker(Seeded());
  tracker.Update(0.0, std::vector<Detection>{Person(100, 360)}, {&kFullFrame, 1});
  const std::string id = tracker.Objects()[0].id;
  // 60 px per frame at 5 fps: fast, but within one box diagonal.
  for (int frame = 1; frame < 18; ++frame) {
    tracker.Update(frame * 0.2, std::vector<Detection>{Person(100 + 60 * frame, 360)},
                   {&kFullFrame, 1});
    ASSERT_EQ(tracker.Objects().size(), 1u);
    EXPECT_EQ(tracker.Objects()[0].id, id);
  }
  EXPECT_NEAR(tracker.Objects()[0].velocity_x, 300.0, 1.0);
}

TEST(TrackerTest, FastObjectThatStopsWhileUnseenKeepsItsId) {
  Tracker tracker(Seeded(10));
  int x = 100;
  tracker.Update(0.0, std::vector<Detection>{Person(x, 360)}, {&kFullFrame, 1});
  const std::string id = tracker.Objects()[0].id;
  for (int frame = 1; frame <= 6; ++frame) {
    x += 70;  // 350 px/s
    tracker.Update(frame * 0.2, std::vector<Detection>{Person(x, 360)}, {&kFullFrame, 1});
  }
  // Stops at once and is missed for a second (prediction would put it 350 px further).
  for (int frame = 7; frame <= 11; ++frame)
    tracker.Update(frame * 0.2, {}, {&kFullFrame, 1});
  tracker.Update(12 * 0.2, std::vector<Detection>{Person(x + 5, 360)}, {&kFullFrame, 1});
  ASSERT_EQ(tracker.Objects().size(), 1u);
  EXPECT_EQ(tracker.Objects()[0].id, id);
}

TEST(TrackerTest, SeparatedWalkersKeepTheirIdsThroughRandomMisses) {
  // Five people on their own lanes (farther apart than a box diagonal), walking at random speeds
  // and bouncing at the frame edges; the detector misses each 20% of the time and reports them in
  // random order.
  std::mt19937 random(3);
  struct Walker {
    double x, y, vx;
    std::string id;
  };
  std::vector<Walker> walkers;
  for (int i = 0; i < 5; ++i) {
    walkers.push_back(
        {100.0 + 200 * i, 80.0 + 140 * i, (random() % 2 ? 1 : -1) * (5.0 + random() % 20), ""});
  }
  Tracker tracker(Seeded(20));
  std::vector<Detection> detections;
  detections.reserve(5);
  for (int frame = 0; frame < 1000; ++frame) {
    const double t = frame * 0.2;
    detections.clear();
    std::vector<int> seen;
    for (int i = 0; i < 5; ++i) {
      Walker& w = walkers[i];
      w.x += w.vx;
      if (w.x < 60 || w.x > 1220)
        w.vx = -w.vx;
      if (frame == 0 || random() % 5 != 0) {
        // 40x100 boxes (diagonal 108) on lanes 140 px apart.
        detections.push_back(Person(static_cast<int>(w.x), static_cast<int>(w.y), 0.8, 40, 100));
        seen.push_back(i);
      }
    }
    std::vector<int> order(detections.size());
    for (size_t k = 0; k < order.size(); ++k)
      order[k] = static_cast<int>(k);
    std::shuffle(order.begin(), order.end(), random);
    std::vector<Detection> shuffled;
    for (int k : order)
      shuffled.push_back(detections[k]);
    tracker.Update(t, shuffled, {&kFullFrame, 1});
    for (int i : seen) {
      const std::string id =
          IdAt(tracker, static_cast<int>(walkers[i].x), static_cast<int>(walkers[i].y));
      ASSERT_FALSE(id.empty()) << "frame " << frame << " walker " << i;
      if (walkers[i].id.empty())
        walkers[i].id = id;
      ASSERT_EQ(id, walkers[i].id) << "frame " << frame << " walker " << i;
    }
  }
  EXPECT_EQ(tracker.Objects().size(), 5u);
}

TEST(TrackerTest, UpdatesTheMatchedRecord) {
  Tracker tracker(Seeded());
  tracker.Update(1.0, std::vector<Detection>{Person(100, 300, 0.6)}, {&kFullFrame, 1});
  Detection d = Person(110, 305, 0.9, 90, 210);
  d.region = Box{10, 10, 330, 330};
  tracker.Update(1.2, std::vector<Detection>{d}, {&kFullFrame, 1});
  const TrackedRecord& o = tracker.Objects()[0];
  EXPECT_DOUBLE_EQ(o.score, 0.9);
  EXPECT_EQ(o.box, d.box);
  EXPECT_EQ(o.area, d.area);
  EXPECT_EQ(o.region, d.region);
  EXPECT_DOUBLE_EQ(o.frame_time, 1.2);
  EXPECT_DOUBLE_EQ(o.start_time, 1.0);
  EXPECT_EQ(o.centroid, Centroid(d.box));
}

}  // namespace
}  // namespace corvette::track
