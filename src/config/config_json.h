#pragma once

// The /api/config document (spec §2.9).

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "config/ffmpeg_command.h"

namespace corvette::config {

// The /api/config shape of Frigate 0.8: database, model, detectors, mqtt (no password), clips,
// snapshots, cameras, logger (upper-case levels), environment_vars; per camera the §2.9 keys
// including frame_shape and ffmpeg_cmds (URL passwords shown as "*****"). Our extensions appear as
// extra top-level keys (server, storage, rtmp) and as extra keys of model (path, labelmap_path).
// Without MQTT the mqtt section still appears, with Frigate's defaults and host null (Home
// Assistant reads topic_prefix and client_id). Pass the live config to reflect runtime toggles
// (clips/snapshots/detect enabled). `options` must match how the app starts ffmpeg (e.g.
// include_rtmp false when the RTMP server is down).
nlohmann::json ToJson(const Config& config, const FfmpegCommandOptions& options = {});

}  // namespace corvette::config
