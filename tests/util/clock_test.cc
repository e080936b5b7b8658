#include "util/clock.h"

#include <gtest/gtest.h>

namespace corvette::util {
namespace {

TEST(ClockTest, SystemClockIsNearEpochNowAndMonotonicAdvances) {
  auto& clock = SystemClock::Instance();
  EXPECT_GT(clock.Now(), 1.7e9);
  double a = clock.Monotonic();
  double b = clock.Monotonic();
  EXPECT_GE(b, a);
}

TEST(ClockTest, ManualClockMovesOnlyWhenAdvanced) {
  ManualClock clock(100.0);
  EXPECT_DOUBLE_EQ(clock.Now(), 100.0);
  clock.Advance(2.5);
  EXPECT_DOUBLE_EQ(clock.Now(), 102.5);
}

}  // namespace
}  // namespace corvette::util
