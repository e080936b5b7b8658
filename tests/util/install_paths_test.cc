#include "util/install_paths.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "../support/temp_dir.h"

namespace corvette::util {
namespace {
namespace fs = std::filesystem;

TEST(FindShippedFolderTest, TheEnvironmentThenBesideTheBinaryThenTheFallback) {
  corvette::testing::TempDir with_marker("shipped-a"), without_marker("shipped-b");
  std::ofstream(with_marker.File("marker.txt")) << "x";
  ::setenv("CORVETTE_TEST_SHIPPED", with_marker.path().c_str(), 1);
  EXPECT_EQ(FindShippedFolder("CORVETTE_TEST_SHIPPED", "nothing-here", "marker.txt"),
            fs::path(with_marker.path()));
  // A folder without the marker is passed over, down to the fallback.
  ::setenv("CORVETTE_TEST_SHIPPED", without_marker.path().c_str(), 1);
  EXPECT_EQ(FindShippedFolder("CORVETTE_TEST_SHIPPED", "nothing-here", "marker.txt",
                              fs::path(with_marker.path())),
            fs::path(with_marker.path()));
  EXPECT_EQ(FindShippedFolder("CORVETTE_TEST_SHIPPED", "nothing-here", "marker.txt"), std::nullopt);
  ::unsetenv("CORVETTE_TEST_SHIPPED");
}

TEST(FindShippedFolderTest, FindsTheBuildsModelBesideTheTestBinary) {
  // The tests run from the build folder, where tools/model.cmake leaves model/.
  std::optional<fs::path> model =
      FindShippedFolder("CORVETTE_TEST_UNSET", "model", "coco-labelmap.txt");
  ASSERT_TRUE(model);
  EXPECT_EQ(model->filename(), "model");
}

}  // namespace
}  // namespace corvette::util
