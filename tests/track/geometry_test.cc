#include "track/geometry.h"

#include <gtest/gtest.h>

#include <vector>

namespace corvette::track {
namespace {

TEST(GeometryTest, CentroidIsTheIntegerMidpoint) {
  EXPECT_EQ(Centroid(Box{10, 20, 21, 41}), (Point{15, 30}));
  EXPECT_EQ(Box(Box{10, 20, 30, 60}).area(), 800);
}

TEST(GeometryTest, IntersectionArea) {
  EXPECT_EQ(IntersectionArea(Box{0, 0, 10, 10}, Box{5, 5, 20, 20}), 25);
  EXPECT_EQ(IntersectionArea(Box{0, 0, 10, 10}, Box{10, 0, 20, 10}), 0);
  EXPECT_EQ(IntersectionArea(Box{0, 0, 10, 10}, Box{30, 30, 40, 40}), 0);
}

TEST(GeometryTest, TouchesFrameEdge) {
  EXPECT_TRUE(TouchesFrameEdge(Box{0, 10, 20, 20}, 100, 50));
  EXPECT_TRUE(TouchesFrameEdge(Box{5, 0, 20, 20}, 100, 50));
  EXPECT_TRUE(TouchesFrameEdge(Box{5, 10, 99, 20}, 100, 50));
  EXPECT_TRUE(TouchesFrameEdge(Box{5, 10, 20, 49}, 100, 50));
  EXPECT_FALSE(TouchesFrameEdge(Box{1, 1, 98, 48}, 100, 50));
}

TEST(GeometryTest, PointInPolygonIncludesTheBoundary) {
  const std::vector<Point> square{{0, 0}, {100, 0}, {100, 100}, {0, 100}};
  EXPECT_TRUE(PointInPolygon({50, 50}, square));
  EXPECT_TRUE(PointInPolygon({0, 0}, square));     // vertex
  EXPECT_TRUE(PointInPolygon({100, 40}, square));  // edge
  EXPECT_TRUE(PointInPolygon({30, 100}, square));  // bottom edge
  EXPECT_FALSE(PointInPolygon({101, 40}, square));
  EXPECT_FALSE(PointInPolygon({-1, -1}, square));
}

TEST(GeometryTest, PointInConcavePolygon) {
  // A "U": the notch between x 40..60 above y 50 is outside.
  const std::vector<Point> u{{0, 0},  {40, 0},  {40, 50},   {60, 50},
                             {60, 0}, {100, 0}, {100, 100}, {0, 100}};
  EXPECT_FALSE(PointInPolygon({50, 20}, u));
  EXPECT_TRUE(PointInPolygon({50, 50}, u));  // on the notch's bottom edge
  EXPECT_TRUE(PointInPolygon({50, 80}, u));
  EXPECT_TRUE(PointInPolygon({20, 20}, u));
  // A diagonal edge.
  const std::vector<Point> triangle{{0, 0}, {100, 100}, {0, 100}};
  EXPECT_TRUE(PointInPolygon({50, 50}, triangle));
  EXPECT_TRUE(PointInPolygon({10, 50}, triangle));
  EXPECT_FALSE(PointInPolygon({60, 50}, triangle));
}

}  // namespace
}  // namespace corvette::track
