#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "http/router.h"

namespace corvette::http {

// A camera's runtime switches, as the switch routes report them.
struct CameraSwitches {
  bool detect = false;
  bool clips = false;
  bool snapshots = false;
};

struct SwitchRoutesOptions {
  // The camera's switches, or nullopt for an unknown camera.
  std::function<std::optional<CameraSwitches>(const std::string& camera)> get;
  // Turns `feature` ("detect", "clips" or "snapshots") of a known camera on or off and returns
  // the switches afterwards (what MQTT's /set does; the caller also publishes the /state).
  std::function<CameraSwitches(const std::string& camera, std::string_view feature, bool enabled)>
      set;
};

// Registers POST /api/<camera>/<detect|clips|snapshots>/set (a corvette extension, so that the
// web page and scripts can switch a camera with or without an MQTT broker): the body is `ON` or
// `OFF` (surrounding white space ignored, any Content-Type); the answer is 200 with the camera's
// switches afterwards, {"detect": bool, "clips": bool, "snapshots": bool}. An unknown camera or
// switch is 404, another body 400.
//
// A request sent by a browser from another site is refused with 403 (cross-site request
// forgery): one whose `Sec-Fetch-Site` is neither `same-origin` nor `none`, or, without that
// header, one whose `Origin` names another host than its `Host`. Clients that are not browsers
// send neither header and are let through.
void AddSwitchRoutes(Router& router, SwitchRoutesOptions options);

// True when `request` comes from a page of another site (the rule above).
bool IsCrossSiteRequest(const Request& request);

}  // namespace corvette::http
