#include "storage/recording_index.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <fstream>

#include "segment_fixture.h"
#include "storage/media_layout.h"
#include "storage/recordings.h"
#include "test_dir.h"
#include "util/clock.h"

namespace corvette::storage {
namespace {
namespace fs = std::filesystem;

TEST(JoinSpansTest, JoinsRecordingsThatFollowOneAnotherAndSplitsAtGaps) {
  std::vector<RecordingRow> rows = {
      {"a", "front", 0, 60, 10},
      {"b", "front", 60.5, 120, 20},
      {"c", "front", 121.9, 180, 30},
      {"d", "front", 300, 360, 40},  // a 120-s gap before it
  };
  EXPECT_EQ(JoinSpans(rows), (std::vector<RecordingSpan>{{0, 180, 3, 60}, {300, 360, 1, 40}}));
  EXPECT_EQ(JoinSpans(rows, 1.0),
            (std::vector<RecordingSpan>{{0, 120, 2, 30}, {121.9, 180, 1, 30}, {300, 360, 1, 40}}));
  EXPECT_TRUE(JoinSpans({}).empty());
}

TEST(GapsBetweenTest, GapsAreThePartsOfTheRangeNoSpanCovers) {
  std::vector<RecordingSpan> spans = {{10, 20, 1, 0}, {30, 40, 1, 0}, {35, 50, 1, 0}};
  EXPECT_EQ(GapsBetween(spans, 0, 100), (std::vector<TimeRange>{{0, 10}, {20, 30}, {50, 100}}));
  // Spans reaching outside the range are cut to it.
  EXPECT_EQ(GapsBetween(spans, 15, 45), (std::vector<TimeRange>{{20, 30}}));
  EXPECT_EQ(GapsBetween({}, 5, 8), (std::vector<TimeRange>{{5, 8}}));
  EXPECT_TRUE(GapsBetween({{0, 100, 1, 0}}, 10, 20).empty());
}

class RecordingIndexTest : public ::testing::Test {
 protected:
  testing::TestDir dir_;
  std::string database_ = dir_.File("frigate.db");
};

TEST_F(RecordingIndexTest, AnswersTheRecordingsThatOverlapARangeOfOneCamera) {
  RecordingIndex index(database_);
  index.Add({"/r/1", "front", 1000, 1060, 100});
  index.Add({"/r/2", "front", 1060, 1120, 200});
  index.Add({"/r/3", "front", 1200, 1260, 300});
  index.Add({"/r/4", "back", 1000, 1060, 400});
  auto paths = [](const std::vector<RecordingRow>& rows) {
    std::vector<std::string> out;
    for (const auto& row : rows)
      out.push_back(row.path);
    return out;
  };
  EXPECT_EQ(paths(index.Between("front", 0, 5000)),
            (std::vector<std::string>{"/r/1", "/r/2", "/r/3"}));
  // Overlap, not containment: a range inside one recording finds it.
  EXPECT_EQ(paths(index.Between("front", 1070, 1080)), (std::vector<std::string>{"/r/2"}));
  EXPECT_EQ(paths(index.Between("front", 1120, 1200)), std::vector<std::string>{});
  EXPECT_EQ(index.Between("back", 1059, 1061),
            (std::vector<RecordingRow>{{"/r/4", "back", 1000, 1060, 400}}));

  index.Remove("/r/2");
  index.Add({"/r/1", "front", 1000, 1030, 50});  // the same path replaces its row
  EXPECT_EQ(index.Between("front", 0, 5000).size(), 2u);
  EXPECT_EQ(index.Between("front", 0, 5000).front().end, 1030);
}

TEST_F(RecordingIndexTest, SurvivesAReopenAndSharesTheEventsDatabase) {
  {
    RecordingIndex index(database_);
    index.Add({"/r/1", "front", 1000, 1060, 100});
  }
  RecordingIndex again(database_);
  EXPECT_EQ(again.All().size(), 1u);
}

TEST_F(RecordingIndexTest, ReconcileIndexesFilesWithoutARowAndDropsRowsWithoutAFile) {
  RecordingIndex index(database_);
  std::string kept = dir_.File("kept.mp4"), added = dir_.File("added.mp4"),
              broken = dir_.File("broken.mp4");
  std::ofstream(kept) << "x";
  std::ofstream(added) << "12345";
  std::ofstream(broken) << "?";
  index.Add({kept, "front", 100, 160, 1});
  index.Add({"/gone.mp4", "front", 200, 260, 1});
  int probes = 0;
  auto result = index.Reconcile(
      {{kept, "front", 100, 100, 0}, {added, "back", 300, 300, 0}, {broken, "back", 400, 400, 0}},
      [&](const std::string& path) -> std::optional<double> {
        ++probes;
        if (path == broken)
          return std::nullopt;
        return 59.5;
      });
  EXPECT_EQ(result.added, 1);
  EXPECT_EQ(result.removed, 1);
  EXPECT_EQ(result.unreadable, 1);
  EXPECT_EQ(probes, 2);  // the indexed file is not probed again
  EXPECT_EQ(index.All(), (std::vector<RecordingRow>{{kept, "front", 100, 160, 1},
                                                    {added, "back", 300, 359.5, 5}}));
}

std::string SegmentName(const std::string& camera, double start) {
  LocalTime t = EpochToLocalTime(start);
  return fmt::format("{}-{:04}{:02}{:02}{:02}{:02}{:02}.mp4", camera, t.year, t.month, t.day,
                     t.hour, t.minute, t.second);
}

// The maintainer keeps the index in step with the tree: moved segments get a row with their probed
// duration, retention removes it with the file, and the first pass indexes what was already there.
TEST_F(RecordingIndexTest, TheMaintainerKeepsTheIndexInStepWithTheTree) {
  std::vector<std::string> segments = corvette::testing::VtestSegments(2, 2);
  util::ManualClock clock(static_cast<double>(std::time(nullptr)));
  const double now = clock.Now();
  RecordingIndex index(database_);
  RecordingsMaintainer::Options options;
  options.dir = dir_.File("recordings");
  fs::create_directories(options.dir);
  options.retain_days = {{"front", 1}};
  options.disk_space = [](const std::string&) { return DiskSpace{100ULL << 30, 50ULL << 30}; };
  options.index = &index;

  // Recorded before the index existed: 3 days old (past retention) and 1 hour old.
  auto in_tree = [&](double start) {
    std::string path = RecordingPath(options.dir, "front", EpochToLocalTime(start));
    fs::create_directories(fs::path(path).parent_path());
    fs::copy_file(segments[0], path);
    corvette::testing::SetMtime(path, start + 2);
    return path;
  };
  std::string old = in_tree(now - 3 * 86400.0);
  std::string recent = in_tree(now - 3600.0);
  // Finished by ffmpeg (a newer one exists), waiting in the root.
  std::string finished = options.dir + "/" + SegmentName("front", now - 120);
  fs::copy_file(segments[1], finished);
  corvette::testing::SetMtime(finished, now - 118);
  std::string writing = options.dir + "/" + SegmentName("front", now - 60);
  fs::copy_file(segments[0], writing);
  corvette::testing::SetMtime(writing, now - 1);

  RecordingsMaintainer maintainer(options, clock);
  auto result = maintainer.RunOnce();
  EXPECT_EQ(result.indexed, 2);
  EXPECT_EQ(result.moved, 1);
  EXPECT_EQ(result.expired, 1);
  std::vector<RecordingRow> rows = index.All();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].path, recent);
  EXPECT_NEAR(rows[0].end - rows[0].start, 2.0, 0.3);
  EXPECT_EQ(rows[1].camera, "front");
  EXPECT_DOUBLE_EQ(rows[1].start, now - 120);
  EXPECT_NEAR(rows[1].end - rows[1].start, 2.0, 0.3);
  EXPECT_EQ(rows[1].bytes, static_cast<std::int64_t>(fs::file_size(rows[1].path)));
  EXPECT_FALSE(fs::exists(old));
  for (const auto& row : rows)
    EXPECT_TRUE(fs::exists(row.path)) << row.path;
}

