#pragma once

// The ffmpeg command line per camera input (spec §2.8).

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace corvette::config {

// One output of an ffmpeg command: the role it serves and its arguments, destination last.
struct FfmpegOutput {
  Role role;
  std::vector<std::string> args;
};

struct FfmpegCommand {
  std::vector<Role> roles;  // the input's roles, as configured
  std::vector<std::string>
      argv;  // argv[0] == "ffmpeg"; contains the input URL with its credentials
  // argv in parts: everything up to and including `-i <path>`, then each output in ffmpeg's
  // output order (#0, #1, ...). argv is input_argv followed by every output's args.
  std::vector<std::string> input_argv;
  std::vector<FfmpegOutput> outputs;
};

struct FfmpegCommandOptions {
  // False leaves out the rtmp output (the app does so when the RTMP server could not start).
  bool include_rtmp = true;
  // True: the rtmp output goes through ffmpeg's tee muxer with a fifo that reconnects, so the RTMP
  // server dying or hanging never stops the camera's other outputs (detect, clips, record) and the
  // restream resumes by itself once the server is back (see RtmpOutputArgs). False: Frigate 0.8's
  // plain `<rtmp args> <url>`, with which a lost server kills the camera's whole ffmpeg.
  bool resilient_rtmp = true;
};

// The arguments of the rtmp output (spec 2.8 item 3) for `configured` (ffmpeg.output_args.rtmp)
// publishing to `url`. Not resilient: configured + url, as 0.8. Resilient, unless `configured`
// already uses `-f tee`: the last `-f <format>` (default flv) is taken out of `configured`, then
//   [-map 0:v:0 -map 0:a:0?  when configured has no -map]  configured
//   [-tag:v 7  for flv, when configured sets no video tag: a tag copied from an mp4/mov input
//    would make the flv muxer behind the tee refuse the stream]
//   -f tee [f=<format>:onfail=ignore:use_fifo=1:fifo_options=<reconnect every second, drop
//   packets while disconnected, restart on a key frame>]<url>|[f=null]-
// The null slave keeps the tee alive once the rtmp slave has failed for good.
std::vector<std::string> RtmpOutputArgs(const std::vector<std::string>& configured,
                                        const std::string& url, bool resilient);

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
