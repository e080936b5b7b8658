#include "storage/file_system.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include "fault_injecting_file_system.h"
#include "test_dir.h"

namespace corvette::storage {
namespace {

using testing::FaultInjectingFileSystem;
using Op = FaultInjectingFileSystem::Op;

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void Write(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

TEST(WriteFileAtomicallyTest, WritesReplacesAndLeavesNoTemporary) {
  testing::TestDir dir;
  FileSystem& file_system = RealFileSystem::Instance();
  const std::string path = dir.File("cam-1.jpg");
  file_system.WriteFileAtomically(path, "first");
  EXPECT_EQ(Read(path), "first");
  file_system.WriteFileAtomically(path, std::string(100000, 'x'));
  EXPECT_EQ(Read(path), std::string(100000, 'x'));
  EXPECT_EQ(dir.Names(), std::vector<std::string>{"cam-1.jpg"});
}

TEST(WriteFileAtomicallyTest, FailureThrowsNamingThePathAndLeavesNothing) {
  testing::TestDir dir;
  const std::string path = dir.File("missing-folder/cam-1.jpg");
  try {
    RealFileSystem::Instance().WriteFileAtomically(path, "x");
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::no_such_file_or_directory);
    EXPECT_NE(std::string(e.what()).find("missing-folder"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(dir.Names().empty());
}

// Each step of the atomic write failing as a full or failing disk makes it: the error reaches the
// caller and neither the temporary nor the file is left.
TEST(WriteFileAtomicallyTest, AFailedStepLeavesNeitherTemporaryNorFile) {
  const struct {
    Op op;
    int error;
  } faults[] = {{Op::kWrite, ENOSPC},
                {Op::kWrite, EIO},
                {Op::kSyncFile, EIO},
                {Op::kRename, ENOSPC},
                {Op::kSyncFolder, EIO}};
  for (const auto& fault : faults) {
    SCOPED_TRACE(static_cast<int>(fault.op));
    testing::TestDir dir;
    FaultInjectingFileSystem file_system;
    file_system.FailNth(fault.op, 1, fault.error);
    try {
      file_system.WriteFileAtomically(dir.File("cam-1.jpg"), std::string(5000, 'j'));
      ADD_FAILURE() << "no exception";
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code().value(), fault.error) << e.what();
    }
    EXPECT_EQ(file_system.Failures(), 1);
    EXPECT_TRUE(dir.Names().empty()) << dir.Names().front();
  }
}

TEST(CommitTemporaryTest, MovesTheTemporaryToItsFinalName) {
  testing::TestDir dir;
  Write(dir.File(".clip.mp4.assembling"), "joined");
  FaultInjectingFileSystem file_system;
  file_system.CommitTemporary(dir.File(".clip.mp4.assembling"), dir.File("clip.mp4"));
  EXPECT_EQ(dir.Names(), std::vector<std::string>{"clip.mp4"});
  EXPECT_EQ(Read(dir.File("clip.mp4")), "joined");
  EXPECT_EQ(file_system.Calls(Op::kSyncFile), 1);
  EXPECT_EQ(file_system.Calls(Op::kRename), 1);
  EXPECT_EQ(file_system.Calls(Op::kSyncFolder), 1);
}

TEST(CommitTemporaryTest, FailingBeforeTheRenameRemovesTheTemporaryAndKeepsAnOlderFile) {
  for (Op op : {Op::kSyncFile, Op::kRename}) {
    testing::TestDir dir;
    Write(dir.File("clip.mp4"), "older");
    Write(dir.File(".clip.mp4.assembling"), "joined");
    FaultInjectingFileSystem file_system;
    file_system.FailNth(op, 1, EIO);
    EXPECT_THROW(
        file_system.CommitTemporary(dir.File(".clip.mp4.assembling"), dir.File("clip.mp4")),
        std::system_error);
    EXPECT_EQ(dir.Names(), std::vector<std::string>{"clip.mp4"});
    EXPECT_EQ(Read(dir.File("clip.mp4")), "older");
  }
}

TEST(CommitTemporaryTest, AFailedFolderFsyncRemovesTheRenamedFile) {
  testing::TestDir dir;
  Write(dir.File(".clip.mp4.assembling"), "joined");
  FaultInjectingFileSystem file_system;
  file_system.FailNth(Op::kSyncFolder, 1, EIO);
  EXPECT_THROW(file_system.CommitTemporary(dir.File(".clip.mp4.assembling"), dir.File("clip.mp4")),
               std::system_error);
  EXPECT_TRUE(dir.Names().empty());
}

TEST(RealFileSystemTest, RemoveFileSaysWhetherThereWasOne) {
  testing::TestDir dir;
  Write(dir.File("a"), "x");
  EXPECT_TRUE(RealFileSystem::Instance().RemoveFile(dir.File("a")));
  EXPECT_FALSE(RealFileSystem::Instance().RemoveFile(dir.File("a")));
  EXPECT_TRUE(dir.Names().empty());
}

TEST(RealFileSystemTest, WriteNewFileRefusesAnExistingFile) {
  testing::TestDir dir;
  Write(dir.File("a"), "old");
  try {
    RealFileSystem::Instance().WriteNewFile(dir.File("a"), "new");
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::file_exists);
  }
  EXPECT_EQ(Read(dir.File("a")), "old");
}

}  // namespace
}  // namespace corvette::storage
