#include "stats/stats_document.h"

#include <cmath>

namespace corvette::stats {

double RoundTo2(double value) {
  return std::round(value * 100.0) / 100.0;
}

nlohmann::json BuildStatsDocument(const StatsInputs& inputs) {
  nlohmann::json document = nlohmann::json::object();
  double detection_fps_sum = 0.0;
  for (const CameraStats& camera : inputs.cameras) {
    if (camera.name == "detectors" || camera.name == "detection_fps" || camera.name == "service") {
      continue;
    }
    document[camera.name] = {
        {"camera_fps", RoundTo2(camera.camera_fps)},
        {"process_fps", RoundTo2(camera.process_fps)},
        {"skipped_fps", RoundTo2(camera.skipped_fps)},
        {"detection_fps", RoundTo2(camera.detection_fps)},
        {"pid", camera.pid},
        {"capture_pid", camera.capture_pid},
    };
    if (!camera.roles.empty()) {
      nlohmann::json& roles = document[camera.name]["roles"];
      for (const CameraStats::Role& role : camera.roles) {
        roles[role.role] = {{"state", role.state}};
        if (!role.error.empty())
          roles[role.role]["error"] = role.error;
      }
    }
    detection_fps_sum += camera.detection_fps;
  }

  nlohmann::json detectors = nlohmann::json::object();
  for (const DetectorStats& detector : inputs.detectors) {
    detectors[detector.name] = {
        {"inference_speed", RoundTo2(detector.inference_speed_ms)},
        {"detection_start", detector.detection_start},
        {"pid", detector.pid},
    };
  }
  document["detectors"] = std::move(detectors);
  document["detection_fps"] = RoundTo2(detection_fps_sum);

  nlohmann::json storage = nlohmann::json::object();
  for (const StorageStats& entry : inputs.storage) {
    storage[entry.path] = {
        {"total", entry.usage.total_mb},      {"used", entry.usage.used_mb},
        {"free", entry.usage.free_mb},        {"mount_type", entry.usage.mount_type},
        {"mnt_type", entry.usage.mount_type},
    };
  }
  document["service"] = {
      {"uptime", static_cast<long long>(inputs.uptime_seconds)},
      {"version", inputs.version},
      {"storage", std::move(storage)},
  };
  return document;
}

}  // namespace corvette::stats
