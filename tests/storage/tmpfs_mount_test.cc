#include "storage/tmpfs_mount.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "test_dir.h"

namespace corvette::storage {
namespace {

using ::testing::HasSubstr;

long FileSystemType(const std::string& path) {
  struct statfs fs {};
  return ::statfs(path.c_str(), &fs) == 0 ? static_cast<long>(fs.f_type) : -1;
}

// The real mount(2): this needs CAP_SYS_ADMIN, which CI and the development machines have (they
// run as root); elsewhere the test says why it did not run.
TEST(TmpfsMountTest, MountsAUsableTmpfsOfTheSizeAndUnmountsIt) {
  if (::geteuid() != 0)
    GTEST_SKIP() << "mount(2) needs root";
  testing::TestDir dir;
  const std::string cache = dir.File("cache");
  std::filesystem::create_directories(cache);
  std::ofstream(cache + "/on-disk.mp4") << "x";
  const long disk_type = FileSystemType(cache);
  {
    TmpfsMount::Result result = TmpfsMount::Mount(cache, "2m");
    ASSERT_NE(result.mount, nullptr) << result.message;
    EXPECT_TRUE(result.on_tmpfs);
    EXPECT_THAT(result.message, HasSubstr("mounted a tmpfs of 2m"));
    EXPECT_EQ(FileSystemType(cache), TMPFS_MAGIC);
    struct statfs fs {};
    ASSERT_EQ(::statfs(cache.c_str(), &fs), 0);
    EXPECT_EQ(static_cast<unsigned long long>(fs.f_blocks) * fs.f_bsize, 2ULL << 20);
    EXPECT_FALSE(std::filesystem::exists(cache + "/on-disk.mp4"));  // hidden under the mount
    std::ofstream(cache + "/segment.mp4") << "in ram";
    EXPECT_TRUE(std::filesystem::exists(cache + "/segment.mp4"));

    // A second start finds the tmpfs there (a crash left it) and uses it without stacking another.
    TmpfsMount::Result again = TmpfsMount::Mount(cache, "2m");
    EXPECT_EQ(again.mount, nullptr);
    EXPECT_TRUE(again.on_tmpfs);
    EXPECT_THAT(again.message, HasSubstr("already on a tmpfs"));
  }
  EXPECT_EQ(FileSystemType(cache), disk_type);
  EXPECT_TRUE(std::filesystem::exists(cache + "/on-disk.mp4"));
  EXPECT_FALSE(std::filesystem::exists(cache + "/segment.mp4"));
}

TEST(TmpfsMountTest, WithoutThePrivilegeTheCacheStaysOnDiskAndTheMessageSaysWhy) {
  testing::TestDir dir;
  const std::string cache = dir.File("cache");
  std::filesystem::create_directories(cache);
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // As an unprivileged user (nobody), as corvette runs as a service.
    ::close(pipe_fds[0]);
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0))
      ::_exit(2);
    TmpfsMount::Result result = TmpfsMount::Mount(cache, "2m");
    const std::string text = result.message;
    (void)!::write(pipe_fds[1], text.data(), text.size());
    ::_exit(result.mount == nullptr && !result.on_tmpfs ? 0 : 1);
  }
  ::close(pipe_fds[1]);
  std::string message;
  char buffer[512];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;)
    message.append(buffer, static_cast<size_t>(n));
  ::close(pipe_fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << message;
  EXPECT_THAT(message, HasSubstr("cannot mount a tmpfs of 2m"));
  EXPECT_THAT(message, HasSubstr("CAP_SYS_ADMIN"));
  EXPECT_THAT(message, HasSubstr("stays on its disk"));
  EXPECT_NE(FileSystemType(cache), TMPFS_MAGIC);
}

}  // namespace
}  // namespace corvette::storage
