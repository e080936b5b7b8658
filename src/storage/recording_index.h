#pragma once

// The recordings index: one row per file of the 24/7 recordings tree (table `recording` of the
// events database: path, camera, start and end in epoch seconds, bytes), so that a timeline can
// ask for a camera's day at once without listing or probing files (docs/api.md, "recordings
// index"). The RecordingsMaintainer adds a row when it moves a finished segment into the tree and
// removes it with the file; Reconcile() repairs the index against the tree (files an older corvette
// recorded, rows whose file was deleted by hand).
//
// Thread-safe: writes go through one connection, reads through another, each under its own
// mutex, so a reader never waits for a write (WAL).

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "storage/database.h"

namespace corvette::storage {

struct RecordingRow {
  std::string path;
  std::string camera;
  double start = 0.0;  // epoch seconds
  double end = 0.0;
  std::int64_t bytes = 0;
  bool operator==(const RecordingRow&) const = default;
};

// Consecutive recordings joined: what a timeline draws.
struct RecordingSpan {
  double start = 0.0;
  double end = 0.0;
  int segments = 0;
  std::int64_t bytes = 0;
  bool operator==(const RecordingSpan&) const = default;
};

struct TimeRange {
  double start = 0.0;
  double end = 0.0;
  bool operator==(const TimeRange&) const = default;
};

// Joins `rows` (sorted by start) where one ends less than `join_seconds` before the next starts.
std::vector<RecordingSpan> JoinSpans(const std::vector<RecordingRow>& rows,
                                     double join_seconds = 2.0);
// The parts of [after, before) that no span covers, in order.
std::vector<TimeRange> GapsBetween(const std::vector<RecordingSpan>& spans, double after,
                                   double before);

class RecordingIndex {
 public:
  // Opens `database_path` (created and migrated if needed). Throws storage::Error.
  explicit RecordingIndex(const std::string& database_path);

  // Adds or replaces the row of `row.path`. Throws storage::Error.
  void Add(const RecordingRow& row);
  // Removes the row of `path` (nothing when there is none).
  void Remove(const std::string& path);

  // The recordings of `camera` that overlap [after, before), oldest first. A recording is assumed
  // to last at most a day (longer ones are found only from their start).
  std::vector<RecordingRow> Between(const std::string& camera, double after, double before) const;
  // Every row, oldest first (retention and Reconcile).
  std::vector<RecordingRow> All() const;
  // The `limit` oldest rows of every camera, oldest first.
  std::vector<RecordingRow> Oldest(int limit) const;
  // The bytes of every indexed recording together.
  std::int64_t TotalBytes() const;

  struct ReconcileResult {
    int added = 0;       // files of the tree without a row, probed and indexed
    int removed = 0;     // rows whose file is gone
    int unreadable = 0;  // files that did not probe (left to retention)
  };
  // Makes the index match `files`: (path, camera, start) of every file in the tree. A file without
  // a row is probed with `probe_duration` (nullopt: unreadable, not indexed).
  ReconcileResult Reconcile(
      const std::vector<RecordingRow>& files,
      const std::function<std::optional<double>(const std::string&)>& probe_duration);

 private:
  mutable std::mutex write_mutex_;
  Database writer_;
  mutable std::mutex read_mutex_;
  mutable Database reader_;
};

}  // namespace corvette::storage
