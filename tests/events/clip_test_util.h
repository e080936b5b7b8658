#pragma once

#include <fmt/format.h>

#include <filesystem>
#include <string>
#include <vector>

#include "../storage/segment_fixture.h"
#include "../storage/test_dir.h"
#include "storage/segment_files.h"

namespace corvette::events::testing {

using storage::testing::TestDir;

// `<camera>-YYYYmmddHHMMSS.mp4` for a start time, in local time as ffmpeg's strftime names it.
inline std::string SegmentFileName(const std::string& camera, double start) {
  storage::LocalTime t = storage::EpochToLocalTime(start);
  return fmt::format("{}-{:04}{:02}{:02}{:02}{:02}{:02}.mp4", camera, t.year, t.month, t.day,
                     t.hour, t.minute, t.second);
}

// Copies real `seconds`-long segments into `dir` as `camera`'s cache segments starting at
// `first_start` (whole seconds), each with its mtime at its end, as ffmpeg leaves them.
inline std::vector<std::string> PutSegments(const std::string& dir, const std::string& camera,
                                            double first_start, int seconds, int count,
                                            int first_index = 0) {
  std::vector<std::string> sources = corvette::testing::VtestSegments(seconds, first_index + count);
  std::vector<std::string> paths;
  for (int i = 0; i < count; ++i) {
    double start = first_start + i * seconds;
    std::string path = (std::filesystem::path(dir) / SegmentFileName(camera, start)).string();
    std::filesystem::copy_file(sources[first_index + i], path,
                               std::filesystem::copy_options::overwrite_existing);
    corvette::testing::SetMtime(path, start + seconds);
    paths.push_back(path);
  }
  return paths;
}

inline double WholeSecondsNow() {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count());
}

}  // namespace corvette::events::testing
