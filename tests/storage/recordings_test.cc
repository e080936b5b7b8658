#include "storage/recordings.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "../support/wait_for.h"
#include "segment_fixture.h"
#include "storage/media_layout.h"
#include "storage/media_probe.h"
#include "test_dir.h"

namespace corvette::storage {
namespace {

using corvette::testing::WaitFor;
namespace fs = std::filesystem;

std::string SegmentName(const std::string& camera, double start) {
  LocalTime t = EpochToLocalTime(start);
  return fmt::format("{}-{:04}{:02}{:02}{:02}{:02}{:02}.mp4", camera, t.year, t.month, t.day,
                     t.hour, t.minute, t.second);
}

class RecordingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    segments_ = corvette::testing::VtestSegments(2, 3);
    ASSERT_TRUE(fs::exists(segments_.back()));
  }
  RecordingsMaintainer::Options Options() {
    RecordingsMaintainer::Options options;
    options.dir = dir_.File("recordings");
    fs::create_directories(options.dir);
    options.retain_days = {{"front", 1}, {"back", 3}};
    options.default_retain_days = 2;
    options.disk_space = [](const std::string&) { return DiskSpace{100ULL << 30, 50ULL << 30}; };
    return options;
  }
  // Copies a real segment into the recordings root as `camera` starting at `start`.
  std::string Segment(const std::string& camera, double start, int which = 0) {
    std::string path = dir_.File("recordings/" + SegmentName(camera, start));
    fs::copy_file(segments_[which], path);
    corvette::testing::SetMtime(path, start + 60);
    return path;
  }
  // Puts a real segment straight into the tree, `age_days` old.
  std::string TreeRecording(const std::string& camera, double age_days) {
    double start = clock_.Now() - age_days * 86400.0;
    std::string path = RecordingPath(dir_.File("recordings"), camera, EpochToLocalTime(start));
    fs::create_directories(fs::path(path).parent_path());
    fs::copy_file(segments_[0], path);
    corvette::testing::SetMtime(path, start + 60);
    return path;
  }

  testing::TestDir dir_;
  std::vector<std::string> segments_;
  util::ManualClock clock_{static_cast<double>(std::time(nullptr))};  // now, in whole seconds
};

TEST_F(RecordingsTest, MovesFinishedSegmentsIntoTheDatedTreeAndLeavesTheOneBeingWritten) {
  RecordingsMaintainer maintainer(Options(), clock_);
  double now = clock_.Now();
  std::string first = Segment("front", now - 180);
  std::string second = Segment("front", now - 120, 1);
  std::string writing = Segment("front", now - 60, 2);
  corvette::testing::SetMtime(writing, now - 1);
  std::string broken = dir_.File("recordings/" + SegmentName("back", now - 400));
  std::ofstream(broken) << "not a video";
  corvette::testing::SetMtime(broken, now - 340);
  std::string back_writing = Segment("back", now - 30);
  corvette::testing::SetMtime(back_writing, now - 1);

  auto result = maintainer.MoveFinished();
  EXPECT_EQ(result.moved, 2);
  EXPECT_EQ(result.deleted_broken, 1);
  EXPECT_FALSE(fs::exists(first));
  EXPECT_FALSE(fs::exists(second));
  EXPECT_FALSE(fs::exists(broken));
  EXPECT_TRUE(fs::exists(writing));
  EXPECT_TRUE(fs::exists(back_writing));

  LocalTime t = EpochToLocalTime(now - 180);
  std::string expected =
      dir_.File(fmt::format("recordings/{:04}-{:02}/{:02}/{:02}/front/{:02}.{:02}.mp4", t.year,
                            t.month, t.day, t.hour, t.minute, t.second));
  ASSERT_TRUE(fs::exists(expected));
  EXPECT_TRUE(ProbeDurationSeconds(expected));

  // Once its ffmpeg has stopped for longer than stale_seconds, the last one is moved too.
  clock_.Advance(600);
  EXPECT_EQ(maintainer.MoveFinished().moved, 2);
  EXPECT_FALSE(fs::exists(writing));
}

