#include "events/event_processor.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "../storage/claimed_files.h"
#include "../storage/fault_injecting_file_system.h"
#include "events/base64.h"
#include "image/jpeg.h"
#include "storage/database.h"
#include "storage/event_store.h"
#include "storage/media_layout.h"
#include "test_support.h"

namespace corvette::events {
namespace {

using testing::Driver;
using testing::Record;
using testing::RecordingListener;
using testing::TestDir;

constexpr int kWidth = 1280;
constexpr int kHeight = 720;

track::Zone WalkZone() {
  // The right half of the frame.
  track::Zone zone;
  zone.name = "walk";
  zone.polygon = {{640, 0}, {1279, 0}, {1279, 719}, {640, 719}};
  return zone;
}

EventProcessorOptions Options(const std::string& camera = "front") {
  EventProcessorOptions o;
  o.camera = camera;
  o.frame_width = kWidth;
  o.frame_height = kHeight;
  o.zones = {WalkZone()};
  return o;
}

const track::Box kLeft{100, 100, 200, 400};   // bottom centre (150, 400): outside the zone
const track::Box kRight{700, 100, 800, 400};  // inside the zone
const track::Box kBigLeft{80, 60, 220, 440};  // > 1.1x the area of kLeft

std::vector<std::string> Types(RecordingListener& listener) {
  std::lock_guard lock(listener.mutex);
  std::vector<std::string> types;
  for (const auto& m : listener.messages)
    types.push_back(m.type);
  return types;
}

TEST(EventProcessorTest, NewThenThrottledUpdateThenEndWithLastSeenTime) {
  EventProcessor processor(Options());
  auto listener = std::make_shared<RecordingListener>();
  processor.AddListener(listener);
  Driver driver(processor, kWidth, kHeight);
  const double start = driver.now();

  // Seen on every frame; enters the zone at +2 s (a significant change inside the 5-s window).
  double last_seen = 0;
  while (driver.now() < start + 8.0) {
    const double t = driver.now();
    track::Box box = t < start + 2.0 ? kLeft : kRight;
    driver.Frame({Record("p1", "person", 0.8, box, t, start)});
    last_seen = t;
  }
  // The tracker keeps it three more frames without a match, then removes it.
  for (int i = 0; i < 3; ++i)
    driver.Frame({Record("p1", "person", 0.8, kRight, last_seen, start)});
  driver.Frame({});
  processor.Flush();

  ASSERT_EQ(Types(*listener), (std::vector<std::string>{"new", "update", "end"}));
  const auto& m = listener->messages;
  for (const auto& message : m) {
    EXPECT_EQ(message.after["id"], "p1");
    EXPECT_EQ(message.after["camera"], "front");
    EXPECT_TRUE(message.after["thumbnail"].is_null());
  }
  // new: on the second frame (history [0.8, 0.8] -> 0.8 >= 0.7), before = the registration state.
  EXPECT_DOUBLE_EQ(m[0].after["frame_time"].get<double>(), start + 0.2);
  EXPECT_EQ(m[0].before["false_positive"], true);
  EXPECT_EQ(m[0].after["false_positive"], false);
  EXPECT_TRUE(m[0].after["end_time"].is_null());
  // update: the zone change at +2 s waits for the first frame more than 5 s after "new".
  const double gap =
      m[1].after["frame_time"].get<double>() - m[0].after["frame_time"].get<double>();
  EXPECT_GT(gap, 5.0);
  EXPECT_LT(gap, 5.0 + 0.25);
  EXPECT_EQ(m[1].type, "update");
  EXPECT_EQ(m[1].after["current_zones"], nlohmann::json::array({"walk"}));
  EXPECT_EQ(m[1].before, m[0].after);
  // end: end_time is the last time it was seen, not the frame it was removed on.
  EXPECT_DOUBLE_EQ(m[2].after["end_time"].get<double>(), last_seen);
  EXPECT_EQ(m[2].after["entered_zones"], nlohmann::json::array({"walk"}));
  EXPECT_FALSE(processor.FindLive("p1").has_value());
}

TEST(EventProcessorTest, FalsePositivesAreNeverEmittedOrStoredAndReleaseTheirFrames) {
  TestDir dir;
  TestDir clips;
  storage::EventStore store({.path = dir.File("frigate.db")});
  EventProcessorOptions options = Options();
  options.store = &store;
  options.clips_dir = clips.path();
  options.snapshots.enabled = true;
  EventProcessor processor(options);
  auto listener = std::make_shared<RecordingListener>();
  processor.AddListener(listener);
  Driver driver(processor, kWidth, kHeight);
  const double start = driver.now();

  std::vector<std::shared_ptr<const video::Frame>> frames;
  for (int i = 0; i < 20; ++i) {
    double t = driver.now();
    frames.push_back(driver.Frame({Record("fp", "person", 0.6, kRight, t, start)}));
  }
  auto live = processor.FindLive("fp");
  ASSERT_TRUE(live.has_value());  // reachable while tracked (thumbnail endpoint: black)
  EXPECT_TRUE(live->false_positive);
  EXPECT_EQ(live->frame, nullptr);
  EXPECT_EQ(driver.last_zone_occupied, std::vector<bool>{true});  // drawn as occupied
  driver.Frame({});
  processor.Flush();

  EXPECT_TRUE(listener->messages.empty());
  EXPECT_TRUE(listener->counts.empty());
  EXPECT_TRUE(listener->snapshots.empty());
  EXPECT_TRUE(listener->stored.empty());
  EXPECT_TRUE(store.Query({}).empty());
  EXPECT_FALSE(processor.FindLive("fp").has_value());
  EXPECT_TRUE(clips.Names().empty()) << "no snapshot file";
  for (const auto& frame : frames)
    EXPECT_EQ(frame.use_count(), 1) << "a false positive's frame is still held";
}

// §8.1 "start" for every tracked object, false positives included, before anything else about
// it (the clip cache holds its segments from then on); a false positive that leaves is told as
// such, a true positive ends with its stored row instead.
TEST(EventProcessorTest, EveryTrackedObjectIsToldAtItsStartAndFalsePositivesAtTheirEnd) {
  EventProcessor processor(Options());
  auto listener = std::make_shared<RecordingListener>();
  processor.AddListener(listener);
  Driver driver(processor, kWidth, kHeight);
  const double start = driver.now();

  // "fp" scores 0.6 throughout (never a true positive) and leaves first; "p1" appears a frame
  // later at 0.8.
  double p1_start = 0;
  for (int i = 0; i < 10; ++i) {
    const double t = driver.now();
    std::vector<track::TrackedRecord> objects;
    if (i < 8)
      objects.push_back(Record("fp", "person", 0.6, kLeft, t, start));
    if (i >= 1) {
      if (p1_start == 0)
        p1_start = t;
      objects.push_back(Record("p1", "person", 0.8, kRight, t, p1_start));
    }
    driver.Frame(objects);
  }
  driver.Frame({});
  processor.Flush();

  std::lock_guard lock(listener->mutex);
  ASSERT_EQ(listener->started.size(), 2u);
  EXPECT_EQ(listener->started[0].camera, "front");
  EXPECT_EQ(listener->started[0].id, "fp");
  EXPECT_DOUBLE_EQ(listener->started[0].start_time, start);
  EXPECT_EQ(listener->started[1].id, "p1");
  EXPECT_DOUBLE_EQ(listener->started[1].start_time, p1_start);
  EXPECT_EQ(listener->ended_without_event, std::vector<std::string>{"front/fp"});
  EXPECT_EQ(listener->sequence,
            (std::vector<std::string>{"started fp", "started p1", "new p1",
                                      "ended without event fp", "end p1", "stored p1"}));
}

TEST(EventProcessorTest, CountsRiseAndReturnToZeroPerCameraAndZoneSummedOverCameras) {
  auto zone_counts = std::make_shared<ZoneCounts>();
  EventProcessorOptions front_options = Options("front");
  front_options.zone_counts = zone_counts;
  EventProcessorOptions back_options = Options("back");
  back_options.zone_counts = zone_counts;
  EventProcessor front(front_options);
  EventProcessor back(back_options);
  auto listener = std::make_shared<RecordingListener>();
  front.AddListener(listener);
  back.AddListener(listener);
  Driver front_driver(front, kWidth, kHeight);
  Driver back_driver(back, kWidth, kHeight);
  const double start = front_driver.now();

  for (int i = 0; i < 5; ++i) {
    double t = front_driver.now();
    front_driver.Frame({Record("a", "person", 0.9, kRight, t, start),
                        Record("b", "person", 0.9, kLeft, t, start)});
    back_driver.Frame({Record("c", "person", 0.9, kRight, t, start)});
  }
  front.Flush();
  back.Flush();
  {
    std::lock_guard lock(listener->mutex);
    std::map<std::string, int> last;
    for (const auto& c : listener->counts) {
      EXPECT_EQ(c.label, "person");
      last[c.name] = c.count;
    }
    EXPECT_EQ(last["front"], 2);
    EXPECT_EQ(last["back"], 1);
    EXPECT_EQ(last["walk"], 2);  // a on front + c on back
    for (const auto& c : listener->counts)
      EXPECT_NE(c.count, 0) << "no initial 0 for " << c.name;
  }
  EXPECT_EQ(zone_counts->Get("walk", "person"), 2);

  front_driver.Frame({});
  back_driver.Frame({});
  front.Flush();
  back.Flush();
  std::lock_guard lock(listener->mutex);
  std::map<std::string, int> last;
  for (const auto& c : listener->counts)
    last[c.name] = c.count;
  EXPECT_EQ(last["front"], 0);
  EXPECT_EQ(last["back"], 0);
  EXPECT_EQ(last["walk"], 0);
}

TEST(EventProcessorTest, BestObjectRulesAndSnapshotAgainWhenCountReturnsToZero) {
  EventProcessorOptions options = Options();
  options.best_image_timeout = 60;
  EventProcessor processor(options);
  auto listener = std::make_shared<RecordingListener>();
  processor.AddListener(listener);
  Driver driver(processor, kWidth, kHeight);
  const double start = driver.now();

  EXPECT_FALSE(processor.Best("person").has_value());
  driver.Frame({Record("a", "person", 0.8, kLeft, start, start)});
  driver.Frame({Record("a", "person", 0.8, kLeft, start + 0.2, start)});
  processor.Flush();
  ASSERT_TRUE(processor.Best("person").has_value());
  EXPECT_EQ(processor.Best("person")->id, "a");
  ASSERT_EQ(listener->snapshots.size(), 1u);
  EXPECT_EQ(listener->snapshots[0].label, "person");
  // mqtt defaults: crop and height 270.
  EXPECT_EQ(image::ReadJpegSize(*listener->snapshots[0].jpeg).height, 270);

  // A second person, same size and score: not better, a stays best.
  double t = driver.now();
  driver.Frame(
      {Record("a", "person", 0.8, kLeft, t, start), Record("b", "person", 0.8, kRight, t, t)});
  t = driver.now();
  driver.Frame({Record("a", "person", 0.8, kLeft, t, start),
                Record("b", "person", 0.8, kRight, t, t - 0.2)});
  processor.Flush();
  EXPECT_EQ(processor.Best("person")->id, "a");
  EXPECT_EQ(listener->snapshots.size(), 1u);
  // b grows by more than 10 %: better, becomes best.
  t = driver.now();
  track::Box bigger{680, 60, 820, 440};
  driver.Frame({Record("a", "person", 0.8, kLeft, t, start),
                Record("b", "person", 0.8, bigger, t, t - 0.4)});
  processor.Flush();
  EXPECT_EQ(processor.Best("person")->id, "b");
  EXPECT_EQ(listener->snapshots.size(), 2u);

  // Both leave: count 0 -> the best snapshot is published again.
  driver.Frame({});
  processor.Flush();
  {
    std::lock_guard lock(listener->mutex);
    EXPECT_EQ(listener->snapshots.size(), 3u);
    EXPECT_EQ(listener->counts.back().count, 0);
  }
  // Best objects are never cleared and keep their frame for best.jpg.
  ASSERT_TRUE(processor.Best("person").has_value());
  EXPECT_NE(processor.Best("person")->frame, nullptr);

  // After best_image_timeout any new thumbnail replaces it, even a worse one.
  driver.Frame({}, 61.0);
  t = driver.now();
  track::Box small{300, 300, 340, 380};
  driver.Frame({Record("c", "person", 0.75, small, t, t)});
  driver.Frame({Record("c", "person", 0.75, small, t + 0.2, t)});
  processor.Flush();
  EXPECT_EQ(processor.Best("person")->id, "c");
}

TEST(EventProcessorTest, StoresTrueEventsWithAtomicSnapshotFileAndFlags) {
  TestDir dir;
  TestDir clips;
  storage::EventStore store({.path = dir.File("frigate.db")});
  EventProcessorOptions options = Options();
  options.store = &store;
  options.clips_dir = clips.path();
  options.snapshots.enabled = true;
  options.clips.enabled = true;
  options.clips.required_zones = {"walk"};
  EventProcessor processor(options);
  auto listener = std::make_shared<RecordingListener>();
  processor.AddListener(listener);
  Driver driver(processor, kWidth, kHeight);
  const double start = driver.now();

  double last_seen = 0;
  for (int i = 0; i < 10; ++i) {
    last_seen = driver.now();
    driver.Frame({Record("e1", "person", 0.85, i < 5 ? kLeft : kBigLeft, last_seen, start)});
  }
  processor.Flush();
  // In progress: the row is visible with end_time = last seen so far, no snapshot yet.
  std::optional<storage::EventRecord> row = store.Get("e1");
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->camera, "front");
  EXPECT_EQ(row->label, "person");
  EXPECT_DOUBLE_EQ(row->start_time, start);
  EXPECT_GT(row->end_time, start);
  EXPECT_LE(row->end_time, last_seen);
  EXPECT_FALSE(row->has_snapshot);
  EXPECT_FALSE(row->has_clip);
  EXPECT_FALSE(row->thumbnail.empty());
  EXPECT_TRUE(row->in_progress);
  ASSERT_TRUE(processor.FindLive("e1").has_value());
  EXPECT_NE(processor.FindLive("e1")->frame, nullptr);
  auto live_snapshot = EventProcessor::RenderSnapshot(
      *processor.FindLive("e1"),
      {.timestamp = true, .bounding_box = true, .crop = false, .height = 360});
  ASSERT_TRUE(live_snapshot.has_value());
  EXPECT_EQ(image::ReadJpegSize(*live_snapshot).height, 360);