// storage.recordings_max_size: the oldest recordings go until the rest fit, with their rows.
TEST_F(RecordingIndexTest, TheMaintainerKeepsRecordingsUnderTheirSizeBound) {
  RecordingIndex index(database_);
  util::ManualClock clock(1'790'000'000.0);
  RecordingsMaintainer::Options options;
  options.dir = dir_.File("recordings");
  fs::create_directories(options.dir);
  options.disk_space = [](const std::string&) { return DiskSpace{100ULL << 30, 50ULL << 30}; };
  options.index = &index;
  options.max_bytes = 2500;
  std::vector<std::string> paths;
  for (int i = 0; i < 4; ++i) {
    std::string path = dir_.File(fmt::format("recordings/{}.mp4", i));
    std::ofstream(path) << std::string(1000, 'r');
    index.Add({path, "front", 1000.0 + 60 * i, 1060.0 + 60 * i, 1000});
    paths.push_back(path);
  }
  RecordingsMaintainer maintainer(options, clock);
  EXPECT_EQ(maintainer.EnforceSizeBound().over_bound, 2);
  EXPECT_FALSE(fs::exists(paths[0]));
  EXPECT_FALSE(fs::exists(paths[1]));
  EXPECT_TRUE(fs::exists(paths[2]));
  EXPECT_EQ(index.TotalBytes(), 2000);
  EXPECT_EQ(index.Oldest(1).front().path, paths[2]);
  EXPECT_EQ(maintainer.EnforceSizeBound().over_bound, 0);
  // 1000 bytes more since the last pass: room is kept for as much again before the next one
  // (2500 - 1000), so the two oldest of the three go.
  std::string newer = dir_.File("recordings/4.mp4");
  std::ofstream(newer) << std::string(1000, 'r');
  index.Add({newer, "front", 1300, 1360, 1000});
  EXPECT_EQ(maintainer.EnforceSizeBound().over_bound, 2);
  EXPECT_EQ(index.TotalBytes(), 1000);
  index.Add({paths[3], "front", 1180, 1240, 1000});  // back, for the percentage below
  std::ofstream(paths[3]) << std::string(1000, 'r');

  // A percentage of the file system.
  options.max_bytes = 0;
  options.max_fraction = 0.5;
  options.disk_space = [](const std::string&) { return DiskSpace{3000, 1000}; };
  RecordingsMaintainer by_fraction(options, clock);
  EXPECT_EQ(by_fraction.EnforceSizeBound().over_bound, 1);
  EXPECT_EQ(index.TotalBytes(), 1000);
}

}  // namespace
}  // namespace corvette::storage
