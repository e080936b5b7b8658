#include "config/ffmpeg_command.h"

#include <fmt/format.h>

#include <cstddef>
#include <initializer_list>

namespace corvette::config {
namespace {

std::string InDirectory(const std::string& dir, const std::string& file) {
  if (dir.empty())
    return file;
  if (dir.back() == '/')
    return dir + file;
  return dir + "/" + file;
}

void Append(std::vector<std::string>& argv, const std::vector<std::string>& args) {
  for (const auto& a : args) {
    if (!a.empty())
      argv.push_back(a);
  }
}

bool Contains(const std::vector<std::string>& args, std::initializer_list<std::string_view> names) {
  for (const auto& a : args) {
    for (std::string_view name : names) {
      if (a == name)
        return true;
    }
  }
  return false;
}

// `url` as a tee slave's file name: the tee splits its argument at '|' and unquotes it like
// av_get_token, so '\\', '|' and '\'' are escaped.
std::string TeeEscaped(const std::string& url) {
  std::string out;
  for (char c : url) {
    if (c == '\\' || c == '|' || c == '\'')
      out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::vector<std::string> RtmpOutputArgs(const std::vector<std::string>& configured,
                                        const std::string& url, bool resilient) {
  std::vector<std::string> args;
  Append(args, configured);
  // The last -f is the one ffmpeg uses.
  std::string format = "flv";
  size_t format_at = args.size();
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "-f") {
      format = args[i + 1];
      format_at = i;
    }
  }
  if (!resilient || format == "tee") {
    args.push_back(url);
    return args;
  }
  if (format_at < args.size())
    args.erase(args.begin() + static_cast<std::ptrdiff_t>(format_at),
               args.begin() + static_cast<std::ptrdiff_t>(format_at) + 2);

  std::vector<std::string> out;
  if (!Contains(args, {"-map"}))
    out.insert(out.end(), {"-map", "0:v:0", "-map", "0:a:0?"});
  out.insert(out.end(), args.begin(), args.end());
  if (format == "flv" && !Contains(args, {"-tag", "-tag:v", "-vtag", "-tag:v:0"}))
    out.insert(out.end(), {"-tag:v", "7"});
  // Inside a tee slave's options ':' separates options, and the fifo_options value is parsed
  // once more: its own separators are escaped twice.
  out.insert(out.end(),
             {"-f", "tee",
              fmt::format("[f={}:onfail=ignore:use_fifo=1:fifo_options="
                          "attempt_recovery=1\\\\:recover_any_error=1\\\\:recovery_wait_time=1"
                          "\\\\:drop_pkts_on_overflow=1\\\\:restart_with_keyframe=1]{}|[f=null]-",
                          format, TeeEscaped(url))});
  return out;
}

std::vector<FfmpegCommand> FfmpegCommandsFor(const Config& config, const CameraConfig& camera,
                                             const FfmpegCommandOptions& options) {
  std::vector<FfmpegCommand> commands;
  const FfmpegOutputArgs& out = camera.ffmpeg.output_args;
  const std::string segment_name = camera.name + "-%Y%m%d%H%M%S.mp4";
  for (const FfmpegInputConfig& input : camera.ffmpeg.inputs) {
    std::vector<FfmpegOutput> outputs;
    if (input.HasRole(Role::kRecord) && camera.record.enabled) {
      FfmpegOutput& o = outputs.emplace_back(FfmpegOutput{Role::kRecord, out.record});
      o.args.push_back(InDirectory(config.storage.recordings, segment_name));
    }
    // Regardless of clips.enabled, so clips can be switched on at run time.
    if (input.HasRole(Role::kClips)) {
      FfmpegOutput& o = outputs.emplace_back(FfmpegOutput{Role::kClips, out.clips});
      o.args.push_back(InDirectory(config.storage.cache, segment_name));
    }
    if (input.HasRole(Role::kRtmp) && camera.rtmp.enabled && options.include_rtmp) {
      outputs.push_back(
          {Role::kRtmp, RtmpOutputArgs(out.rtmp,
                                       config.rtmp.port == 1935
                                           ? fmt::format("rtmp://127.0.0.1/live/{}", camera.name)
                                           : fmt::format("rtmp://127.0.0.1:{}/live/{}",
                                                         config.rtmp.port, camera.name),
                                       options.resilient_rtmp)});
    }
    if (input.HasRole(Role::kDetect)) {
      FfmpegOutput& o = outputs.emplace_back(FfmpegOutput{Role::kDetect, {}});
      if (camera.fps) {
        o.args.push_back("-r");
        o.args.push_back(std::to_string(*camera.fps));
      }
      Append(o.args, out.detect);
      o.args.push_back("pipe:");
    }
    if (outputs.empty())
      continue;

    FfmpegCommand command;
    command.roles = input.roles;
    command.input_argv.push_back("ffmpeg");
    Append(command.input_argv, input.global_args);
    Append(command.input_argv, input.hwaccel_args);
    Append(command.input_argv, input.input_args);
    command.input_argv.push_back("-i");
    command.input_argv.push_back(input.path);
    command.argv = command.input_argv;
    for (const FfmpegOutput& output : outputs)
      Append(command.argv, output.args);
    command.outputs = std::move(outputs);
    commands.push_back(std::move(command));
  }
  return commands;
}

std::string JoinCommand(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty())
      out += ' ';
    out += a;
  }
  return out;
}

std::string RedactUrlPasswords(std::string_view text) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t scheme = text.find("://", pos);
    if (scheme == std::string_view::npos)
      break;
    size_t start = scheme + 3;
    // The authority ends at the first '/', '?', '#' or white space.
    size_t end = text.find_first_of("/?# \t\n", start);
    if (end == std::string_view::npos)
      end = text.size();
    std::string_view authority = text.substr(start, end - start);
    size_t at = authority.rfind('@');
    size_t colon = at == std::string_view::npos ? std::string_view::npos : authority.find(':');
    out.append(text.substr(pos, start - pos));
    if (colon != std::string_view::npos && colon < at) {
      out.append(authority.substr(0, colon + 1));
      out.append("*****");
      out.append(authority.substr(at));
    } else {
      out.append(authority);
    }
    pos = end;
  }
  out.append(text.substr(pos));
  return out;
}

}  // namespace corvette::config
