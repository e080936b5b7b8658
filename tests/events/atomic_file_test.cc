#include "events/atomic_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <system_error>

#include "test_support.h"

namespace corvette::events {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(AtomicFileTest, WritesReplacesAndLeavesNoTemporary) {
  testing::TestDir dir;
  const std::string path = dir.File("cam-1.jpg");
  WriteFileAtomically(path, "first");
  EXPECT_EQ(Read(path), "first");
  WriteFileAtomically(path, std::string(100000, 'x'));
  EXPECT_EQ(Read(path), std::string(100000, 'x'));
  EXPECT_EQ(dir.Names(), std::vector<std::string>{"cam-1.jpg"});
}

TEST(AtomicFileTest, FailureThrowsNamingThePathAndLeavesNothing) {
  testing::TestDir dir;
  const std::string path = dir.File("missing-folder/cam-1.jpg");
  try {
    WriteFileAtomically(path, "x");
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("missing-folder"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(dir.Names().empty());
}

TEST(AtomicFileTest, RecognisesItsTemporaries) {
  EXPECT_TRUE(IsAtomicTemporaryName("cam-1.jpg.tmp-123-0"));
  EXPECT_FALSE(IsAtomicTemporaryName("cam-1.jpg"));
}

}  // namespace
}  // namespace corvette::events
