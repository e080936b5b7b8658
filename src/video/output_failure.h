#pragma once

// What ffmpeg's last words say about a failed output, and how a camera's shared ffmpeg is split so
// that one output that cannot be written (a codec mp4 cannot hold by stream copy, a folder that is
// missing or read-only) no longer takes detection down with it.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "video/camera_supervisor.h"

namespace corvette::video {

struct OutputFailure {
  int index = -1;     // ffmpeg's output file number
  std::string role;   // the role of that output ("clips", "record", ...)
  std::string line;   // the stderr line that names the output
  std::string codec;  // the codec the container refused ("msmpeg4v3"), or ""
  // One sentence for the log: what failed and what to set. Names the camera and the role.
  std::string Explain(const std::string& camera) const;
};

// The failed output of `command` named by ffmpeg's stderr ("Could not write header for output
// file #0 ...", "Error writing trailer of ...", "Error muxing a packet for output file #1"), or
// nullopt when the lines name none, or name one the command does not describe.
std::optional<OutputFailure> FindOutputFailure(const FfmpegCommand& command,
                                               const std::vector<std::string>& stderr_lines);

// The command split in two: the detect output alone, and every other output. nullopt when the
// command has no detect output, nothing else, or no input_argv/outputs to split by.
std::optional<std::pair<FfmpegCommand, FfmpegCommand>> SplitOffDetect(const FfmpegCommand& command);

}  // namespace corvette::video
