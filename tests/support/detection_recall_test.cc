#include "detection_recall.h"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace corvette::testing {
namespace {

detect::Detection Person(float score, detect::PixelBox box, detect::PixelBox region) {
  return {"person", 0, score, box, box.area(), region};
}

TEST(TileStartsTest, SpansCoverTheLengthWithAtLeastTheOverlapAndEndAtItsEdge) {
  for (int length : {320, 321, 576, 720, 768, 1280}) {
    for (int overlap : {0, 100, 160, 200}) {
      const std::vector<int> starts = TileStarts(length, 320, overlap);
      SCOPED_TRACE(std::to_string(length) + " / " + std::to_string(overlap));
      ASSERT_FALSE(starts.empty());
      EXPECT_EQ(starts.front(), 0);
      EXPECT_EQ(starts.back() + 320, std::max(length, 320));
      for (size_t i = 1; i < starts.size(); ++i) {
        EXPECT_GT(starts[i], starts[i - 1]);
        EXPECT_GE(starts[i - 1] + 320 - starts[i], overlap);
      }
      // No more spans than needed: without the last but one, the overlap would not hold.
      if (starts.size() > 2) {
        const int gap = starts.back() - starts[starts.size() - 3];
        EXPECT_LT(320 - gap, overlap);
      }
    }
  }
}

TEST(TileStartsTest, AShortLengthIsOneSpanAndABadOverlapIsRefused) {
  EXPECT_EQ(TileStarts(200, 320, 160), std::vector<int>{0});
  EXPECT_THROW(TileStarts(768, 320, 320), std::invalid_argument);
  EXPECT_THROW(TileStarts(768, 320, -1), std::invalid_argument);
}

TEST(OverlappingTilesTest, EverySmallEnoughBoxLiesWellInsideSomeTile) {
  const int width = 768;
  const int height = 576;
  const int overlap = 160;
  const std::vector<detect::PixelBox> tiles = OverlappingTiles(width, height, 320, overlap);
  EXPECT_EQ(tiles.size(),
            TileStarts(width, 320, overlap).size() * TileStarts(height, 320, overlap).size());
  const int side = overlap - 10;
  for (int y = 0; y + side <= height; y += 7) {
    for (int x = 0; x + side <= width; x += 7) {
      const detect::PixelBox box{x, y, x + side, y + side};
      bool seen_whole = false;
      for (const detect::PixelBox& tile : tiles) {
        const detect::Detection d = Person(0.9f, box, tile);
        seen_whole =
            seen_whole || (detect::Contains(tile, box) && !detect::IsClipped(d, width, height));
      }
      ASSERT_TRUE(seen_whole) << x << "," << y;
    }
  }
}

TEST(MergeTileDetectionsTest, KeepsOneUnclippedBoxPerObjectThatTheFilterKeeps) {
  const detect::ObjectFilter filter({"person"}, {});  // min_score 0.5
  const detect::PixelBox left{0, 0, 320, 320};
  const detect::PixelBox right{160, 0, 480, 320};
  const std::vector<detect::Detection> found = {
      Person(0.8f, {200, 50, 260, 200}, left),          // whole in both tiles
      Person(0.7f, {202, 52, 262, 202}, right),         // the same person from the other tile
      Person(0.9f, {280, 50, 318, 200}, left),          // cut by the left tile's right edge
      Person(0.85f, {280, 50, 340, 200}, right),        // the same person whole
      Person(0.45f, {400, 50, 440, 150}, right),        // below the filter's min_score
      {"car", 2, 0.9f, {10, 10, 100, 60}, 4500, left},  // not tracked
  };
  const std::vector<detect::Detection> merged = MergeTileDetections(found, filter, 768, 576);
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].box, (detect::PixelBox{280, 50, 340, 200}));
  EXPECT_EQ(merged[1].box, (detect::PixelBox{200, 50, 260, 200}));
}

TEST(MatchedReferenceCountTest, EachReportedBoxMatchesOneReferenceBoxAtTheIou) {
  const detect::PixelBox tile{0, 0, 320, 320};
  const std::vector<detect::Detection> reference = {
      Person(0.9f, {0, 0, 100, 100}, tile),
      Person(0.9f, {10, 0, 110, 100}, tile),  // IoU 0.82 with the first
      Person(0.9f, {200, 200, 250, 300}, tile),
      {"car", 2, 0.9f, {400, 0, 500, 100}, 10000, tile},
  };
  const std::vector<detect::Detection> reported = {
      Person(0.8f, {5, 0, 105, 100}, tile),      // IoU 0.9 with both of the first two
      Person(0.8f, {200, 250, 250, 350}, tile),  // IoU 1/3 with the third: too little
      {"car", 2, 0.9f, {400, 0, 500, 100}, 10000, tile},
  };
  EXPECT_EQ(MatchedReferenceCount(reference, reported, "person"), 1);
  EXPECT_EQ(MatchedReferenceCount(reference, reported, "person", 0.3), 2);
  EXPECT_EQ(MatchedReferenceCount(reference, reported, "car"), 1);
  EXPECT_EQ(CountLabel(reference, "person"), 3);
}

TEST(BoxIouTest, IsTheSharedAreaOverTheUnion) {
  EXPECT_DOUBLE_EQ(BoxIou({0, 0, 10, 10}, {0, 0, 10, 10}), 1.0);
  EXPECT_DOUBLE_EQ(BoxIou({0, 0, 10, 10}, {5, 0, 15, 10}), 50.0 / 150.0);
  EXPECT_DOUBLE_EQ(BoxIou({0, 0, 10, 10}, {10, 0, 20, 10}), 0.0);
}

}  // namespace
}  // namespace corvette::testing
