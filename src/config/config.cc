#include "config/config.h"

namespace corvette::config {

std::string_view DetectorTypeName(DetectorType type) {
  return type == DetectorType::kCpu ? "cpu" : "edgetpu";
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kDetect:
      return "detect";
    case Role::kClips:
      return "clips";
    case Role::kRecord:
      return "record";
    case Role::kRtmp:
      return "rtmp";
  }
  return "";
}

bool FfmpegInputConfig::HasRole(Role role) const {
  for (Role r : roles) {
    if (r == role)
      return true;
  }
  return false;
}

const ZoneConfig* CameraConfig::FindZone(std::string_view zone_name) const {
  for (const auto& z : zones) {
    if (z.name == zone_name)
      return &z;
  }
  return nullptr;
}

const CameraConfig* Config::FindCamera(std::string_view camera_name) const {
  for (const auto& c : cameras) {
    if (c.name == camera_name)
      return &c;
  }
  return nullptr;
}

LoadResult LoadConfigFile(const std::string&, const std::map<std::string, std::string>&) {
  return LoadResult{std::nullopt, {"config loading is not implemented yet"}, {}};
}

LoadResult LoadConfigText(std::string_view, Format, const std::map<std::string, std::string>&) {
  return LoadResult{std::nullopt, {"config loading is not implemented yet"}, {}};
}

std::map<std::string, std::string> ProcessEnvironment() {
  return {};
}

void ExportEnvironmentVars(const Config&) {}

}  // namespace corvette::config
