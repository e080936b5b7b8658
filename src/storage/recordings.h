#pragma once

// The 24/7 recordings maintainer (spec §8.5, with §13 item 23 fixed).
//
// ffmpeg's record role writes 60-s segments `<dir>/<camera>-YYYYmmddHHMMSS.mp4` (local time). Each
// pass: every finished segment (see SegmentFile::finished: no open-file scan) is probed (it opens
// and has a duration; otherwise it is deleted) and moved to
// `<dir>/YYYY-MM/DD/HH/<camera>/MM.SS.mp4` (from the name's local time; media_layout.h's
// RecordingPath). Retention: a recording is
// deleted once its start (from its path, not its mtime; DST-resolved with the mtime as hint) is
// older than its camera's retain days; a camera that is no longer configured uses the global
// record.retain_days. Free-space floor: when the file system holding `dir` has less free space than
// the floor, the oldest recordings are deleted until it has the floor again, and a warning says how
// many and from when. Empty folders of the tree are removed.
//
// Threading: Start() runs passes on an own thread every `interval_seconds`; the Run*() methods may
// instead be called directly (tests), but not both at once.

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "storage/recording_index.h"
#include "storage/segment_files.h"
#include "util/clock.h"
#include "util/periodic_worker.h"

namespace corvette::storage {

class RecordingsMaintainer {
 public:
  struct Options {
    std::string dir;                           // storage.recordings
    std::map<std::string, int> retain_days;    // configured camera -> its record.retain_days
    int default_retain_days = 30;              // global record.retain_days (removed cameras)
    double interval_seconds = 10.0;            // between passes of the thread
    double retention_interval_seconds = 60.0;  // between age-retention walks of the tree
    // The newest segment of a camera counts as finished once unmodified this long (ffmpeg gone).
    double stale_seconds = 180.0;
    // Free-space floor: min(min_free_bytes, min_free_fraction * size of the file system).
    unsigned long long min_free_bytes = 1ULL << 30;
    double min_free_fraction = 0.05;
    // The seam for statvfs (tests inject a full disk).
    std::function<std::optional<DiskSpace>(const std::string&)> disk_space = DiskSpaceOf;
    // The recordings index kept in step with the tree (may be null: no index). Must outlive this
    // object.
    RecordingIndex* index = nullptr;
    // Size bound of the recordings together (storage.recordings_max_size; needs the index):
    // max_fraction of the file system when > 0, else max_bytes when > 0, else none.
    unsigned long long max_bytes = 0;
    double max_fraction = 0.0;
  };

  struct PassResult {
    int moved = 0;           // segments moved into the tree
    int deleted_broken = 0;  // finished segments that did not probe
    int expired = 0;         // recordings deleted by age
    int freed = 0;           // recordings deleted for the free-space floor
    int over_bound = 0;      // recordings deleted for the size bound
    int folders_removed = 0;
    int indexed = 0;    // files found in the tree without an index row, now indexed (first pass)
    int unindexed = 0;  // index rows whose file was gone, removed (first pass)
  };

  // `clock` must outlive this object.
  RecordingsMaintainer(Options options, const util::Clock& clock);
  ~RecordingsMaintainer();  // Stop()
  RecordingsMaintainer(const RecordingsMaintainer&) = delete;
  RecordingsMaintainer& operator=(const RecordingsMaintainer&) = delete;

  // Runs RunOnce() on an own thread now and every interval_seconds.
  void Start() { worker_.Start(); }
  // Ends the thread (an ongoing pass completes first). Idempotent.
  void Stop() { worker_.Stop(); }

  // Moves finished segments into the tree.
  PassResult MoveFinished();
  // Deletes recordings past retention and removes empty folders.
  PassResult ExpireOld();
  // Deletes the oldest recordings while free space is under the floor, then empty folders.
  PassResult EnforceFreeSpace();
  // Deletes the oldest recordings while the folder (the indexed recordings and the segments ffmpeg
  // is writing) holds more than the size bound less what it grew by since the last pass, so that
  // it stays under the bound until the next one.
  PassResult EnforceSizeBound();
  // Makes the index match the tree (Options::index; nothing without one).
  PassResult ReconcileIndex();
  // MoveFinished + EnforceSizeBound + EnforceFreeSpace, and ExpireOld when
  // retention_interval_seconds have passed since the last one (always on the first pass); the first
  // pass reconciles the index first.
  PassResult RunOnce();

 private:
  struct Recording {
    std::string path;
    std::string camera;
    double start = 0.0;
  };
  // Deletes a recording's file and its index row; false when the file could not be removed.
  bool RemoveRecording(const std::string& path);
  // Every recording in the tree, oldest first.
  std::vector<Recording> ListTree() const;
  int RemoveEmptyFolders();
  int RetainDaysOf(const std::string& camera) const;

  Options options_;
  const util::Clock& clock_;
  std::optional<double> last_expiry_;  // monotonic
  // The folder's bytes after the last size-bound pass (the growth between passes is kept free).
  std::optional<std::int64_t> used_after_last_bound_pass_;
  bool reconciled_ = false;      // the index was reconciled (first pass)
  util::PeriodicWorker worker_;  // last: its thread uses the members above
};

}  // namespace corvette::storage
