#pragma once

// The http module's logger ("corvette.http"), created on first use from the default logger's
// sinks and registered so that level settings by name apply to it.

#include <spdlog/spdlog.h>

#include <memory>

namespace corvette::http {

spdlog::logger& Log();

}  // namespace corvette::http
