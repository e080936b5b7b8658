#include "util/clock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

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

// The code under test reads its clock from its own threads while the test advances it (the TSan
// build reports a data race here if it is not safe).
TEST(ClockTest, ManualClockCanBeReadByAnotherThreadWhileItIsAdvanced) {
  ManualClock clock(100.0);
  std::atomic<bool> done{false};
  bool went_back = false;
  double last_seen = 0.0;
  std::thread reader([&] {
    double previous = clock.Monotonic();
    while (!done.load()) {
      const double now = clock.Monotonic();
      went_back = went_back || now < previous;
      previous = now;
    }
    last_seen = clock.Monotonic();
  });
  for (int i = 0; i < 1000; ++i)
    clock.Advance(0.5);
  done = true;
  reader.join();
  EXPECT_FALSE(went_back);
  EXPECT_DOUBLE_EQ(last_seen, 1000.0 + 500.0);
  EXPECT_DOUBLE_EQ(clock.Now(), 100.0 + 500.0);
}

}  // namespace
}  // namespace corvette::util
