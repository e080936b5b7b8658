#include "wait_for.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace corvette::testing {
namespace {

using namespace std::chrono_literals;

TEST(WaitForTest, TrueAtOnceWhenTheConditionAlreadyHolds) {
  int calls = 0;
  EXPECT_TRUE(WaitFor([&] { return ++calls > 0; }, 0s));
  EXPECT_EQ(calls, 1);
}

TEST(WaitForTest, TrueOnceAnotherThreadMakesTheConditionHold) {
  std::atomic<bool> done{false};
  std::thread worker([&] {
    std::this_thread::sleep_for(20ms);
    done = true;
  });
  EXPECT_TRUE(WaitFor([&] { return done.load(); }));
  worker.join();
}

TEST(WaitForTest, FalseAfterTheLimitWhenTheConditionNeverHolds) {
  int calls = 0;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(WaitFor(
      [&] {
        ++calls;
        return false;
      },
      50ms, 5ms));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
  EXPECT_GE(calls, 2);  // polled, not asked once
}

TEST(WaitForTest, AConditionThatHoldsOnlyAtTheLastAskIsTrue) {
  const auto deadline = std::chrono::steady_clock::now() + 30ms;
  EXPECT_TRUE(WaitFor([&] { return std::chrono::steady_clock::now() >= deadline; }, 30ms, 5ms));
}

}  // namespace
}  // namespace corvette::testing
