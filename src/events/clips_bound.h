#pragma once

// The size bound of the event clips and snapshots (storage.clips_max_size), and their share of the
// free-space floor: the last things corvette deletes for space (docs/config.md, "Storage bounds").
//
// Each pass lists the event files of the clips folder (storage::ParseEventFileName:
// `<camera>-<id>.mp4` and `.jpg`; not the database, not temporaries) and, while they hold more than
// the bound, or while the file system is under the free-space floor and `recordings_left` says no
// recording on it is left to delete, deletes the oldest event's files (by the start time in the
// id): the row's has_clip / has_snapshot is cleared and committed first, so no row ever points at
// a missing file.
//
// Threading: Start() runs passes on an own thread every `interval_seconds`; RunOnce() may instead
// be called directly (tests), but not both at once.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "storage/event_store.h"
#include "storage/segment_files.h"
#include "util/periodic_worker.h"

namespace corvette::events {

class ClipsSizeBound {
 public:
  struct Options {
    std::string clips_dir;
    // The bound: max_fraction of the file system when > 0, else max_bytes when > 0, else none.
    std::uint64_t max_bytes = 0;
    double max_fraction = 0.0;
    // The free-space floor: min(min_free_bytes, min_free_fraction * file system size).
    std::uint64_t min_free_bytes = 1ULL << 30;
    double min_free_fraction = 0.05;
    // True while recordings that share the clips folder's file system are left to delete (they go
    // first); null = none ever are.
    std::function<bool()> recordings_left;
    std::function<std::optional<storage::DiskSpace>(const std::string&)> disk_space =
        storage::DiskSpaceOf;
    double interval_seconds = 30.0;
  };
  struct PassResult {
    int deleted = 0;  // files deleted (clips and snapshots)
    std::uint64_t bytes_before = 0;
    std::uint64_t bytes_after = 0;
  };

  // `store` must outlive this object.
  ClipsSizeBound(Options options, storage::EventStore& store);
  ~ClipsSizeBound();  // Stop()
  ClipsSizeBound(const ClipsSizeBound&) = delete;
  ClipsSizeBound& operator=(const ClipsSizeBound&) = delete;

  void Start() { worker_.Start(); }
  void Stop() { worker_.Stop(); }
  PassResult RunOnce();

 private:
  Options options_;
  storage::EventStore& store_;
  util::PeriodicWorker worker_;  // last: its thread uses the members above
};

}  // namespace corvette::events
