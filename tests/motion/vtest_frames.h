#pragma once

// The motion tests' view of vtest.avi (tests/support/vtest_frames.h): grey cv::Mat frames, the
// Y plane the motion detector sees.

#include <opencv2/core.hpp>
#include <vector>

#include "../support/vtest_frames.h"

namespace corvette::motion::testing {

// The first `count` frames of vtest.avi scaled to `width` x `height`, as 8-bit grey. Empty when
// vtest.avi is not installed (the tests skip then).
inline std::vector<cv::Mat> VtestFrames(int width, int height, int count) {
  std::vector<cv::Mat> frames;
  if (!corvette::testing::VtestAvailable())
    return frames;
  for (std::vector<uint8_t>& bytes : corvette::testing::ReadVtestFrames(
           {.count = count, .width = width, .height = height, .grey = true})) {
    frames.push_back(cv::Mat(height, width, CV_8UC1, bytes.data()).clone());
  }
  return frames;
}

}  // namespace corvette::motion::testing
