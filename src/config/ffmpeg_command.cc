#include "config/ffmpeg_command.h"

namespace corvette::config {

std::vector<FfmpegCommand> FfmpegCommandsFor(const Config&, const CameraConfig&,
                                             const FfmpegCommandOptions&) {
  return {};
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
  return std::string(text);
}

}  // namespace corvette::config
