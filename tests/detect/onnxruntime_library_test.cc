#include "detect/onnxruntime_library.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "../support/temp_dir.h"
#include "test_paths.h"

namespace corvette::detect {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Sets $CORVETTE_ONNXRUNTIME_LIBRARY for one test and restores it after.
class LibraryEnv {
 public:
  explicit LibraryEnv(const char* value) {
    if (const char* old = std::getenv(kOnnxRuntimeLibraryEnv))
      old_ = old;
    if (value != nullptr)
      setenv(kOnnxRuntimeLibraryEnv, value, 1);
    else
      unsetenv(kOnnxRuntimeLibraryEnv);
  }
  ~LibraryEnv() {
    if (old_.empty())
      unsetenv(kOnnxRuntimeLibraryEnv);
    else
      setenv(kOnnxRuntimeLibraryEnv, old_.c_str(), 1);
  }

 private:
  std::string old_;
};

TEST(OnnxRuntimeLibraryTest, LooksBesideTheExecutableFirstThenTheSystemPath) {
  LibraryEnv env(nullptr);
  const auto candidates = OnnxRuntimeLibraryCandidates();
  ASSERT_GE(candidates.size(), 2u);
  const auto exe = std::filesystem::read_symlink("/proc/self/exe");
  EXPECT_EQ(candidates.front(), (exe.parent_path() / "libonnxruntime.so.1").string());
  EXPECT_EQ(candidates.back(), "libonnxruntime.so.1");
}

TEST(OnnxRuntimeLibraryTest, TheEnvironmentVariableIsTheOnlyPlaceWhenSet) {
  LibraryEnv env("/opt/ort/libonnxruntime.so.1");
  EXPECT_EQ(OnnxRuntimeLibraryCandidates(),
            std::vector<std::string>{"/opt/ort/libonnxruntime.so.1"});
}

TEST(OnnxRuntimeLibraryTest, AMissingLibraryIsAClearErrorSayingWhatToDo) {
  const std::string path = "/nonexistent/dir/libonnxruntime.so.1";
  try {
    OnnxRuntimeLibrary::Load(path);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    if (OnnxRuntimeBuiltIn()) {
      EXPECT_TRUE(Contains(what, path)) << what;
      EXPECT_TRUE(Contains(what, "CORVETTE_ONNXRUNTIME_LIBRARY")) << what;
    }
    EXPECT_TRUE(Contains(what, "runtime: opencv")) << what;
  }
}

TEST(OnnxRuntimeLibraryTest, AFileThatIsNotOnnxRuntimeIsAClearError) {
  if (!OnnxRuntimeBuiltIn())
    GTEST_SKIP() << "this build has no ONNX Runtime backend";
  corvette::testing::TempDir dir("ort-library");
  const std::string garbage = dir.File("libonnxruntime.so.1");
  std::ofstream(garbage) << "not a shared library\n";
  for (const std::string& path : {garbage, std::string("libm.so.6")}) {
    try {
      OnnxRuntimeLibrary::Load(path);
      ADD_FAILURE() << "no exception for " << path;
    } catch (const std::runtime_error& e) {
      EXPECT_TRUE(Contains(e.what(), path)) << e.what();
    }
  }
}

TEST(OnnxRuntimeLibraryTest, LoadsTheFetchedLibraryOnce) {
  if (!OnnxRuntimeBuiltIn())
    GTEST_SKIP() << "this build has no ONNX Runtime backend";
  LibraryEnv env(nullptr);
  const auto first = OnnxRuntimeLibrary::Load();
  // The build copies it beside the binaries (tools/onnxruntime.cmake).
  EXPECT_EQ(first->path(), std::string(CORVETTE_BINARY_DIR) + "/libonnxruntime.so.1");
  EXPECT_EQ(first->version(), "1.30.0");
  EXPECT_NE(first->api(), nullptr);
  EXPECT_NE(first->env(), nullptr);
  EXPECT_EQ(OnnxRuntimeLibrary::Load(), first);
  EXPECT_EQ(OnnxRuntimeLibrary::Load(first->path()), first);
}

}  // namespace
}  // namespace corvette::detect