  driver.Frame({Record("e1", "person", 0.85, kBigLeft, last_seen, start)});
  driver.Frame({});
  processor.Flush();

  row = store.Get("e1");
  ASSERT_TRUE(row.has_value());
  EXPECT_DOUBLE_EQ(row->end_time, last_seen);
  EXPECT_TRUE(row->has_snapshot);
  EXPECT_FALSE(row->has_clip);
  EXPECT_TRUE(row->zones.empty());
  EXPECT_FALSE(row->in_progress);
  const std::string file = clips.File("front-e1.jpg");
  ASSERT_TRUE(std::filesystem::exists(file));
  EXPECT_EQ(clips.Names(), std::vector<std::string>{"front-e1.jpg"}) << "no temporary left";
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  image::JpegSize size = image::ReadJpegSize(bytes);
  EXPECT_EQ(size.width, kWidth);  // snapshots.*: no crop, original height
  EXPECT_EQ(size.height, kHeight);
  std::optional<std::string> thumbnail = Base64Decode(row->thumbnail);
  ASSERT_TRUE(thumbnail.has_value());
  EXPECT_EQ(image::ReadJpegSize(*thumbnail).height, 175);
  EXPECT_FALSE(processor.FindLive("e1").has_value());
  ASSERT_EQ(listener->stored.size(), 1u);
  EXPECT_FALSE(listener->clip_decisions[0]) << "clips.required_zones not entered";
  EXPECT_EQ(processor.counters().events_started, 1u);
  EXPECT_EQ(processor.counters().events_stored, 1u);
  EXPECT_EQ(processor.counters().snapshots_written, 1u);
  EXPECT_TRUE(storage::testing::ClaimedFilesExist(store, clips.path()));
}

using SnapshotStep = storage::testing::FaultInjectingFileSystem::Op;
struct SnapshotFault {
  SnapshotStep step;
  int error;
  const char* name;
};

class SnapshotWriteFaultTest : public ::testing::TestWithParam<SnapshotFault> {};

// The snapshot write failing (a full disk: ENOSPC on the write; a failing one: EIO on an fsync or
// the rename): the event is still stored, without a snapshot, and no file or temporary is left.
TEST_P(SnapshotWriteFaultTest, LeavesNoSnapshotFileAndNoClaim) {
  TestDir dir;
  TestDir clips;
  storage::EventStore store({.path = dir.File("frigate.db")});
  storage::testing::FaultInjectingFileSystem file_system;
  file_system.FailNth(GetParam().step, 1, GetParam().error);
  EventProcessorOptions options = Options();
  options.store = &store;
  options.clips_dir = clips.path();
  options.snapshots.enabled = true;
  options.file_system = &file_system;
  EventProcessor processor(options);
  Driver driver(processor, kWidth, kHeight);
  const double start = driver.now();
  for (int i = 0; i < 10; ++i)
    driver.Frame({Record("e1", "person", 0.85, kLeft, driver.now(), start)});
  driver.Frame({});
  processor.Flush();

  EXPECT_EQ(file_system.Failures(), 1);
  std::optional<storage::EventRecord> row = store.Get("e1");
  ASSERT_TRUE(row.has_value());
  EXPECT_FALSE(row->in_progress);
  EXPECT_FALSE(row->has_snapshot);
  EXPECT_FALSE(
      std::filesystem::exists(storage::EventSnapshotPath(clips.path(), options.camera, "e1")));
  EXPECT_TRUE(clips.Names().empty()) << "left behind: " << clips.Names().front();
  EXPECT_TRUE(storage::testing::ClaimedFilesExist(store, clips.path()));
  EXPECT_EQ(processor.counters().snapshot_failures, 1u);
  EXPECT_EQ(processor.counters().snapshots_written, 0u);
  EXPECT_EQ(processor.counters().events_stored, 1u);
}

INSTANTIATE_TEST_SUITE_P(
    EachStep, SnapshotWriteFaultTest,
    ::testing::Values(SnapshotFault{SnapshotStep::kWrite, ENOSPC, "WriteNoSpace"},
                      SnapshotFault{SnapshotStep::kSyncFile, EIO, "FsyncIo"},
                      SnapshotFault{SnapshotStep::kRename, EIO, "RenameIo"},
                      SnapshotFault{SnapshotStep::kSyncFolder, EIO, "FolderFsyncIo"}),
    [](const auto& info) { return std::string(info.param.name); });

// What a client does on an `end` message: read the event from the API at once.
class ReadsTheRowOnEnd : public EventListener {
 public:
  explicit ReadsTheRowOnEnd(const storage::EventStore& store) : store_(store) {}
  void OnEventMessage(const track::EventMessage& message) override {
    if (message.type == "end") {
      end_after = message.after;
      row_on_end = store_.Get(message.after["id"].get<std::string>());
    }
  }
  nlohmann::json end_after;
  std::optional<storage::EventRecord> row_on_end;

