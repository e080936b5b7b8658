#include "events/clips_bound.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../storage/test_dir.h"

namespace corvette::events {
namespace {
namespace fs = std::filesystem;

class ClipsSizeBoundTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_.File("clips"));
    store_ = std::make_unique<storage::EventStore>(
        storage::EventStore::Options{.path = dir_.File("clips/frigate.db")});
  }
  // An event starting at `start` with a 1000-byte clip and a 100-byte snapshot.
  std::string Add(double start) {
    storage::EventRecord event;
    event.id = fmt::format("{:.6f}-{}", start, next_++);
    event.camera = "front";
    event.label = "person";
    event.start_time = start;
    event.end_time = start + 10;
    event.has_clip = event.has_snapshot = true;
    std::ofstream(Clip(event.id)) << std::string(1000, 'c');
    std::ofstream(Snapshot(event.id)) << std::string(100, 's');
    EXPECT_TRUE(store_->WaitDurable(store_->Upsert(event)));
    return event.id;
  }
  std::string Clip(const std::string& id) { return dir_.File("clips/front-" + id + ".mp4"); }
  std::string Snapshot(const std::string& id) { return dir_.File("clips/front-" + id + ".jpg"); }
  ClipsSizeBound::Options Options() {
    ClipsSizeBound::Options options;
    options.clips_dir = dir_.File("clips");
    options.disk_space = [this](const std::string&) { return space_; };
    return options;
  }

  storage::testing::TestDir dir_;
  std::unique_ptr<storage::EventStore> store_;
  storage::DiskSpace space_{100ULL << 30, 50ULL << 30};
  int next_ = 0;
};

TEST_F(ClipsSizeBoundTest, OverTheBoundTheOldestEventsFilesGoAndTheirRowsSaySo) {
  std::string oldest = Add(1000), middle = Add(2000), newest = Add(3000);
  ClipsSizeBound::Options options = Options();
  options.max_bytes = 2300;  // 3 x 1100 bytes: the oldest event must go
  ClipsSizeBound bound(options, *store_);
  ClipsSizeBound::PassResult result = bound.RunOnce();
  EXPECT_EQ(result.bytes_before, 3300u);
  EXPECT_EQ(result.bytes_after, 2200u);
  EXPECT_EQ(result.deleted, 2);
  EXPECT_FALSE(fs::exists(Clip(oldest)));
  EXPECT_FALSE(fs::exists(Snapshot(oldest)));
  EXPECT_TRUE(fs::exists(Clip(middle)));
  std::optional<storage::EventRecord> row = store_->Get(oldest);
  ASSERT_TRUE(row);  // the event stays, without its files
  EXPECT_FALSE(row->has_clip);
  EXPECT_FALSE(row->has_snapshot);
  EXPECT_TRUE(store_->Get(newest)->has_clip);
  // Under the bound: nothing more.
  EXPECT_EQ(bound.RunOnce().deleted, 0);
}

TEST_F(ClipsSizeBoundTest, APercentageIsOfTheFileSystem) {
  Add(1000);
  Add(2000);
  ClipsSizeBound::Options options = Options();
  space_ = {100000, 50000};
  options.max_fraction = 0.012;  // 1200 bytes
  ClipsSizeBound bound(options, *store_);
  EXPECT_EQ(bound.RunOnce().bytes_after, 1100u);
}

TEST_F(ClipsSizeBoundTest, UnderTheFloorClipsGoOnlyOnceNoRecordingIsLeftToDelete) {
  std::string oldest = Add(1000);
  Add(2000);
  ClipsSizeBound::Options options = Options();
  space_ = {1ULL << 30, 1000};  // far under the 5% floor
  bool recordings_left = true;
  options.recordings_left = [&] { return recordings_left; };
  ClipsSizeBound bound(options, *store_);
  EXPECT_EQ(bound.RunOnce().deleted, 0);  // the recordings go first
  EXPECT_TRUE(fs::exists(Clip(oldest)));

  recordings_left = false;
  int calls = 0;
  ClipsSizeBound::Options freeing = Options();
  freeing.recordings_left = [&] { return false; };
  // Deleting the oldest event (its clip and snapshot) frees what the floor needs.
  freeing.disk_space = [&](const std::string&) {
    ++calls;
    return storage::DiskSpace{1ULL << 30, calls >= 2 ? (1ULL << 30) : 1000ULL};
  };
  ClipsSizeBound freeing_bound(freeing, *store_);
  EXPECT_EQ(freeing_bound.RunOnce().deleted, 2);
  EXPECT_FALSE(fs::exists(Clip(oldest)));
  EXPECT_FALSE(fs::exists(Snapshot(oldest)));
}

}  // namespace
}  // namespace corvette::events
