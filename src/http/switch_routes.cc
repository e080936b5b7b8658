#include "http/switch_routes.h"

#include <memory>
#include <nlohmann/json.hpp>
#include <utility>

#include "http/query.h"
#include "util/strings.h"

namespace corvette::http {
namespace {

constexpr std::string_view kFeatures[] = {"detect", "clips", "snapshots"};

nlohmann::json SwitchesJson(const CameraSwitches& switches) {
  return {
      {"detect", switches.detect}, {"clips", switches.clips}, {"snapshots", switches.snapshots}};
}

// "http://host:5000" -> "host:5000"; "" when `origin` is not a URL with a host ("null").
std::string_view OriginHost(std::string_view origin) {
  std::size_t scheme = origin.find("://");
  if (scheme == std::string_view::npos)
    return {};
  std::string_view rest = origin.substr(scheme + 3);
  return rest.substr(0, rest.find('/'));
}

}  // namespace

bool IsCrossSiteRequest(const Request& request) {
  if (const std::string* site = request.FindHeader("Sec-Fetch-Site"))
    return !(util::EqualsIgnoreCase(*site, "same-origin") || util::EqualsIgnoreCase(*site, "none"));
  const std::string* origin = request.FindHeader("Origin");
  if (origin == nullptr)
    return false;
  const std::string* host = request.FindHeader("Host");
  return host == nullptr || !util::EqualsIgnoreCase(OriginHost(*origin), *host);
}

void AddSwitchRoutes(Router& router, SwitchRoutesOptions options) {
  auto shared = std::make_shared<const SwitchRoutesOptions>(std::move(options));
  router.Add("POST", "/api/<camera>/<feature>/set", [shared](const Request& request) {
    const std::string& camera = request.Param("camera");
    const std::string& feature = request.Param("feature");
    std::optional<CameraSwitches> current = shared->get(camera);
    if (!current)
      throw HttpError(404, "Camera named " + camera + " not found");
    bool known_feature = false;
    for (std::string_view name : kFeatures)
      known_feature = known_feature || feature == name;
    if (!known_feature)
      throw HttpError(404, "No switch named " + feature + " (detect, clips or snapshots)");
    if (IsCrossSiteRequest(request))
      throw HttpError(403, "Forbidden: a page of another site may not switch cameras");
    std::string_view body = util::Trim(request.body, " \t\r\n");
    if (body != "ON" && body != "OFF")
      throw HttpError(400, "body: must be ON or OFF");
    return Response::Json(SwitchesJson(shared->set(camera, feature, body == "ON")));
  });
}

}  // namespace corvette::http
