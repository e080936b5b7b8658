#include "events/retention.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "clip_test_util.h"
#include "events/clip_assembler.h"

namespace corvette::events {
namespace {
namespace fs = std::filesystem;
using testing::TestDir;

constexpr double kDay = 86400.0;

class RetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_.File("clips"));
    storage::EventStore::Options options;
    options.path = dir_.File("clips/frigate.db");
    store_ = std::make_unique<storage::EventStore>(options);
  }
  // A stored event `age_days` old with the given files (written to the clips folder).
  std::string Add(const std::string& camera, const std::string& label, double age_days, bool clip,
                  bool snapshot) {
    storage::EventRecord event;
    event.start_time = clock_.Now() - age_days * kDay;
    event.end_time = event.start_time + 20;
    event.id = fmt::format("{:.6f}-{}", event.start_time, next_++);
    event.camera = camera;
    event.label = label;
    event.has_clip = clip;
    event.has_snapshot = snapshot;
    if (clip)
      std::ofstream(ClipFile(camera, event.id)) << "mp4";
    if (snapshot)
      std::ofstream(SnapshotFile(camera, event.id)) << "jpg";
    EXPECT_TRUE(store_->WaitDurable(store_->Upsert(event)));
    return event.id;
  }
  std::string ClipFile(const std::string& camera, const std::string& id) {
    return dir_.File("clips/" + camera + "-" + id + ".mp4");
  }
  std::string SnapshotFile(const std::string& camera, const std::string& id) {
    return dir_.File("clips/" + camera + "-" + id + ".jpg");
  }
  EventRetention::Options Options() {
    EventRetention::Options options;
    options.clips_dir = dir_.File("clips");
    CameraRetention front;
    front.clips = {5, {{"car", 1}}};
    front.snapshots = {10, {}};
    options.cameras["front"] = front;
    options.global.clips = {3, {}};
    options.global.snapshots = {3, {}};
    return options;
  }

  TestDir dir_;
  util::ManualClock clock_{1'790'000'000.0};
  std::unique_ptr<storage::EventStore> store_;
  int next_ = 0;
};

TEST_F(RetentionTest, ClipsAndSnapshotsExpireByCameraAndLabelDays) {
  std::string person_old = Add("front", "person", 6, true, true);    // clip 5 d: expired
  std::string person_fresh = Add("front", "person", 4, true, true);  // kept
  std::string car_old = Add("front", "car", 2, true, false);         // car clips 1 d: expired
  std::string gone_old = Add("removed", "person", 4, true, true);    // global 3 d: both expire
  std::string gone_fresh = Add("removed", "person", 2, true, false);

  EventRetention retention(Options(), *store_, clock_);
  auto result = retention.RunOnce();
  EXPECT_EQ(result.clips_expired, 3);
  EXPECT_EQ(result.snapshots_expired, 1);

  auto row = store_->Get(person_old);
  ASSERT_TRUE(row);
  EXPECT_FALSE(row->has_clip);
  EXPECT_TRUE(row->has_snapshot);  // snapshots keep 10 days
  EXPECT_FALSE(fs::exists(ClipFile("front", person_old)));
  EXPECT_TRUE(fs::exists(SnapshotFile("front", person_old)));
  EXPECT_TRUE(store_->Get(person_fresh)->has_clip);
  EXPECT_TRUE(fs::exists(ClipFile("front", person_fresh)));
  EXPECT_FALSE(store_->Get(car_old)->has_clip);
  EXPECT_FALSE(fs::exists(ClipFile("front", car_old)));
  // The removed camera's old event lost both files; its row goes once older than 3 days and
  // without files (same pass).
  EXPECT_FALSE(fs::exists(ClipFile("removed", gone_old)));
  EXPECT_FALSE(fs::exists(SnapshotFile("removed", gone_old)));
  EXPECT_FALSE(store_->Get(gone_old));
  EXPECT_EQ(result.rows_removed, 1);
  EXPECT_TRUE(store_->Get(gone_fresh)->has_clip);
}

TEST_F(RetentionTest, EventsThatNeverHadFilesStayUntilTheLongestRetention) {
  std::string young = Add("front", "person", 8, false, false);  // longest of front/person: 10 d
  std::string old = Add("front", "person", 11, false, false);
  std::string car = Add("front", "car", 11, false, false);       // car: max(1, 10) = 10 d
  std::string removed = Add("removed", "dog", 2, false, false);  // global: 3 d
  EventRetention retention(Options(), *store_, clock_);
  auto result = retention.RunOnce();
  EXPECT_EQ(result.rows_removed, 2);
  EXPECT_TRUE(store_->Get(young));
  EXPECT_FALSE(store_->Get(old));
  EXPECT_FALSE(store_->Get(car));
  EXPECT_TRUE(store_->Get(removed));
}

TEST_F(RetentionTest, DistinctEventsInTheSameFiveSecondsAreAllKept) {
  // 0.8's duplicate purge would keep only the longest of these.
  storage::EventRecord a;
  a.id = "1789999000.0-aaaaaa";
  a.camera = "front";
  a.label = "person";
  a.start_time = 1'789'999'000.0;
  a.end_time = a.start_time + 30;
  a.has_snapshot = true;
  storage::EventRecord b = a;
  b.id = "1789999001.0-bbbbbb";
  b.start_time += 1;
  b.end_time = b.start_time + 3;
  std::ofstream(SnapshotFile("front", a.id)) << "jpg";
  std::ofstream(SnapshotFile("front", b.id)) << "jpg";
  store_->Upsert(a);
  store_->WaitDurable(store_->Upsert(b));
  EventRetention retention(Options(), *store_, clock_);
  retention.RunOnce();
  EXPECT_TRUE(store_->Get(a.id));
  EXPECT_TRUE(store_->Get(b.id));
  EXPECT_TRUE(fs::exists(SnapshotFile("front", b.id)));
}

TEST_F(RetentionTest, StartupSweepClearsFlagsOfMissingFilesAndRemovesTemporaries) {
  std::string whole = Add("front", "person", 1, true, true);
  std::string lost_clip = Add("front", "person", 1, true, true);
  fs::remove(ClipFile("front", lost_clip));
  std::string lost_snapshot = Add("front", "person", 1, false, true);
  fs::remove(SnapshotFile("front", lost_snapshot));
  std::ofstream(dir_.File("clips/.front-x.mp4.assembling")) << "partial";
  std::ofstream(dir_.File("clips/.front-x.concat")) << "file 'a'";
  std::ofstream(dir_.File("clips/front-y.jpg.tmp-123-4")) << "partial";

  SweepResult result = StartupSweep({dir_.File("clips"), "", ""}, *store_);
  EXPECT_EQ(result.temporaries_removed, 3);
  EXPECT_EQ(result.clips_cleared, 1);
  EXPECT_EQ(result.snapshots_cleared, 1);
  EXPECT_TRUE(store_->Get(whole)->has_clip);
  EXPECT_TRUE(store_->Get(whole)->has_snapshot);
  EXPECT_FALSE(store_->Get(lost_clip)->has_clip);
  EXPECT_TRUE(store_->Get(lost_clip)->has_snapshot);
  EXPECT_FALSE(store_->Get(lost_snapshot)->has_snapshot);
  EXPECT_TRUE(fs::exists(dir_.File("clips/frigate.db")));
  EXPECT_FALSE(fs::exists(dir_.File("clips/.front-x.concat")));
}

}  // namespace
}  // namespace corvette::events
