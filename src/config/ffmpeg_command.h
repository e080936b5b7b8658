#pragma once

// The ffmpeg command line per camera input (spec §2.8).

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace corvette::config {

struct FfmpegCommand {
  std::vector<Role> roles;  // the input's roles, as configured
  std::vector<std::string>
      argv;  // argv[0] == "ffmpeg"; contains the input URL with its credentials
};

struct FfmpegCommandOptions {
  // False leaves out the rtmp output (the app does so when the RTMP server could not start).
  bool include_rtmp = true;
};

// One command per input that has at least one output, in input order:
// ffmpeg + global_args + hwaccel_args + input_args + -i <path> + outputs, outputs ordered record
// (if the role is set and record.enabled), clips (if the role is set, whatever clips.enabled), rtmp
// (role and rtmp.enabled), detect ([-r fps] + detect args + pipe:). Output files go under
// config.storage.recordings and config.storage.cache; the rtmp URL is
// rtmp://127.0.0.1[:port]/live/<camera> (port only when not 1935).
std::vector<FfmpegCommand> FfmpegCommandsFor(const Config& config, const CameraConfig& camera,
                                             const FfmpegCommandOptions& options = {});

// argv joined by single spaces (the `cmd` string of /api/config).
std::string JoinCommand(const std::vector<std::string>& argv);

// Replaces the password of every URL userinfo ("scheme://user:password@") in `text` by "*****".
std::string RedactUrlPasswords(std::string_view text);

}  // namespace corvette::config
