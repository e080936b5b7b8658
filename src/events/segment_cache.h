#pragma once

// The clip segment cache index (spec §8.3, with §13 items 21 and 22 fixed).
//
// ffmpeg's clips role writes 10-s segments `<cache>/<camera>-YYYYmmddHHMMSS.mp4` (local time, see
// config/ffmpeg_command.cc). A segment is used only once ffmpeg is done with it: a newer segment of
// the same camera exists (the segment muxer opens the next file only after closing the previous
// one) or, for a camera's newest segment, it has not been modified for `stale_seconds` (its ffmpeg
// stopped). No process's open files are scanned, and the ffmpeg command is unchanged (no
// -segment_list). Each finished segment is probed once (libavformat); one that does not probe
// (ffmpeg died before writing its index) is deleted. Its start comes from its name, DST-resolved
// with (mtime - duration) as the hint (storage::LocalTimeToEpoch).
//
// Not thread-safe: one owner (the ClipAssembler's worker) calls every method.

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "storage/segment_files.h"
#include "util/clock.h"

namespace corvette::events {

struct CachedSegment {
  std::string path;
  std::string camera;
  double start = 0.0;     // epoch seconds
  double duration = 0.0;  // seconds, probed
  double end() const { return start + duration; }
};

class SegmentCache {
 public:
  struct Options {
    std::string dir;              // storage.cache
    double stale_seconds = 60.0;  // a camera's newest segment is finished once unmodified this long
    double max_seconds = 300.0;   // clips.max_seconds: nothing older than this is kept for events
    double keep_margin_seconds = 90.0;  // kept before the earliest time still needed (as 0.8)
    // Free-space rule (0.8): when the cache file system is more than max_used_fraction full and has
    // less than min_free_bytes free, the oldest segments go until it is max_used_fraction full.
    double max_used_fraction = 0.9;
    unsigned long long min_free_bytes = 200ULL * 1000 * 1000;
    std::function<std::optional<storage::DiskSpace>(const std::string&)> disk_space =
        storage::DiskSpaceOf;
  };

  // `clock` must outlive the cache.
  SegmentCache(Options options, const util::Clock& clock);

  // Indexes newly finished segments (deleting those that do not probe) and forgets indexed ones
  // whose file is gone. Returns how many were indexed.
  int Refresh();

  // The indexed segments of `camera`, oldest first.
  std::vector<CachedSegment> Segments(const std::string& camera) const;
  // The end of the newest indexed segment of `camera` (epoch seconds), nullopt if none.
  std::optional<double> CoveredUntil(const std::string& camera) const;
  size_t size() const;

  // Retention (§8.3). `earliest_needed`: per camera, the earliest time an event in progress or a
  // pending clip still needs (start_time - pre_capture); a camera without an entry needs nothing
  // before now. Per camera, earliest = max(needed or now, now - max_seconds), and segments that end
  // before earliest - keep_margin_seconds are deleted. Then the free-space rule. Returns how many
  // segments were deleted.
  int Expire(const std::map<std::string, double>& earliest_needed);

 private:
  int DeleteForFreeSpace();

  Options options_;
  const util::Clock& clock_;
  std::map<std::string, std::vector<CachedSegment>> segments_;  // camera -> sorted by start
  std::set<std::string> indexed_paths_;
};

}  // namespace corvette::events
