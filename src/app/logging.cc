#include "app/logging.h"

#include <spdlog/details/registry.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "util/named_logger.h"

namespace corvette::app {
namespace {

// %* in the pattern: the level as Python's logging names it, upper case, padded to 8.
class UpperLevelFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& message, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string_view name;
    switch (message.level) {
      case spdlog::level::trace:
      case spdlog::level::debug:
        name = "DEBUG";
        break;
      case spdlog::level::info:
        name = "INFO";
        break;
      case spdlog::level::warn:
        name = "WARNING";
        break;
      case spdlog::level::err:
        name = "ERROR";
        break;
      default:
        name = "CRITICAL";
        break;
    }
    dest.append(name.data(), name.data() + name.size());
    for (std::size_t i = name.size(); i < 8; ++i)
      dest.push_back(' ');
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<UpperLevelFlag>();
  }
};

// %^ in the pattern: the syslog priority prefix journald reads from a service's output ("<3>" for
// errors, "<4>" warnings, "<6>" info, "<7>" debug), so that `journalctl -p warning` works.
class JournalPriorityFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& message, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    char priority = '6';
    switch (message.level) {
      case spdlog::level::trace:
      case spdlog::level::debug:
        priority = '7';
        break;
      case spdlog::level::info:
        priority = '6';
        break;
      case spdlog::level::warn:
        priority = '4';
        break;
      case spdlog::level::err:
        priority = '3';
        break;
      default:
        priority = '2';
        break;
    }
    const char prefix[] = {'<', priority, '>'};
    dest.append(prefix, prefix + 3);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JournalPriorityFlag>();
  }
};

// Frigate's level names in config files (debug, info, warning, error, critical) -> spdlog's.
spdlog::level::level_enum LevelOf(const std::string& level) {
  if (level == "debug")
    return spdlog::level::debug;
  if (level == "warning")
    return spdlog::level::warn;
  if (level == "error")
    return spdlog::level::err;
  if (level == "critical")
    return spdlog::level::critical;
  return spdlog::level::info;
}

}  // namespace

std::unique_ptr<spdlog::formatter> LogFormatter(bool to_journal) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<UpperLevelFlag>('*').add_flag<JournalPriorityFlag>('^');
  // journald stamps every line with its own time: without ours, `journalctl` shows one time.
  formatter->set_pattern(to_journal ? "%^%-30n %*: %v" : "[%Y-%m-%d %H:%M:%S] %-30n %*: %v");
  return formatter;
}

void SetUpLogging() {
  auto logger = std::make_shared<spdlog::logger>(
      "corvette", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  std::unique_ptr<spdlog::formatter> formatter =
      LogFormatter(std::getenv("JOURNAL_STREAM") != nullptr);
  logger->set_formatter(formatter->clone());
  spdlog::set_default_logger(logger);
  spdlog::set_formatter(std::move(formatter));
  spdlog::flush_on(spdlog::level::warn);
}

void ApplyLoggerConfig(const config::LoggerConfig& logger) {
  spdlog::details::registry::log_levels levels;
  for (const auto& [name, level] : logger.logs) {
    levels[name] = LevelOf(level);
    if (name.rfind("frigate.", 0) == 0) {
      levels["corvette." + name.substr(8)] = LevelOf(level);
    }
  }
  spdlog::level::level_enum default_level = LevelOf(logger.default_level);
  // Loggers created later pick their level from the same table.
  spdlog::details::registry::instance().set_levels(std::move(levels), &default_level);
}

spdlog::logger& Log() {
  static const std::shared_ptr<spdlog::logger> logger = util::NamedLogger("corvette.app");
  return *logger;
}

}  // namespace corvette::app
