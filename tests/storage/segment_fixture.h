#pragma once

// Real mp4 segments cut by ffmpeg from the OpenCV demo footage (vtest.avi, 10 fps), made once per
// test binary: H.264 with a keyframe every 10 frames (1 s) and no B-frames, so short segments and
// stream-copy joins work as they do with a camera.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "../support/vtest_frames.h"

namespace corvette::testing {

// Runs a shell command; true when it exits 0.
inline bool RunShell(const std::string& command) {
  int rc = std::system(command.c_str());
  return rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
}

// Output of a shell command (stdout), trimmed of the final newline.
inline std::string ShellOutput(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe)
    return out;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0)
    out.append(buffer, n);
  ::pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
    out.pop_back();
  return out;
}

// ffprobe's format duration of a file, or -1.
inline double FfprobeDuration(const std::string& path) {
  std::string out = ShellOutput("ffprobe -v error -show_entries format=duration -of csv=p=0 '" +
                                path + "' 2>/dev/null");
  return out.empty() ? -1.0 : std::atof(out.c_str());
}

// True when ffmpeg decodes the whole file without an error message.
inline bool DecodesWithoutErrors(const std::string& path) {
  std::string errors = ShellOutput("ffmpeg -nostdin -v error -i '" + path + "' -f null - 2>&1");
  return errors.empty() &&
         RunShell("ffmpeg -nostdin -v error -i '" + path + "' -f null - 2>/dev/null");
}

// A folder of `count` segments of `seconds` each (seg000.mp4, seg001.mp4, ...), made once per
// (seconds, count) per process and kept until the process exits. Returns the paths in order.
inline std::vector<std::string> VtestSegments(int seconds, int count) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("corvette-segments-" + std::to_string(::getpid()) + "-" +
                               std::to_string(seconds) + "x" + std::to_string(count));
  std::vector<std::string> paths;
  for (int i = 0; i < count; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "seg%03d.mp4", i);
    paths.push_back((dir / name).string());
  }
  if (std::filesystem::exists(paths.back()))
    return paths;
  std::filesystem::create_directories(dir);
  static std::vector<std::filesystem::path> made;
  if (made.empty())
    std::atexit([] {
      std::error_code ec;
      for (const auto& d : made)
        std::filesystem::remove_all(d, ec);
    });
  made.push_back(dir);
  RunShell("ffmpeg -nostdin -v error -y -i " + std::string(kVtestPath) + " -t " +
           std::to_string(seconds * count) +
           " -an -c:v libx264 -preset ultrafast -g 10 -bf 0 -f segment -segment_time " +
           std::to_string(seconds) + " -reset_timestamps 1 -segment_format mp4 '" +
           (dir / "seg%03d.mp4").string() + "'");
  return paths;
}

// Sets a file's mtime (epoch seconds).
inline void SetMtime(const std::string& path, double epoch_seconds) {
  auto file_time = std::filesystem::file_time_type::clock::now() +
                   std::chrono::duration_cast<std::filesystem::file_time_type::duration>(
                       std::chrono::duration<double>(
                           epoch_seconds - std::chrono::duration<double>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count()));
  std::filesystem::last_write_time(path, file_time);
}

}  // namespace corvette::testing
