#pragma once

// Process-wide logging set-up: Frigate 0.8's line shape ("<name> <LEVEL>: <message>", name padded
// to 30 and level to 8 columns) after a timestamp, on stderr.

#include <spdlog/spdlog.h>

#include <memory>

#include "config/config.h"

namespace corvette::app {

// The line format: "[YYYY-mm-dd HH:MM:SS] <name> <LEVEL>: <message>", or, when the output goes to
// journald (systemd sets JOURNAL_STREAM for a service; SetUpLogging looks), no timestamp
// (journald adds its own) and a "<N>" syslog priority prefix that journald turns into the line's
// priority.
std::unique_ptr<spdlog::formatter> LogFormatter(bool to_journal);

// Installs the default logger ("corvette") and the line pattern. Call first thing in main, before
// any thread starts or any module logs (module loggers copy the default logger when created).
void SetUpLogging();

// Applies logger.default to every logger and logger.logs per logger name. 0.8 names such as
// "frigate.mqtt" also apply to corvette's logger of the same module ("corvette.mqtt").
void ApplyLoggerConfig(const config::LoggerConfig& logger);

// The app module's logger ("corvette.app").
spdlog::logger& Log();

}  // namespace corvette::app
