#include "stats/storage_stats.h"

#include <gtest/gtest.h>
#include <sys/statvfs.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

namespace corvette::stats {
namespace {

std::string WriteMounts(const std::string& text) {
  std::string path = testing::TempDir() + "/mounts_" +
                     testing::UnitTest::GetInstance()->current_test_info()->name();
  std::ofstream(path) << text;
  return path;
}

TEST(StorageStatsTest, MeasuresTmpLikeStatvfs) {
  struct statvfs info {};
  ASSERT_EQ(::statvfs("/tmp", &info), 0);
  StorageUsage usage = MeasureStorage("/tmp");
  const double total = static_cast<double>(info.f_blocks) * info.f_frsize / 1e6;
  EXPECT_GT(usage.total_mb, 0.0);
  EXPECT_NEAR(usage.total_mb, total, 0.051);
  EXPECT_LE(usage.used_mb, usage.total_mb);
  EXPECT_LE(usage.free_mb, usage.total_mb);
  // One decimal.
  EXPECT_DOUBLE_EQ(usage.total_mb, std::round(usage.total_mb * 10) / 10);
  EXPECT_FALSE(usage.mount_type.empty());
}

TEST(StorageStatsTest, MissingPathIsMeasuredAtItsNearestExistingParent) {
  StorageUsage parent = MeasureStorage("/tmp");
  StorageUsage missing = MeasureStorage("/tmp/corvette-does-not-exist/a/b");
  EXPECT_DOUBLE_EQ(missing.total_mb, parent.total_mb);
  EXPECT_EQ(missing.mount_type, parent.mount_type);
}

TEST(StorageStatsTest, DevShmIsTmpfs) {
  StorageUsage usage = MeasureStorage("/dev/shm");
  EXPECT_EQ(usage.mount_type, "tmpfs");
}

TEST(StorageStatsTest, LongestContainingMountPointWins) {
  std::string mounts = WriteMounts(
      "/dev/sda1 / ext4 rw 0 0\n"
      "tmpfs /tmp tmpfs rw 0 0\n"
      "/dev/sdb1 /tmp/cache xfs rw 0 0\n"
      "/dev/sdc1 /media/my\\040disk btrfs rw 0 0\n");
  EXPECT_EQ(MountTypeOf("/tmp/cache", mounts), "xfs");
  EXPECT_EQ(MountTypeOf("/tmp/cache/x.mp4", mounts), "xfs");
  EXPECT_EQ(MountTypeOf("/tmp/other", mounts), "tmpfs");
  // Whole components only: /tmpx is not under /tmp.
  EXPECT_EQ(MountTypeOf("/tmpx", mounts), "ext4");
  EXPECT_EQ(MountTypeOf("/media/my disk/clips", mounts), "btrfs");
  EXPECT_EQ(MountTypeOf("/media/frigate", mounts), "ext4");
}

TEST(StorageStatsTest, LaterMountOverTheSamePointWins) {
  std::string mounts = WriteMounts(
      "/dev/sda1 / ext4 rw 0 0\n"
      "/dev/sdb1 /data ext4 rw 0 0\n"
      "tmpfs /data tmpfs rw 0 0\n");
  EXPECT_EQ(MountTypeOf("/data/clips", mounts), "tmpfs");
}

TEST(StorageStatsTest, UnreadableMountTableGivesEmptyType) {
  EXPECT_EQ(MountTypeOf("/tmp", "/nonexistent/mounts"), "");
}

}  // namespace
}  // namespace corvette::stats
