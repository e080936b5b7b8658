#pragma once

// Test helper shared by the modules' tests: frames of Debian's vtest.avi (package opencv-doc;
// people walking, 768x576, 10 fps, 795 frames) decoded by the real ffmpeg.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace corvette::testing {

inline constexpr const char* kVtestPath = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
inline constexpr int kVtestWidth = 768;
inline constexpr int kVtestHeight = 576;

// True when vtest.avi is installed (tests that may run without it skip when it is not).
inline bool VtestAvailable() {
  std::error_code ec;
  return std::filesystem::is_regular_file(kVtestPath, ec);
}

// Which frames of vtest.avi to read, and in what form.
struct VtestRead {
  int first = 0;  // 0-based index of the first frame
  int step = 1;   // then every step-th frame after it
  int count = 1;
  int width = kVtestWidth;  // scaled by ffmpeg when not the native size
  int height = kVtestHeight;
  bool grey = false;  // 8-bit luma, width*height bytes; else I420, width*height*3/2 bytes
};

// The frames `read` asks for, in order. Throws std::runtime_error when ffmpeg gives fewer (also
// when vtest.avi or ffmpeg is missing).
inline std::vector<std::vector<uint8_t>> ReadVtestFrames(const VtestRead& read) {
  const std::string first = std::to_string(read.first);
  std::string filters =
      "select=gte(n\\," + first + ")*not(mod(n-" + first + "\\," + std::to_string(read.step) + "))";
  if (read.width != kVtestWidth || read.height != kVtestHeight)
    filters += ",scale=" + std::to_string(read.width) + ":" + std::to_string(read.height);
  const std::string command = std::string("ffmpeg -nostdin -v error -i ") + kVtestPath + " -vf \"" +
                              filters + "\" -vsync 0 -frames:v " + std::to_string(read.count) +
                              " -pix_fmt " + (read.grey ? "gray" : "yuv420p") + " -f rawvideo -";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr)
    throw std::runtime_error("cannot start ffmpeg");
  const size_t pixels = static_cast<size_t>(read.width) * read.height;
  const size_t frame_bytes = read.grey ? pixels : pixels * 3 / 2;
  std::vector<std::vector<uint8_t>> frames;
  for (int i = 0; i < read.count; ++i) {
    std::vector<uint8_t> frame(frame_bytes);
    if (std::fread(frame.data(), 1, frame_bytes, pipe) != frame_bytes)
      break;
    frames.push_back(std::move(frame));
  }
  ::pclose(pipe);
  if (static_cast<int>(frames.size()) != read.count) {
    throw std::runtime_error("ffmpeg gave " + std::to_string(frames.size()) + " of " +
                             std::to_string(read.count) + " frames of " + kVtestPath);
  }
  return frames;
}

// `count` native-size I420 frames: frame `first` and every `step`-th after it.
inline std::vector<std::vector<uint8_t>> ReadVtestI420Every(int first, int step, int count) {
  return ReadVtestFrames({.first = first, .step = step, .count = count});
}

// `count` consecutive native-size I420 frames from frame `first` on.
inline std::vector<std::vector<uint8_t>> ReadVtestI420(int first, int count) {
  return ReadVtestI420Every(first, 1, count);
}

// The scene without its people (an I420 frame): the per-pixel median of 19 frames spread over the
// clip, in which the walkers are never at the same place often enough to be kept.
inline std::vector<uint8_t> VtestStillBackground() {
  const auto samples = ReadVtestI420Every(0, 40, 19);
  std::vector<uint8_t> background(samples[0].size());
  std::vector<uint8_t> values(samples.size());
  for (size_t i = 0; i < background.size(); ++i) {
    for (size_t f = 0; f < samples.size(); ++f)
      values[f] = samples[f][i];
    std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
    background[i] = values[values.size() / 2];
  }
  return background;
}

}  // namespace corvette::testing
