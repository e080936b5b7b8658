#include "app/logging.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <regex>
#include <sstream>

namespace corvette::app {
namespace {

std::string Line(bool to_journal, spdlog::level::level_enum level, const std::string& text) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  sink->set_formatter(LogFormatter(to_journal));
  spdlog::logger logger("corvette.app", sink);
  logger.set_level(spdlog::level::trace);
  logger.log(level, text);
  return out.str();
}

TEST(LogFormatterTest, ATerminalGetsFrigatesLinesWithATime) {
  EXPECT_TRUE(std::regex_match(
      Line(false, spdlog::level::warn, "disk nearly full"),
      std::regex(
          R"(\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] corvette\.app {18} WARNING : disk nearly full\n)")))
      << Line(false, spdlog::level::warn, "disk nearly full");
}

TEST(LogFormatterTest, TheJournalGetsAPriorityAndNoSecondTime) {
  EXPECT_EQ(Line(true, spdlog::level::err, "x"), "<3>corvette.app                   ERROR   : x\n");
  EXPECT_EQ(Line(true, spdlog::level::warn, "x").substr(0, 3), "<4>");
  EXPECT_EQ(Line(true, spdlog::level::info, "x").substr(0, 3), "<6>");
  EXPECT_EQ(Line(true, spdlog::level::debug, "x").substr(0, 3), "<7>");
}

}  // namespace
}  // namespace corvette::app
