#include "stats/rate_meter.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace corvette::stats {
namespace {

TEST(RateMeterTest, ZeroBeforeAnyTimePasses) {
  util::ManualClock clock;
  RateMeter meter(clock);
  meter.Mark();
  EXPECT_EQ(meter.Rate(), 0.0);
}

TEST(RateMeterTest, DividesByElapsedTimeWhileYoungerThanTheWindow) {
  util::ManualClock clock;
  RateMeter meter(clock);
  for (int i = 0; i < 8; ++i) {
    clock.Advance(0.25);
    meter.Mark();
  }
  // 8 events in 2 s.
  EXPECT_DOUBLE_EQ(meter.Rate(), 4.0);
}

TEST(RateMeterTest, CountsOnlyTheLastTenSeconds) {
  util::ManualClock clock;
  RateMeter meter(clock);
  // 5 per second for 20 s, then 1 per second for 5 s.
  for (int i = 0; i < 100; ++i) {
    clock.Advance(0.2);
    meter.Mark();
  }
  EXPECT_DOUBLE_EQ(meter.Rate(), 5.0);
  for (int i = 0; i < 5; ++i) {
    clock.Advance(1.0);
    meter.Mark();
  }
  // Window (15 s, 25 s]: 25 events of the fast phase after t=15 (t=15.2..20.0) + 5 slow ones.
  EXPECT_DOUBLE_EQ(meter.Rate(), 3.0);
  clock.Advance(30.0);
  EXPECT_DOUBLE_EQ(meter.Rate(), 0.0);
}

TEST(RateMeterTest, EventExactlyWindowOldNoLongerCounts) {
  util::ManualClock clock;
  RateMeter meter(clock);
  clock.Advance(1.0);
  meter.Mark();
  clock.Advance(10.0);
  EXPECT_DOUBLE_EQ(meter.Rate(), 0.0);
}

TEST(RateMeterTest, StartForgetsEventsAndRestartsTheWindow) {
  util::ManualClock clock;
  RateMeter meter(clock);
  clock.Advance(20.0);
  for (int i = 0; i < 10; ++i) {
    meter.Mark();
  }
  meter.Start();
  EXPECT_EQ(meter.Rate(), 0.0);
  clock.Advance(0.5);
  meter.Mark();
  EXPECT_DOUBLE_EQ(meter.Rate(), 2.0);
}

TEST(RateMeterTest, MemoryIsBoundedAtAbsurdRates) {
  util::ManualClock clock;
  RateMeter meter(clock);
  clock.Advance(10.0);
  for (std::size_t i = 0; i < RateMeter::kMaxEvents + 500; ++i) {
    meter.Mark();
  }
  EXPECT_DOUBLE_EQ(meter.Rate(), static_cast<double>(RateMeter::kMaxEvents) / 10.0);
}

TEST(RateMeterTest, RingKeepsOrderAcrossGrowthAndWrap) {
  util::ManualClock clock;
  RateMeter meter(clock);
  // Enough marks to wrap the initial ring several times while old ones expire (steps exact in
  // binary so that window edges are exact).
  for (int i = 0; i < 1000; ++i) {
    clock.Advance(0.0625);
    meter.Mark();
  }
  EXPECT_DOUBLE_EQ(meter.Rate(), 16.0);
  for (int i = 0; i < 300; ++i) {
    clock.Advance(0.125);
    meter.Mark();
  }
  EXPECT_DOUBLE_EQ(meter.Rate(), 8.0);
}

TEST(RateMeterTest, ConcurrentMarksAreAllCounted) {
  util::ManualClock clock;
  RateMeter meter(clock);
  clock.Advance(10.0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&meter] {
      for (int i = 0; i < 1000; ++i) {
        meter.Mark();
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_DOUBLE_EQ(meter.Rate(), 400.0);
}

}  // namespace
}  // namespace corvette::stats
