#include "util/periodic_worker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "../support/wait_for.h"

namespace corvette::util {
namespace {

using corvette::testing::WaitFor;
using namespace std::chrono_literals;

constexpr double kHour = 3600.0;

TEST(PeriodicWorkerTest, TheFirstStepRunsAtOnceAndTheNextOnesEveryInterval) {
  std::atomic<int> steps{0};
  PeriodicWorker worker({.name = "test", .interval_seconds = 0.01}, [&] { ++steps; });
  worker.Start();
  EXPECT_TRUE(WaitFor([&] { return steps >= 3; }));
  worker.Stop();
}

TEST(PeriodicWorkerTest, StopEndsTheWaitForTheNextStepAtOnce) {
  std::atomic<int> steps{0};
  PeriodicWorker worker({.name = "test", .interval_seconds = kHour}, [&] { ++steps; });
  worker.Start();
  ASSERT_TRUE(WaitFor([&] { return steps == 1; }));
  const auto before = std::chrono::steady_clock::now();
  worker.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 60s);  // an hour without the wake-up
  EXPECT_EQ(steps, 1);
}

TEST(PeriodicWorkerTest, NoStepBeforeTheFirstDelayAndStopDoesNotWaitItOut) {
  std::atomic<int> steps{0};
  PeriodicWorker worker({.name = "test", .interval_seconds = 0.01, .first_delay_seconds = kHour},
                        [&] { ++steps; });
  worker.Start();
  std::this_thread::sleep_for(50ms);
  worker.Stop();
  EXPECT_EQ(steps, 0);
}

TEST(PeriodicWorkerTest, AShortFirstDelayIsFollowedByTheFirstStep) {
  std::atomic<int> steps{0};
  PeriodicWorker worker({.name = "test", .interval_seconds = kHour, .first_delay_seconds = 0.01},
                        [&] { ++steps; });
  worker.Start();
  EXPECT_TRUE(WaitFor([&] { return steps == 1; }));
}

TEST(PeriodicWorkerTest, StopReturnsAfterTheStepInProgressHasFinished) {
  std::atomic<bool> started{false};
  std::atomic<bool> finished{false};
  PeriodicWorker worker({.name = "test", .interval_seconds = kHour}, [&] {
    started = true;
    std::this_thread::sleep_for(100ms);
    finished = true;
  });
  worker.Start();
  ASSERT_TRUE(WaitFor([&] { return started.load(); }));
  worker.Stop();
  EXPECT_TRUE(finished);
}

TEST(PeriodicWorkerTest, AStepThatThrowsIsLoggedAndTheNextStepStillRuns) {
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(10);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
  std::atomic<int> steps{0};
  {
    PeriodicWorker worker({.name = "retention: pass", .interval_seconds = 0.01}, [&] {
      if (++steps == 1)
        throw std::runtime_error("disk gone");
    });
    worker.Start();
    EXPECT_TRUE(WaitFor([&] { return steps >= 2; }));
  }
  spdlog::set_default_logger(previous);
  auto records = sink->last_formatted();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_THAT(records[0], ::testing::HasSubstr("[error] retention: pass failed: disk gone"));
}

TEST(PeriodicWorkerTest, StartWhileRunningIsIgnoredAndAStoppedWorkerStartsAgain) {
  std::atomic<int> steps{0};
  PeriodicWorker worker({.name = "test", .interval_seconds = kHour}, [&] { ++steps; });
  worker.Start();
  worker.Start();  // one thread, one first step
  ASSERT_TRUE(WaitFor([&] { return steps == 1; }));
  worker.Stop();
  worker.Stop();  // idempotent
  EXPECT_EQ(steps, 1);
  worker.Start();
  EXPECT_TRUE(WaitFor([&] { return steps == 2; }));
}

TEST(PeriodicWorkerTest, TheDestructorStopsTheThread) {
  std::atomic<int> steps{0};
  {
    PeriodicWorker worker({.name = "test", .interval_seconds = kHour}, [&] { ++steps; });
    worker.Start();
    ASSERT_TRUE(WaitFor([&] { return steps == 1; }));
  }  // an hour's wait, ended by the destructor
  EXPECT_EQ(steps, 1);
}

}  // namespace
}  // namespace corvette::util
