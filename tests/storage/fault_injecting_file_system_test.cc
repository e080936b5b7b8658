#include "fault_injecting_file_system.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

#include "test_dir.h"

namespace corvette::storage::testing {
namespace {

using Op = FaultInjectingFileSystem::Op;

TEST(FaultInjectingFileSystemTest, FailsOnlyTheChosenCallWithTheChosenError) {
  TestDir dir;
  FaultInjectingFileSystem file_system;
  file_system.FailNth(Op::kWrite, 2, ENOSPC);
  file_system.WriteNewFile(dir.File("1"), "abcd");
  try {
    file_system.WriteNewFile(dir.File("2"), "abcd");
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::no_space_on_device);
    EXPECT_NE(std::string(e.what()).find(dir.File("2")), std::string::npos) << e.what();
  }
  file_system.WriteNewFile(dir.File("3"), "abcd");
  EXPECT_EQ(std::filesystem::file_size(dir.File("1")), 4u);
  EXPECT_EQ(std::filesystem::file_size(dir.File("2")), 2u) << "half written, as on a full disk";
  EXPECT_EQ(std::filesystem::file_size(dir.File("3")), 4u);
  EXPECT_EQ(file_system.Calls(Op::kWrite), 3);
  EXPECT_EQ(file_system.Failures(), 1);
}

TEST(FaultInjectingFileSystemTest, AFailedFsyncOrRenameChangesNothing) {
  TestDir dir;
  FaultInjectingFileSystem file_system;
  file_system.FailNth(Op::kSyncFile, 1, EIO);
  file_system.FailNth(Op::kRename, 1, EIO);
  file_system.FailNth(Op::kSyncFolder, 1, EIO);
  file_system.WriteNewFile(dir.File("a"), "x");
  EXPECT_THROW(file_system.SyncFile(dir.File("a")), std::system_error);
  EXPECT_THROW(file_system.Rename(dir.File("a"), dir.File("b")), std::system_error);
  EXPECT_THROW(file_system.SyncFolder(dir.path()), std::system_error);
  EXPECT_EQ(dir.Names(), std::vector<std::string>{"a"});
  // The next calls go through.
  file_system.SyncFile(dir.File("a"));
  file_system.Rename(dir.File("a"), dir.File("b"));
  file_system.SyncFolder(dir.path());
  EXPECT_EQ(dir.Names(), std::vector<std::string>{"b"});
  EXPECT_EQ(file_system.Failures(), 3);
}

}  // namespace
}  // namespace corvette::storage::testing
