#pragma once

// Test support: real frames for the motion tests.

#include <cstdio>
#include <filesystem>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace corvette::motion::testing {

// The first `limit` frames of Debian's vtest.avi (768x576 people walking, opencv-doc), scaled by
// ffmpeg to `width` x `height`, as 8-bit grey (the Y plane the detector sees). Empty when the
// file or ffmpeg is missing.
inline std::vector<cv::Mat> VtestFrames(int width, int height, int limit) {
  const std::string path = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
  std::vector<cv::Mat> frames;
  if (!std::filesystem::exists(path))
    return frames;
  const std::string command = "ffmpeg -v error -i " + path + " -vf scale=" + std::to_string(width) +
                              ":" + std::to_string(height) + ",format=gray -frames:v " +
                              std::to_string(limit) + " -f rawvideo pipe:";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr)
    return frames;
  while (true) {
    cv::Mat frame(height, width, CV_8UC1);
    if (std::fread(frame.data, 1, frame.total(), pipe) != frame.total())
      break;
    frames.push_back(frame);
  }
  ::pclose(pipe);
  return frames;
}

}  // namespace corvette::motion::testing
