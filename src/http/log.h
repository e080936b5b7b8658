#pragma once

// The http module's logger ("corvette.http"): util::NamedLogger, kept for the module's lifetime.

#include <spdlog/spdlog.h>

namespace corvette::http {

spdlog::logger& Log();

}  // namespace corvette::http
