#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>

namespace corvette::util {

// The spdlog logger called `name` (e.g. "corvette.http", "watchdog.front_door"). When no logger of
// that name is registered yet, one is made with the default logger's sinks and pattern and
// registered through spdlog::initialize_logger, so the levels set with spdlog::set_levels (the
// config's logger.logs) apply to it. Thread-safe; the same name always gives the same logger.
// Module loggers copy the default logger when first made: call app::SetUpLogging() before.
std::shared_ptr<spdlog::logger> NamedLogger(const std::string& name);

}  // namespace corvette::util
