#pragma once

// The segment files ffmpeg's segment muxer writes with `-strftime 1`:
// `<dir>/<camera>-YYYYmmddHHMMSS.mp4`, named in the server's local time (spec §2.8), and how to
// turn such local times into epoch seconds without being fooled by daylight-saving changes
// (spec §13 item 22).

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace corvette::storage {

// The broken-down local time of a segment name (fields as in std::tm, tm_isdst unset).
struct LocalTime {
  int year = 0;   // e.g. 2026
  int month = 0;  // 1..12
  int day = 0;    // 1..31
  int hour = 0;
  int minute = 0;
  int second = 0;
};

struct SegmentName {
  std::string camera;  // the file name up to the last '-'
  LocalTime local;
};

// Parses "<camera>-YYYYmmddHHMMSS.mp4" (a file name, not a path). nullopt for anything else,
// including hidden files (leading '.') and out-of-range fields.
std::optional<SegmentName> ParseSegmentName(std::string_view file_name);

// The epoch seconds of a local wall-clock time in the process's time zone (TZ). A time that occurs
// twice (the hour repeated when clocks go back) resolves to the candidate nearest `hint` (e.g. the
// file's mtime minus its duration: ffmpeg names a segment when it opens it) or, without a hint, to
// the earlier one. A time that never occurs (skipped when clocks go forward) resolves as mktime
// does with tm_isdst = -1. Thread-safe (mktime/localtime_r only).
double LocalTimeToEpoch(const LocalTime& local, std::optional<double> hint = std::nullopt);

// The local wall-clock time of epoch seconds (fractions dropped).
LocalTime EpochToLocalTime(double epoch_seconds);

// One `<camera>-YYYYmmddHHMMSS.mp4` file directly in a segment folder.
struct SegmentFile {
  std::string path;
  std::string camera;
  double start = 0.0;  // epoch seconds from the name (DST-resolved with the mtime as hint)
  double mtime = 0.0;  // epoch seconds
  // ffmpeg is done with it: a newer segment of the same camera exists (the segment muxer opens the
  // next file only after closing the previous one), or it is the newest and has not been modified
  // for `stale_seconds` (its ffmpeg stopped or died). The newest segment of a camera whose ffmpeg
  // runs is never finished, so nothing reads or deletes a file that is still being written, and no
  // process's open files are scanned (spec §13 item 21).
  bool finished = false;
};

// The segment files directly in `dir`, sorted by camera then start time. Other files are ignored.
// `now` is the wall-clock time in epoch seconds.
std::vector<SegmentFile> ListSegmentFiles(const std::string& dir, double now, double stale_seconds);

// A file's modification time in epoch seconds, or nullopt if it cannot be stat'ed.
std::optional<double> FileMtime(const std::string& path);

// Free and total bytes of the file system holding a path (statvfs, bytes available to
// unprivileged users).
struct DiskSpace {
  unsigned long long total_bytes = 0;
  unsigned long long free_bytes = 0;
};
std::optional<DiskSpace> DiskSpaceOf(const std::string& path);

}  // namespace corvette::storage
