#include "claimed_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_dir.h"

namespace corvette::storage::testing {
namespace {

TEST(ClaimedFilesExistTest, FailsNamingEachClaimedFileThatIsMissing) {
  TestDir dir;
  EventStore store({.path = dir.File("frigate.db")});
  EventRecord event;
  event.id = "1790000000.0-abc";
  event.camera = "front";
  event.label = "person";
  store.Upsert(event);
  store.SetHasClip(event.id, true);
  store.SetHasSnapshot(event.id, true);
  ASSERT_TRUE(store.Flush());
  const std::string clip = EventClipPath(dir.path(), event.camera, event.id);
  const std::string snapshot = EventSnapshotPath(dir.path(), event.camera, event.id);

  ::testing::AssertionResult result = ClaimedFilesExist(store, dir.path());
  EXPECT_FALSE(result);
  EXPECT_NE(std::string(result.message()).find(clip), std::string::npos) << result.message();
  EXPECT_NE(std::string(result.message()).find(snapshot), std::string::npos) << result.message();

  std::ofstream(clip) << "mp4";
  result = ClaimedFilesExist(store, dir.path());
  EXPECT_FALSE(result);
  EXPECT_EQ(std::string(result.message()).find(clip), std::string::npos) << result.message();

  std::ofstream(snapshot) << "jpg";
  EXPECT_TRUE(ClaimedFilesExist(store, dir.path()));
  // A file no row claims is no failure.
  store.SetHasClip(event.id, false);
  ASSERT_TRUE(store.Flush());
  std::filesystem::remove(clip);
  EXPECT_TRUE(ClaimedFilesExist(store, dir.path()));
}

}  // namespace
}  // namespace corvette::storage::testing
