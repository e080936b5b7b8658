#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>

namespace corvette::video {

// The spdlog logger called `name` (e.g. "ffmpeg.front_door.detect", "watchdog.front_door"). When no
// logger of that name is registered yet, one is made with the default logger's sinks and registered
// through spdlog::initialize_logger, so per-logger levels set with spdlog::set_levels apply to it.
// Thread-safe.
std::shared_ptr<spdlog::logger> NamedLogger(const std::string& name);

}  // namespace corvette::video
