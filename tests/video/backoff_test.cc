#include "video/backoff.h"

#include <gtest/gtest.h>

#include <vector>

namespace corvette::video {
namespace {

TEST(BackoffTest, DoublesFromOneSecondUpToThirty) {
  util::ManualClock clock;
  BackoffOptions options;
  options.jitter = 0;
  Backoff backoff(options, clock);
  std::vector<double> delays;
  for (int i = 0; i < 8; ++i) {
    backoff.MarkStarted();
    clock.Advance(0.5);  // each run dies quickly
    delays.push_back(backoff.NextDelay());
  }
  EXPECT_EQ(delays, (std::vector<double>{1, 2, 4, 8, 16, 30, 30, 30}));
}

TEST(BackoffTest, JitterStaysWithinBoundsAndVaries) {
  util::ManualClock clock;
  BackoffOptions options;
  options.jitter = 0.2;
  Backoff backoff(options, clock, /*seed=*/7);
  const std::vector<double> nominal = {1, 2, 4, 8, 16, 30, 30};
  bool any_off_nominal = false;
  for (int round = 0; round < 20; ++round) {
    backoff.Reset();
    for (double n : nominal) {
      EXPECT_DOUBLE_EQ(backoff.NominalDelay(), n);
      double delay = backoff.NextDelay();
      EXPECT_GE(delay, n * 0.8);
      EXPECT_LE(delay, std::min(n * 1.2, 30.0));
      any_off_nominal |= delay != n;
    }
  }
  EXPECT_TRUE(any_off_nominal);
}

TEST(BackoffTest, ResetsAfterAHealthyMinute) {
  util::ManualClock clock;
  BackoffOptions options;
  options.jitter = 0;
  Backoff backoff(options, clock);
  for (int i = 0; i < 4; ++i) {
    backoff.MarkStarted();
    backoff.NextDelay();
  }
  EXPECT_EQ(backoff.NominalDelay(), 16);

  backoff.MarkStarted();
  clock.Advance(59);
  EXPECT_EQ(backoff.NextDelay(), 16);  // 59 s is not yet healthy

  backoff.MarkStarted();
  clock.Advance(60);
  EXPECT_EQ(backoff.NextDelay(), 1);  // a healthy minute starts over
  EXPECT_EQ(backoff.NextDelay(), 2);  // a failure without a new start keeps growing
}

TEST(BackoffTest, HealthCountsFromTheLastStartOnly) {
  util::ManualClock clock;
  BackoffOptions options;
  options.jitter = 0;
  Backoff backoff(options, clock);
  backoff.MarkStarted();
  EXPECT_EQ(backoff.NextDelay(), 1);
  clock.Advance(120);  // waiting (not running) is not health
  EXPECT_EQ(backoff.NextDelay(), 2);
}

}  // namespace
}  // namespace corvette::video
