#include "video/output_failure.h"

#include <fmt/format.h>

#include <charconv>
#include <string_view>

namespace corvette::video {
namespace {

constexpr std::string_view kOutputFile = "output file #";
constexpr std::string_view kTrailer = "Error writing trailer of ";
constexpr std::string_view kCodecTag = "Could not find tag for codec ";

// The output named by one stderr line: its index, or -1.
int OutputIndexIn(const FfmpegCommand& command, std::string_view line) {
  if (std::size_t at = line.find(kOutputFile); at != std::string_view::npos) {
    const char* first = line.data() + at + kOutputFile.size();
    int index = -1;
    auto [end, error] = std::from_chars(first, line.data() + line.size(), index);
    return error == std::errc() && end != first ? index : -1;
  }
  if (std::size_t at = line.find(kTrailer); at != std::string_view::npos) {
    // "Error writing trailer of <destination>: <reason>"
    const std::string_view rest = line.substr(at + kTrailer.size());
    for (std::size_t i = 0; i < command.outputs.size(); ++i) {
      const std::vector<std::string>& args = command.outputs[i].second;
      if (!args.empty() && rest.starts_with(args.back() + ":"))
        return static_cast<int>(i);
    }
  }
  return -1;
}

}  // namespace

std::optional<OutputFailure> FindOutputFailure(const FfmpegCommand& command,
                                               const std::vector<std::string>& stderr_lines) {
  std::optional<OutputFailure> failure;
  std::string codec;
  for (const std::string& line : stderr_lines) {
    if (std::size_t at = line.find(kCodecTag); at != std::string::npos && codec.empty()) {
      const std::size_t start = at + kCodecTag.size();
      codec = line.substr(start, line.find(' ', start) - start);
    }
    const int index = OutputIndexIn(command, line);
    if (!failure && index >= 0 && index < static_cast<int>(command.outputs.size())) {
      failure = OutputFailure{index, command.outputs[index].first, line, ""};
    }
  }
  if (failure)
    failure->codec = codec;
  return failure;
}

std::string OutputFailure::Explain(const std::string& camera) const {
  std::string what =
      codec.empty() ? fmt::format("ffmpeg could not write it ({})", line)
                    : fmt::format("mp4 cannot hold the stream's {} video by stream copy", codec);
  std::string fix =
      codec.empty()
          ? fmt::format("check that the {} folder exists, is writable and has space", role)
          : fmt::format(
                "to keep {0} of this camera, re-encode in ffmpeg.output_args.{0} (for example "
                "add `-c:v libx264 -preset veryfast` after the -f segment options and drop "
                "`-c copy`), or have the camera send H.264 or H.265",
                role);
  return fmt::format(
      "camera {0}: its {1} output cannot be written: {2}. Detection goes on in an ffmpeg of "
      "its own, and {1} is retried with growing delays; {3}.",
      camera, role, what, fix);
}

std::optional<std::pair<FfmpegCommand, FfmpegCommand>> SplitOffDetect(
    const FfmpegCommand& command) {
  if (command.input_argv.empty() || command.outputs.size() < 2)
    return std::nullopt;
  FfmpegCommand detect;
  FfmpegCommand others;
  for (FfmpegCommand* part : {&detect, &others}) {
    part->argv = command.input_argv;
    part->input_argv = command.input_argv;
  }
  for (const auto& output : command.outputs) {
    FfmpegCommand& part = output.first == "detect" ? detect : others;
    part.roles.push_back(output.first);
    part.argv.insert(part.argv.end(), output.second.begin(), output.second.end());
    part.outputs.push_back(output);
  }
  if (detect.outputs.empty() || others.outputs.empty())
    return std::nullopt;
  return std::make_pair(std::move(detect), std::move(others));
}

}  // namespace corvette::video
