#pragma once

// The foundation endpoints of 0.8's API (spec §9.2): GET /api/, /api/version, /api/config,
// /api/stats. The other endpoints are registered on the same Router by AddCameraRoutes
// (camera_routes.h), AddEventRoutes (event_routes.h) and StaticFiles::AddRoutes (static_files.h).

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "http/router.h"

namespace corvette::http {

// 0.8's health text, answered by GET /api/.
inline constexpr const char kHealthText[] = "Frigate is running. Alive and healthy!";

struct FoundationApi {
  std::string version;  // /api/version, e.g. corvette::kVersion
  // The /api/config document of the running config (runtime toggles included). Called on an io
  // thread for every request: must be thread-safe.
  std::function<nlohmann::json()> config_document;
  // The /api/stats document (stats::BuildStatsDocument). Same threading as config_document.
  std::function<nlohmann::json()> stats_document;
};

// Adds the headers nginx adds to every /api/ response in 0.8: Access-Control-Allow-Origin: * and
// Cache-Control: no-store; OPTIONS preflights are answered (Router::AllowCrossOrigin). Call once
// per router.
void AddApiHeaders(Router& router);

// Registers GET /api/, /api/version, /api/config and /api/stats.
void RegisterFoundationApi(Router& router, FoundationApi api);

}  // namespace corvette::http
