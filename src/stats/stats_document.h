#pragma once

// The /api/stats (and MQTT <prefix>/stats) document, exactly as Frigate 0.8 shapes it (spec §11).
// Built from plain figures so that whoever owns the numbers (cameras, detectors, the app) can
// fill them in without this module knowing them.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "stats/storage_stats.h"

namespace corvette::stats {

struct CameraStats {
  std::string name;
  double camera_fps = 0.0;     // frames read from ffmpeg per second
  double process_fps = 0.0;    // frames handed to the processor per second
  double skipped_fps = 0.0;    // frames dropped because the processor's queue was full
  double detection_fps = 0.0;  // detector calls (regions) per second for this camera
  int pid = 0;                 // the process doing the camera's processing (ours)
  int capture_pid = 0;         // the camera's ffmpeg child; 0 when none runs
  // corvette's extension: each ffmpeg output role and whether it works (CameraSupervisor's
  // "running", "starting", "failed", "restarting"), with the last failure while it is not running.
  struct Role {
    std::string role, state, error;
  };
  std::vector<Role> roles = {};
};

struct DetectorStats {
  std::string name;
  double inference_speed_ms = 10.0;  // moving average; 0.8 starts at 10 ms
  double detection_start = 0.0;      // epoch seconds of the inference in flight, 0.0 when idle
  int pid = 0;
};

struct StorageStats {
  std::string path;  // the key, as configured (e.g. "/media/frigate/clips")
  StorageUsage usage;
};

struct StatsInputs {
  std::vector<CameraStats> cameras;
  std::vector<DetectorStats> detectors;
  double uptime_seconds = 0.0;
  std::string version;
  std::vector<StorageStats> storage;  // clips, recordings, cache, /dev/shm
};

// {"<camera>": {camera_fps, process_fps, skipped_fps, detection_fps, pid, capture_pid,
//               roles: {"<role>": {state[, error]}} (corvette's; left out when empty)}, ...,
//  "detectors": {"<name>": {inference_speed, detection_start, pid}},
//  "detection_fps": sum of the cameras' detection_fps,
//  "service": {"uptime": int, "version": str,
//              "storage": {"<path>": {total, used, free, mount_type, mnt_type}}}}
// Rates and inference_speed are rounded to 2 decimals, uptime truncated to whole seconds. Storage
// entries carry both 0.8's `mount_type` and the documented `mnt_type`. A camera named like one of
// the reserved keys (detectors, detection_fps, service) is left out: consumers treat every other
// top-level key as a camera, so the reserved ones must keep their meaning.
nlohmann::json BuildStatsDocument(const StatsInputs& inputs);

// Python's round(x, 2) for the figures above (half away from zero; 0.8's banker's rounding of
// binary fractions differs only in the last digit of ties).
double RoundTo2(double value);

}  // namespace corvette::stats
