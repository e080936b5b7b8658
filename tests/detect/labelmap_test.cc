#include "detect/labelmap.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_paths.h"

namespace corvette::detect {
namespace {

TEST(LabelmapTest, IndexedLinesWithGaps) {
  const auto map = Labelmap::Parse("0  person\n1  bicycle\n7  car\n9  traffic light\n");
  EXPECT_EQ(map.Label(0), "person");
  EXPECT_EQ(map.Label(7), "car");
  EXPECT_EQ(map.Label(9), "traffic light");
  EXPECT_FALSE(map.Has(8));
  EXPECT_EQ(map.Label(8), "8");
  EXPECT_EQ(map.size(), 10);
}

TEST(LabelmapTest, NamesWithoutIndicesUseTheLineNumber) {
  const auto map = Labelmap::Parse("person\nbicycle\n\ncar\n");
  EXPECT_EQ(map.Label(0), "person");
  EXPECT_EQ(map.Label(1), "bicycle");
  EXPECT_FALSE(map.Has(2));
  EXPECT_EQ(map.Label(3), "car");
}

TEST(LabelmapTest, ColonSeparatorAndCrlf) {
  const auto map = Labelmap::Parse("0: person\r\n1:bicycle\r\n");
  EXPECT_EQ(map.Label(0), "person");
  EXPECT_EQ(map.Label(1), "bicycle");
}

TEST(LabelmapTest, MissingFileNamesThePath) {
  try {
    Labelmap::Load("/nonexistent/labelmap.txt");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/labelmap.txt"), std::string::npos);
  }
}

TEST(LabelmapTest, ProjectLabelmapHasTheEightyCocoClassesWithTruckAsCar) {
  const auto map = Labelmap::Load(std::string(CORVETTE_SOURCE_DIR) + "/model/coco-labelmap.txt");
  EXPECT_EQ(map.size(), 80);
  for (int i = 0; i < 80; ++i)
    EXPECT_TRUE(map.Has(i)) << i;
  EXPECT_EQ(map.Label(0), "person");
  EXPECT_EQ(map.Label(2), "car");
  EXPECT_EQ(map.Label(3), "motorcycle");
  EXPECT_EQ(map.Label(5), "bus");
  // As Frigate 0.8's labelmap: COCO's truck is a `car`, so `track: [car]`, the <camera>/car count
  // and automations on `car` cover trucks, as they did.
  EXPECT_EQ(map.Label(7), "car");
  EXPECT_EQ(map.Label(14), "bird");
  EXPECT_EQ(map.Label(15), "cat");
  EXPECT_EQ(map.Label(16), "dog");
  EXPECT_EQ(map.Label(79), "toothbrush");
}

}  // namespace
}  // namespace corvette::detect
