#include "config/polygon.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace corvette::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(ParsePolygonString, ParsesIntegersWithSpaces) {
  Diagnostics diag;
  auto p = ParsePolygonString("0,0, 10 ,0,10,-5, +3,4", "m", diag);
  ASSERT_TRUE(p.has_value());
  EXPECT_THAT(*p, ElementsAre(Point{0, 0}, Point{10, 0}, Point{10, -5}, Point{3, 4}));
  EXPECT_THAT(diag.errors(), IsEmpty());
}

TEST(ParsePolygonString, RejectsNonIntegersOddCountsAndTooFewPoints) {
  Diagnostics diag;
  EXPECT_FALSE(ParsePolygonString("0,0,1.5,0,1,1", "a", diag));
  EXPECT_FALSE(ParsePolygonString("0,0,1,0,1", "b", diag));
  EXPECT_FALSE(ParsePolygonString("0,0,1,1", "c", diag));
  EXPECT_FALSE(ParsePolygonString("0,,1,0,1,1", "d", diag));
  EXPECT_THAT(
      diag.errors(),
      ElementsAre(HasSubstr("a: coordinate 3 \"1.5\" is not an integer (expected"),
                  HasSubstr("b: odd number of coordinates (5)"), HasSubstr("c: only 2 points"),
                  HasSubstr("d: coordinate 2 \"\" is not an integer")));
}

TEST(ReadMask, StringListAndEmpty) {
  Diagnostics diag;
  Document one = "0,0,1,0,1,1";
  auto m1 = ReadMask(&one, "m", diag);
  ASSERT_TRUE(m1);
  EXPECT_EQ(m1->raw, "0,0,1,0,1,1");
  EXPECT_EQ(m1->polygons.size(), 1u);

  Document list = Document::array({"0,0,1,0,1,1", "", "5,5,6,5,6,6"});
  auto m2 = ReadMask(&list, "m", diag);
  ASSERT_TRUE(m2);
  EXPECT_THAT(m2->strings, ElementsAre("0,0,1,0,1,1", "5,5,6,5,6,6"));
  EXPECT_EQ(m2->polygons.size(), 2u);

  auto m3 = ReadMask(nullptr, "m", diag);
  ASSERT_TRUE(m3);
  EXPECT_TRUE(m3->raw.is_null());
  EXPECT_THAT(m3->polygons, IsEmpty());
  EXPECT_THAT(diag.errors(), IsEmpty());
}

TEST(ReadMask, ListOfNumbersGetsAHelpfulError) {
  Diagnostics diag;
  Document numbers = Document::array({0, 0, 1, 0, 1, 1});
  EXPECT_FALSE(ReadMask(&numbers, "cameras.a.motion.mask", diag));
  EXPECT_THAT(diag.errors(), ElementsAre(HasSubstr("cameras.a.motion.mask: a list of numbers "
                                                   "(expected one polygon as a string")));
}

TEST(ReadZoneCoordinates, StringOrListOfPoints) {
  Diagnostics diag;
  auto a = ReadZoneCoordinates(Document("1,2,3,4,5,6"), "z", diag);
  auto b = ReadZoneCoordinates(Document::array({"1,2", "3, 4", "5,6"}), "z", diag);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  EXPECT_THAT(diag.errors(), IsEmpty());
  EXPECT_FALSE(ReadZoneCoordinates(Document::array({"1,2", "3", "5,6,7"}), "z", diag));
  EXPECT_FALSE(ReadZoneCoordinates(Document::array({"1,2", "3,4"}), "y", diag));
  EXPECT_THAT(diag.errors(), ElementsAre(HasSubstr("z[1]: \"3\" is not a point"),
                                         HasSubstr("z[2]: \"5,6,7\" is not a point"),
                                         HasSubstr("y: only 2 points")));
}

TEST(PolygonOutside, DetectsPointsOutsideTheFrame) {
  EXPECT_FALSE(PolygonOutside({{0, 0}, {640, 0}, {640, 480}}, 640, 480));
  EXPECT_TRUE(PolygonOutside({{0, 0}, {641, 0}, {640, 480}}, 640, 480));
  EXPECT_TRUE(PolygonOutside({{-1, 0}, {10, 0}, {10, 10}}, 640, 480));
}

}  // namespace
}  // namespace corvette::config
