#include "storage/segment_files.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "segment_fixture.h"
#include "storage/media_probe.h"
#include "test_dir.h"

namespace corvette::storage {
namespace {

// Switches the process time zone for one test.
class ScopedTimeZone {
 public:
  explicit ScopedTimeZone(const char* tz) {
    const char* old = std::getenv("TZ");
    if (old)
      old_ = old;
    had_ = old != nullptr;
    ::setenv("TZ", tz, 1);
    ::tzset();
  }
  ~ScopedTimeZone() {
    if (had_)
      ::setenv("TZ", old_.c_str(), 1);
    else
      ::unsetenv("TZ");
    ::tzset();
  }

 private:
  std::string old_;
  bool had_ = false;
};

TEST(SegmentNameTest, ParsesCameraAndLocalTime) {
  auto name = ParseSegmentName("front-door-20261127093005.mp4");
  ASSERT_TRUE(name);
  EXPECT_EQ(name->camera, "front-door");
  EXPECT_EQ(name->local.year, 2026);
  EXPECT_EQ(name->local.month, 11);
  EXPECT_EQ(name->local.day, 27);
  EXPECT_EQ(name->local.hour, 9);
  EXPECT_EQ(name->local.minute, 30);
  EXPECT_EQ(name->local.second, 5);
}

TEST(SegmentNameTest, RejectsOtherFiles) {
  for (const char* bad : {"front-2026112709300.mp4", "front-20261127093005.mkv",
                          "20261127093005.mp4", "-20261127093005.mp4", ".front-20261127093005.mp4",
                          "front-20261327093005.mp4", "front-2026112709300a.mp4", "frigate.db"}) {
    EXPECT_FALSE(ParseSegmentName(bad)) << bad;
  }
}

TEST(LocalTimeTest, RoundTripsInUtcAndBerlin) {
  for (const char* tz : {"UTC", "Europe/Berlin"}) {
    ScopedTimeZone zone(tz);
    double t = 1'790'000'000.0;
    EXPECT_EQ(LocalTimeToEpoch(EpochToLocalTime(t)), t) << tz;
  }
}

TEST(LocalTimeTest, AmbiguousHourFollowsTheHint) {
  // 2026-10-25 02:30 happens twice in Berlin: 00:30 UTC (CEST) and 01:30 UTC (CET).
  ScopedTimeZone zone("Europe/Berlin");
  LocalTime local{2026, 10, 25, 2, 30, 0};
  const double first = 1'792'888'200.0;  // 2026-10-25T00:30:00Z
  const double second = first + 3600.0;
  EXPECT_EQ(LocalTimeToEpoch(local), first);  // no hint: the earlier
  EXPECT_EQ(LocalTimeToEpoch(local, first + 10.0), first);
  EXPECT_EQ(LocalTimeToEpoch(local, second + 10.0), second);
  // A time outside the repeated hour ignores the hint.
  EXPECT_EQ(LocalTimeToEpoch(LocalTime{2026, 10, 25, 4, 0, 0}, 0.0), 1'792'897'200.0);
}

TEST(SegmentFilesTest, NewestOfACameraIsUnfinishedUntilStale) {
  testing::TestDir dir;
  const double now = 1'790'000'000.0;
  auto make = [&](const std::string& camera, double start, double mtime) {
    LocalTime t = EpochToLocalTime(start);
    std::string name = fmt::format("{}-{:04}{:02}{:02}{:02}{:02}{:02}.mp4", camera, t.year, t.month,
                                   t.day, t.hour, t.minute, t.second);
    std::ofstream(dir.File(name)) << "x";
    corvette::testing::SetMtime(dir.File(name), mtime);
  };
  make("a", now - 30, now - 20);
  make("a", now - 20, now - 10);
  make("a", now - 10, now - 1);     // being written
  make("b", now - 500, now - 490);  // its ffmpeg died long ago
  std::ofstream(dir.File("notes.txt")) << "x";
  auto files = ListSegmentFiles(dir.File(""), now, 60.0);
  ASSERT_EQ(files.size(), 4u);
  EXPECT_EQ(files[0].camera, "a");
  EXPECT_EQ(files[0].start, now - 30);
  EXPECT_TRUE(files[0].finished);
  EXPECT_TRUE(files[1].finished);
  EXPECT_FALSE(files[2].finished);
  EXPECT_EQ(files[3].camera, "b");
  EXPECT_TRUE(files[3].finished);
}

TEST(MediaProbeTest, RealSegmentHasItsDurationAndTruncatedOneHasNone) {
  auto segments = corvette::testing::VtestSegments(2, 3);
  ASSERT_TRUE(std::filesystem::exists(segments[0]));
  auto duration = ProbeDurationSeconds(segments[0]);
  ASSERT_TRUE(duration);
  EXPECT_NEAR(*duration, 2.0, 0.25);

  testing::TestDir dir;
  std::string truncated = dir.File("cut.mp4");
  std::filesystem::copy_file(segments[0], truncated);
  std::filesystem::resize_file(truncated, std::filesystem::file_size(truncated) / 3);
  // The segment muxer's mp4 has its moov at the end: a cut file is unreadable.
  EXPECT_FALSE(ProbeDurationSeconds(truncated));
  EXPECT_FALSE(ProbeDurationSeconds(dir.File("missing.mp4")));
}

}  // namespace
}  // namespace corvette::storage
