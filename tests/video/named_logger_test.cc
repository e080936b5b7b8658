#include "video/named_logger.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

namespace corvette::video {
namespace {

TEST(NamedLoggerTest, SameNameSameLoggerWritingToTheDefaultSinks) {
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(10);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("default", sink));
  static int run = 0;
  std::string name = "watchdog.named_logger_test" + std::to_string(++run);

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

}  // namespace
}  // namespace corvette::video
