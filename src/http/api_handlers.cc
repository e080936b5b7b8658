#include "http/api_handlers.h"

#include <memory>
#include <utility>

namespace corvette::http {

void AddApiHeaders(Router& router) {
  router.AllowCrossOrigin("/api/");
  router.AddHeaderForPrefix("/api/", "Cache-Control", "no-store");
}

void RegisterFoundationApi(Router& router, FoundationApi api) {
  auto shared = std::make_shared<const FoundationApi>(std::move(api));
  router.Get("/api/", [](const Request&) { return Response::Text(200, kHealthText); });
  router.Get("/api/version",
             [shared](const Request&) { return Response::Text(200, shared->version); });
  router.Get("/api/config",
             [shared](const Request&) { return Response::Json(shared->config_document()); });
  router.Get("/api/stats",
             [shared](const Request&) { return Response::Json(shared->stats_document()); });
}

}  // namespace corvette::http