 private:
  const storage::EventStore& store_;
};

TEST(EventProcessorTest, TheEndMessageFindsTheFinalRowStored) {
  TestDir dir;
  TestDir clips;
  storage::EventStore store({.path = dir.File("frigate.db")});
  EventProcessorOptions options = Options();
  options.store = &store;
  options.clips_dir = clips.path();
  options.snapshots.enabled = true;
  EventProcessor processor(options);
  auto reader = std::make_shared<ReadsTheRowOnEnd>(store);
  processor.AddListener(reader);
  Driver driver(processor, kWidth, kHeight);
  const double start = driver.now();
  double last_seen = 0;
  for (int i = 0; i < 10; ++i) {
    last_seen = driver.now();
    driver.Frame({Record("e1", "person", 0.85, i < 5 ? kLeft : kRight, last_seen, start)});
  }
  driver.Frame({});
  processor.Flush();

  ASSERT_TRUE(reader->row_on_end.has_value()) << "the row was not there when `end` went out";
  const storage::EventRecord& row = *reader->row_on_end;
  EXPECT_FALSE(row.in_progress);
  EXPECT_TRUE(row.has_snapshot);
  EXPECT_DOUBLE_EQ(row.end_time, last_seen);
  EXPECT_DOUBLE_EQ(reader->end_after["end_time"].get<double>(), row.end_time);
  EXPECT_DOUBLE_EQ(reader->end_after["start_time"].get<double>(), row.start_time);
  EXPECT_DOUBLE_EQ(reader->end_after["top_score"].get<double>(), row.top_score);
  EXPECT_EQ(reader->end_after["entered_zones"], nlohmann::json(row.zones));
}

TEST(EventProcessorTest, AnEventWhoseRowCannotBeStoredEndsWithoutEvent) {
  TestDir dir;
  storage::EventStore store({.path = dir.File("frigate.db")});
  EventProcessorOptions options = Options();
  options.store = &store;
  EventProcessor processor(options);
  auto listener = std::make_shared<RecordingListener>();
  processor.AddListener(listener);
  Driver driver(processor, kWidth, kHeight);
  const double start = driver.now();
  for (int i = 0; i < 5; ++i)
    driver.Frame({Record("e1", "person", 0.85, kLeft, driver.now(), start)});
  processor.Flush();
  ASSERT_TRUE(store.Get("e1").has_value());

  // The fault: the table goes away behind the store's back, so the event's final write fails.
  storage::Database::Open(dir.File("frigate.db")).Exec("DROP TABLE event");
  driver.Frame({});
  processor.Flush();

  std::lock_guard lock(listener->mutex);
  EXPECT_TRUE(listener->stored.empty());
  EXPECT_EQ(listener->ended_without_event, std::vector<std::string>{"front/e1"});
  EXPECT_EQ(processor.counters().events_stored, 0u);
}

TEST(EventProcessorTest, SnapshotsOffAtRunTimeOrRequiredZoneMissedStillStoresTheEvent) {
  TestDir dir;
  TestDir clips;
  storage::EventStore store({.path = dir.File("frigate.db")});
  EventProcessorOptions options = Options();
  options.store = &store;
  options.clips_dir = clips.path();
  options.snapshots.enabled = true;
  options.snapshots.required_zones = {"walk"};
  EventProcessor processor(options);
  auto listener = std::make_shared<RecordingListener>();
  processor.AddListener(listener);
  Driver driver(processor, kWidth, kHeight);
  const double start = driver.now();

  // "left" never enters the zone; "right" does but snapshots are switched off before it ends.
  for (int i = 0; i < 5; ++i) {
    double t = driver.now();
    driver.Frame({Record("left", "person", 0.9, kLeft, t, start)});
  }
  driver.Frame({});
  processor.set_snapshots_enabled(false);
  for (int i = 0; i < 5; ++i) {
    double t = driver.now();
    driver.Frame({Record("right", "person", 0.9, kRight, t, t)});
  }
  driver.Frame({});
  processor.Flush();

  for (const char* id : {"left", "right"}) {
    auto row = store.Get(id);
    ASSERT_TRUE(row.has_value()) << id;
    EXPECT_FALSE(row->has_snapshot) << id;
  }
  EXPECT_EQ(store.Get("right")->zones, std::vector<std::string>{"walk"});
  EXPECT_TRUE(clips.Names().empty());
}

TEST(EventProcessorTest, ZoneOccupancyFollowsCurrentZones) {
  EventProcessor processor(Options());
  Driver driver(processor, kWidth, kHeight);
  const double start = driver.now();
  driver.Frame({Record("a", "person", 0.9, kRight, start, start)});
  EXPECT_EQ(driver.last_zone_occupied, std::vector<bool>{false});  // first frame: no zone logic
  driver.Frame({Record("a", "person", 0.9, kRight, start + 0.2, start)});
  EXPECT_EQ(driver.last_zone_occupied, std::vector<bool>{true});
  driver.Frame({Record("a", "person", 0.9, kLeft, start + 0.4, start)});
  EXPECT_EQ(driver.last_zone_occupied, std::vector<bool>{false});
}

}  // namespace
}  // namespace corvette::events
