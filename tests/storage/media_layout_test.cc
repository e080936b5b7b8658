#include "storage/media_layout.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

namespace corvette::storage {
namespace {

TEST(EventFilesTest, ClipAndSnapshotAreNamedByCameraAndId) {
  EXPECT_EQ(EventClipPath("/clips", "front", "1.5-abc"), "/clips/front-1.5-abc.mp4");
  EXPECT_EQ(EventSnapshotPath("/clips", "front", "1.5-abc"), "/clips/front-1.5-abc.jpg");
  EXPECT_EQ(EventSnapshotPath("/clips/", "front", "1.5-abc"), "/clips/front-1.5-abc.jpg");
}

TEST(EventFileNameTest, ReadsTheIdAndStartOfClipsAndSnapshots) {
  auto clip = ParseEventFileName("front-door-1790000000.123456-ab12cd.mp4");
  ASSERT_TRUE(clip);
  EXPECT_EQ(clip->id, "1790000000.123456-ab12cd");
  EXPECT_DOUBLE_EQ(clip->start, 1790000000.123456);
  EXPECT_TRUE(clip->clip);
  auto snapshot = ParseEventFileName("yard-1790000000-x.jpg");
  ASSERT_TRUE(snapshot);
  EXPECT_FALSE(snapshot->clip);
  for (const char* other : {"frigate.db", "front-1790000000.1-ab.mp4.tmp-3", ".front-1-a.mp4",
                            "front.mp4", "front-abc-def.mp4", "1790000000-ab.mp4", "a-1.2.3-b.jpg"})
    EXPECT_FALSE(ParseEventFileName(other)) << other;
}

TEST(EventFileNameTest, ReadsWhatTheBuildersName) {
  for (const std::string& path : {EventClipPath("/c", "front-door", "1790000000.5-q1w2e3"),
                                  EventSnapshotPath("/c", "front-door", "1790000000.5-q1w2e3")}) {
    auto parsed = ParseEventFileName(path.substr(3));
    ASSERT_TRUE(parsed) << path;
    EXPECT_EQ(parsed->id, "1790000000.5-q1w2e3");
    EXPECT_EQ(parsed->clip, path.ends_with(".mp4"));
  }
}

TEST(TemporaryNamesTest, ClipAssemblyAndAtomicWritesAreRecognisedAndNoEventFile) {
  const std::string assembly = ClipAssemblyPath("/clips", "front", "1.5-abc");
  const std::string playlist = ClipPlaylistPath("/clips", "front", "1.5-abc");
  EXPECT_EQ(assembly, "/clips/.front-1.5-abc.mp4.assembling");
  EXPECT_EQ(playlist, "/clips/.front-1.5-abc.concat");
  const std::string write = WriteTemporaryPath("/clips/front-1.5-abc.jpg", 7);
  EXPECT_EQ(write, "/clips/front-1.5-abc.jpg.tmp-" + std::to_string(::getpid()) + "-7");

  for (const std::string& name : {assembly.substr(7), playlist.substr(7)}) {
    EXPECT_TRUE(IsClipTemporaryName(name)) << name;
    EXPECT_TRUE(IsMediaTemporaryName(name)) << name;
    EXPECT_FALSE(ParseEventFileName(name)) << name;
  }
  EXPECT_TRUE(IsWriteTemporaryName(write.substr(7)));
  EXPECT_TRUE(IsMediaTemporaryName(write.substr(7)));
  EXPECT_FALSE(ParseEventFileName(write.substr(7)));
  for (const char* other : {"front-1.5-abc.mp4", "front-1.5-abc.jpg", "frigate.db"}) {
    EXPECT_FALSE(IsClipTemporaryName(other)) << other;
    EXPECT_FALSE(IsWriteTemporaryName(other)) << other;
    EXPECT_FALSE(IsMediaTemporaryName(other)) << other;
  }
}

TEST(RecordingPathTest, IsTheLocalTimeTreeOfMinuteAndSecondFiles) {
  const LocalTime start{2026, 3, 7, 9, 5, 2};
  EXPECT_EQ(RecordingPath("/rec", "front", start), "/rec/2026-03/07/09/front/05.02.mp4");
}

TEST(RecordingPathTest, EachPartParsesBackAndOthersAreRefused) {
  LocalTime t;
  EXPECT_TRUE(ParseRecordingMonthFolder("2026-03", t));
  EXPECT_TRUE(ParseRecordingDayFolder("07", t));
  EXPECT_TRUE(ParseRecordingHourFolder("09", t));
  EXPECT_TRUE(ParseRecordingFileName("05.02.mp4", t));
  EXPECT_EQ(RecordingPath("/rec", "front", t), "/rec/2026-03/07/09/front/05.02.mp4");
  // Earlier builds' second recording in the same second.
  LocalTime again;
  EXPECT_TRUE(ParseRecordingFileName("59.60.1.mp4", again));
  EXPECT_EQ(again.minute, 59);
  EXPECT_EQ(again.second, 60);

  const LocalTime unchanged{1, 2, 3, 4, 5, 6};
  LocalTime u = unchanged;
  for (const char* month : {"2026-3", "2026_03", "20x6-03", ".exports", "2026-03-"})
    EXPECT_FALSE(ParseRecordingMonthFolder(month, u)) << month;
  for (const char* two : {"7", "007", "x7", ""}) {
    EXPECT_FALSE(ParseRecordingDayFolder(two, u)) << two;
    EXPECT_FALSE(ParseRecordingHourFolder(two, u)) << two;
  }
  for (const char* file : {"60.00.mp4", "05.61.mp4", "5.02.mp4", "05-02.mp4", "05.02.mkv",
                           "05.02x1.mp4", "front-20260307090502.mp4"})
    EXPECT_FALSE(ParseRecordingFileName(file, u)) << file;
  EXPECT_EQ(u.year, unchanged.year);
  EXPECT_EQ(u.month, unchanged.month);
  EXPECT_EQ(u.day, unchanged.day);
  EXPECT_EQ(u.hour, unchanged.hour);
  EXPECT_EQ(u.minute, unchanged.minute);
  EXPECT_EQ(u.second, unchanged.second);
}

TEST(ExportsTest, AreAHiddenFolderOfTheRecordingsWithPerProcessNames) {
  EXPECT_EQ(ExportsFolder("/rec"), "/rec/.exports");
  EXPECT_EQ(ExportFileName("front", 3), "front-" + std::to_string(::getpid()) + "-3.mp4");
  EXPECT_NE(ExportFileName("front", 3), ExportFileName("front", 4));
}

}  // namespace
}  // namespace corvette::storage
