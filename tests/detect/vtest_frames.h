#pragma once

// Test helper: frames of OpenCV's vtest.avi (Debian package opencv-doc) decoded by the real ffmpeg.

#include <fmt/format.h>

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace corvette::detect::testing {

inline constexpr const char* kVtestPath = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
inline constexpr int kVtestWidth = 768;
inline constexpr int kVtestHeight = 576;

// Returns `count` I420 frames: frame `first` (0-based) and every `step`-th after it, each
// width*height*3/2 bytes. Throws std::runtime_error when ffmpeg gives fewer.
inline std::vector<std::vector<uint8_t>> ReadVtestI420Every(int first, int step, int count) {
  const std::string cmd = fmt::format(
      "ffmpeg -nostdin -v error -i {} -vf \"select=gte(n\\,{})*not(mod(n-{}\\,{}))\" -vsync 0 "
      "-frames:v {} -pix_fmt yuv420p -f rawvideo -",
      kVtestPath, first, first, step, count);
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr)
    throw std::runtime_error("cannot start ffmpeg");
  std::vector<std::vector<uint8_t>> frames;
  const size_t frame_bytes = kVtestWidth * kVtestHeight * 3 / 2;
  for (int i = 0; i < count; ++i) {
    std::vector<uint8_t> frame(frame_bytes);
    if (fread(frame.data(), 1, frame_bytes, pipe) != frame_bytes)
      break;
    frames.push_back(std::move(frame));
  }
  pclose(pipe);
  if (static_cast<int>(frames.size()) != count) {
    throw std::runtime_error(
        fmt::format("ffmpeg gave {} of {} frames of {}", frames.size(), count, kVtestPath));
  }
  return frames;
}

// Returns `count` consecutive I420 frames starting at frame `first`.
inline std::vector<std::vector<uint8_t>> ReadVtestI420(int first, int count) {
  return ReadVtestI420Every(first, 1, count);
}

}  // namespace corvette::detect::testing