TEST_F(RecordingsTest, ASegmentWhoseSecondIsTakenGetsTheNextFreeSecondInTheSameNameShape) {
  RecordingsMaintainer maintainer(Options(), clock_);
  // A minute boundary in the middle: 57, 58 and 59 are taken, so the next free name is 00 of
  // the next minute (possibly the next hour's folder).
  const double start = std::floor(clock_.Now() / 60.0) * 60.0 - 600 - 3;
  for (int taken = 0; taken < 3; ++taken) {
    std::string path =
        RecordingPath(dir_.File("recordings"), "front", EpochToLocalTime(start + taken));
    fs::create_directories(fs::path(path).parent_path());
    fs::copy_file(segments_[0], path);
  }
  Segment("front", start, 1);
  EXPECT_EQ(maintainer.MoveFinished().moved, 1);

  const std::string expected =
      RecordingPath(dir_.File("recordings"), "front", EpochToLocalTime(start + 3));
  ASSERT_TRUE(fs::exists(expected)) << expected;
  EXPECT_EQ(fs::path(expected).filename().string().size(), std::string("MM.SS.mp4").size());
  EXPECT_EQ(fs::file_size(expected), fs::file_size(segments_[1]));
  // Nothing in the tree has a name the Home Assistant integration cannot split into MM and SS.
  for (const auto& entry : fs::recursive_directory_iterator(dir_.File("recordings"))) {
    if (entry.is_regular_file()) {
      const std::string name = entry.path().filename().string();
      EXPECT_EQ(name.size(), 9u) << name;
      EXPECT_EQ(std::count(name.begin(), name.end(), '.'), 2) << name;
    }
  }
}

TEST_F(RecordingsTest, RetentionRemovesBackdatedFilesPerCameraKeepsFreshOnesAndEmptyFolders) {
  RecordingsMaintainer maintainer(Options(), clock_);
  std::string front_old = TreeRecording("front", 1.5);  // front keeps 1 day
  std::string front_fresh = TreeRecording("front", 0.5);
  std::string back_kept = TreeRecording("back", 2.5);  // back keeps 3 days
  std::string back_old = TreeRecording("back", 3.5);
  std::string gone_old = TreeRecording("removed", 2.5);  // not configured: global 2 days
  std::string gone_fresh = TreeRecording("removed", 1.5);

  auto result = maintainer.ExpireOld();
  EXPECT_EQ(result.expired, 3);
  EXPECT_FALSE(fs::exists(front_old));
  EXPECT_FALSE(fs::exists(back_old));
  EXPECT_FALSE(fs::exists(gone_old));
  EXPECT_TRUE(fs::exists(front_fresh));
  EXPECT_TRUE(fs::exists(back_kept));
  EXPECT_TRUE(fs::exists(gone_fresh));
  // The folders that held only expired files are gone, up to the month where it emptied.
  EXPECT_FALSE(fs::exists(fs::path(front_old).parent_path()));
  EXPECT_FALSE(fs::exists(fs::path(back_old).parent_path()));
  EXPECT_FALSE(fs::exists(fs::path(back_old).parent_path().parent_path()));
  EXPECT_TRUE(fs::exists(dir_.File("recordings")));
}

TEST_F(RecordingsTest, FreeSpaceFloorDeletesOldestFirst) {
  std::vector<std::string> files;
  for (double age : {0.9, 0.1, 0.5, 0.7, 0.3})
    files.push_back(TreeRecording(age > 0.4 ? "front" : "back", age));
  // A 100 GiB disk with 7.5 GiB free; each deleted recording frees 1 GiB.
  auto options = Options();
  options.min_free_bytes = 10ULL << 30;
  options.min_free_fraction = 0.2;  // floor = min(10 GiB, 20 GiB)
  options.disk_space = [&files](const std::string&) {
    unsigned long long gone = 0;
    for (const auto& f : files)
      gone += !fs::exists(f);
    return DiskSpace{100ULL << 30, (15ULL << 29) + (gone << 30)};
  };
  RecordingsMaintainer maintainer(options, clock_);
  auto result = maintainer.EnforceFreeSpace();
  EXPECT_EQ(result.freed, 3);          // 7.5 + 3 >= 10 GiB
  EXPECT_FALSE(fs::exists(files[0]));  // 0.9 days old
  EXPECT_FALSE(fs::exists(files[3]));  // 0.7
  EXPECT_FALSE(fs::exists(files[2]));  // 0.5
  EXPECT_TRUE(fs::exists(files[4]));   // 0.3
  EXPECT_TRUE(fs::exists(files[1]));   // 0.1
  // Above the floor: nothing more goes.
  EXPECT_EQ(maintainer.EnforceFreeSpace().freed, 0);
}

TEST_F(RecordingsTest, ThreadMovesSegmentsOnItsOwn) {
  auto options = Options();
  options.interval_seconds = 0.05;
  RecordingsMaintainer maintainer(options, clock_);
  double now = clock_.Now();
  std::string first = Segment("front", now - 180);
  Segment("front", now - 120, 1);
  maintainer.Start();
  WaitFor([&] { return !fs::exists(first); });
  maintainer.Stop();
  EXPECT_FALSE(fs::exists(first));
}

}  // namespace
}  // namespace corvette::storage
