#pragma once

// Reading the duration of a finished media file (an mp4 segment or clip) in process with
// libavformat, in place of Frigate's `ffprobe -show_entries format=duration` child process.

#include <optional>
#include <string>

namespace corvette::storage {

// The container's duration in seconds, or nullopt when the file cannot be opened as media or has
// no positive duration (e.g. an mp4 whose moov atom was never written because ffmpeg is still
// writing it or died). Thread-safe; libavformat's own logging is silenced on first use.
std::optional<double> ProbeDurationSeconds(const std::string& path);

}  // namespace corvette::storage
