#include "util/named_logger.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/details/registry.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace corvette::util {
namespace {

// A name no other test has used, so each test makes its logger afresh.
std::string FreshName(const std::string& stem) {
  static int run = 0;
  return stem + ".named_logger_test" + std::to_string(++run);
}

TEST(NamedLoggerTest, SameNameSameLoggerWritingToTheDefaultSinks) {
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(10);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("default", sink));
  const std::string name = FreshName("watchdog");

  auto logger = NamedLogger(name);
  EXPECT_EQ(logger->name(), name);
  EXPECT_EQ(NamedLogger(name), logger);
  EXPECT_EQ(spdlog::get(name), logger);
  logger->warn("hello");
  spdlog::set_default_logger(previous);

  auto records = sink->last_formatted();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_THAT(records[0], ::testing::HasSubstr("[" + name + "] [warning] hello"));
}

TEST(NamedLoggerTest, ALevelSetByNameBeforehandAppliesWhenTheLoggerIsMade) {
  const std::string quiet = FreshName("corvette.quiet");
  const std::string other = FreshName("corvette.other");
  spdlog::details::registry::log_levels levels;
  levels[quiet] = spdlog::level::err;
  // No global level: loggers not named keep the default logger's.
  spdlog::details::registry::instance().set_levels(std::move(levels), nullptr);

  EXPECT_EQ(NamedLogger(quiet)->level(), spdlog::level::err);
  EXPECT_EQ(NamedLogger(other)->level(), spdlog::default_logger()->level());
}

TEST(NamedLoggerTest, ThreadsAskingForTheSameNewNameAllGetOneLogger) {
  const std::string name = FreshName("corvette.race");
  std::vector<std::shared_ptr<spdlog::logger>> loggers(8);
  std::vector<std::thread> threads;
  for (auto& logger : loggers)
    threads.emplace_back([&logger, &name] { logger = NamedLogger(name); });
  for (auto& thread : threads)
    thread.join();
  for (const auto& logger : loggers)
    EXPECT_EQ(logger, spdlog::get(name));
}

}  // namespace
}  // namespace corvette::util
