#include "events/zone_counts.h"

#include <gtest/gtest.h>

namespace corvette::events {
namespace {

TEST(ZoneCountsTest, SumsOverCamerasAndReportsOnlyChanges) {
  ZoneCounts counts;
  EXPECT_EQ(counts.Set("yard", "person", "front", 0), std::nullopt);  // no initial 0
  EXPECT_EQ(counts.Set("yard", "person", "front", 1), 1);
  EXPECT_EQ(counts.Set("yard", "person", "front", 1), std::nullopt);
  EXPECT_EQ(counts.Set("yard", "person", "back", 2), 3);
  EXPECT_EQ(counts.Set("yard", "car", "back", 1), 1);  // labels apart
  EXPECT_EQ(counts.Get("yard", "person"), 3);
  // Every change of the sum is reported, down to 0.
  EXPECT_EQ(counts.Set("yard", "person", "front", 2), 4);
  EXPECT_EQ(counts.Set("yard", "person", "back", 1), 3);
  EXPECT_EQ(counts.Set("yard", "person", "front", 0), 1);
  EXPECT_EQ(counts.Set("yard", "person", "back", 0), 0);
  EXPECT_EQ(counts.Get("yard", "person"), 0);
  EXPECT_EQ(counts.Get("porch", "person"), 0);
}

}  // namespace
}  // namespace corvette::events
