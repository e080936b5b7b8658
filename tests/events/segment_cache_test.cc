#include "events/segment_cache.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "clip_test_util.h"

namespace corvette::events {
namespace {
namespace fs = std::filesystem;
using testing::PutSegments;
using testing::TestDir;

class SegmentCacheTest : public ::testing::Test {
 protected:
  SegmentCache::Options Options() {
    SegmentCache::Options options;
    options.dir = dir_.File("cache");
    fs::create_directories(options.dir);
    options.disk_space = [](const std::string&) {
      return storage::DiskSpace{1ULL << 40, 1ULL << 39};
    };
    return options;
  }
  TestDir dir_;
  util::ManualClock clock_{testing::WholeSecondsNow()};
};

TEST_F(SegmentCacheTest, IndexesFinishedSegmentsSkipsTheOneBeingWrittenDeletesBroken) {
  SegmentCache cache(Options(), clock_);
  double now = clock_.Now();
  auto paths = PutSegments(dir_.File("cache"), "front", now - 8, 2, 4);
  // The newest is being written: modified just now.
  corvette::testing::SetMtime(paths.back(), now);
  std::string broken = dir_.File("cache/" + testing::SegmentFileName("back", now - 30));
  std::ofstream(broken) << "garbage";
  corvette::testing::SetMtime(broken, now - 28);
  PutSegments(dir_.File("cache"), "back", now - 28, 2, 1);

  EXPECT_EQ(cache.Refresh(), 3 + 0);  // front: 3 finished; back: newest not stale yet
  EXPECT_FALSE(fs::exists(broken));   // finished (a newer one exists) and unreadable
  auto segments = cache.Segments("front");
  ASSERT_EQ(segments.size(), 3u);
  EXPECT_EQ(segments[0].start, now - 8);
  EXPECT_NEAR(segments[0].duration, 2.0, 0.25);
  EXPECT_NEAR(*cache.CoveredUntil("front"), now - 2, 0.25);
  EXPECT_FALSE(cache.CoveredUntil("back"));

  // ffmpeg of `back` stopped: its last segment becomes usable once stale.
  clock_.Advance(61);
  EXPECT_EQ(cache.Refresh(), 2);  // front's last and back's
  EXPECT_EQ(cache.Segments("back").size(), 1u);
  EXPECT_EQ(cache.Refresh(), 0);  // nothing probed twice
}

TEST_F(SegmentCacheTest, ExpireKeepsWhatEventsNeedUpToMaxSeconds) {
  auto options = Options();
  options.max_seconds = 300;
  SegmentCache cache(options, clock_);
  double now = clock_.Now();
  // A few 2-s segments spread over the last ten minutes.
  std::vector<std::string> paths;
  for (double start : {-600.0, -400.0, -200.0, -150.0, -100.0, -20.0})
    paths.push_back(PutSegments(dir_.File("cache"), "front", now + start, 2, 1)[0]);
  paths.push_back(PutSegments(dir_.File("cache"), "other", now - 200, 2, 1)[0]);
  PutSegments(dir_.File("cache"), "other", now - 10, 2, 1);
  ASSERT_EQ(cache.Refresh(), 6);  // the newest of each camera is still being written

  // An event of front in progress since now-160: it needs from there (minus the 90-s margin).
  int deleted = cache.Expire({{"front", now - 160}});
  // front: earliest = now-160 -> delete what ends before now-250: -600, -400.
  // other: nothing needed -> earliest = now -> delete what ends before now-90: -200.
  EXPECT_EQ(deleted, 3);
  EXPECT_FALSE(fs::exists(paths[0]));
  EXPECT_FALSE(fs::exists(paths[1]));
  EXPECT_TRUE(fs::exists(paths[2]));
  EXPECT_FALSE(fs::exists(paths[6]));
  EXPECT_EQ(cache.Segments("front").size(), 3u);

  // An event that started long ago is capped by max_seconds (300): earliest = now-300.
  EXPECT_EQ(cache.Expire({{"front", now - 10000}}), 0);
  clock_.Advance(200);  // now-200 segments are now 400 s old: beyond 300 + 90
  EXPECT_EQ(cache.Expire({{"front", now - 10000}}), 1);
  EXPECT_FALSE(fs::exists(paths[2]));
}

TEST_F(SegmentCacheTest, FreeSpaceRuleDeletesOldestUntilNinetyPercent) {
  auto options = Options();
  std::vector<std::string> paths;
  // A 1 GB cache with 50 MB free (95 % used); each deleted segment frees 20 MB.
  options.disk_space = [&paths](const std::string&) {
    unsigned long long gone = 0;
    for (const auto& p : paths)
      gone += !fs::exists(p);
    return storage::DiskSpace{1'000'000'000ULL, 50'000'000ULL + gone * 20'000'000ULL};
  };
  SegmentCache cache(options, clock_);
  double now = clock_.Now();
  auto a = PutSegments(dir_.File("cache"), "a", now - 40, 2, 3);
  auto b = PutSegments(dir_.File("cache"), "b", now - 39, 2, 3);
  paths = {a[0], b[0], a[1], b[1], a[2], b[2]};  // oldest first
  ASSERT_EQ(cache.Refresh(), 4);                 // the newest of each camera is not finished
  // Everything is needed by events, so only the free-space rule deletes: 3 x 20 MB -> 110 MB
  // free = 89 % used.
  EXPECT_EQ(cache.Expire({{"a", now - 100}, {"b", now - 100}}), 3);
  EXPECT_FALSE(fs::exists(a[0]));
  EXPECT_FALSE(fs::exists(b[0]));
  EXPECT_FALSE(fs::exists(a[1]));
  EXPECT_TRUE(fs::exists(b[1]));
}

}  // namespace
}  // namespace corvette::events
