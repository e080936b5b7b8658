#pragma once

// Joining cached segments into one mp4 by stream copy inside the process (libavformat), the same
// operation as `ffmpeg -f concat -i <playlist> -c copy -movflags +faststart` without starting an
// ffmpeg: spawning ffmpeg alone costs more CPU than the copy itself (docs/benchmarks.md).

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace corvette::events {

// One input of a concatenation (the concat demuxer's file/inpoint/outpoint).
struct RemuxPiece {
  std::string path;
  std::optional<double> inpoint;  // seconds from the file's start; reading starts at the
                                  // keyframe at or before it (stream copy cannot cut elsewhere)
  std::optional<double>
      outpoint;  // seconds from the file's start; packets from here on are dropped
  bool operator==(const RemuxPiece&) const = default;
};

struct RemuxResult {
  bool ok = false;
  std::string error;  // libavformat's message and the file it concerns
};

// Writes `pieces` one after another to `output` (mp4, moov first), copying the video and audio
// streams of the first piece; later pieces must have the same streams (extra ones are dropped).
// Timestamps continue across pieces. `after_piece` (may be null) runs after each piece is written
// (a seam for fault-injection tests). On failure the partial output is left for the caller to
// remove. Thread-safe (no shared state).
RemuxResult ConcatRemux(const std::vector<RemuxPiece>& pieces, const std::string& output,
                        const std::function<void(size_t piece_index)>& after_piece = nullptr);

}  // namespace corvette::events
