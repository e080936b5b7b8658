#pragma once

// Event retention (spec §8.4, with §13 items 11 and 15 kept fixed) and the startup sweep.
//
// Expiry: a clip `<clips>/<camera>-<id>.mp4` (snapshot: `.jpg`; storage/media_layout.h) is
// deleted, and has_clip (has_snapshot) cleared, once the event's start_time is older than the
// retain days of its camera for its label (clips.retain / snapshots.retain: objects.<label>, else
// default); events of cameras no longer configured use the global clips.retain / snapshots.retain.
// The flag is cleared (and committed) before the file is deleted, so no row ever points at a
// deleted file for long.
//
// Rows: corvette stores every true-positive event, also those that never had a clip or snapshot
// (§13 item 11 fixed), so "delete rows with neither" (0.8's step 3) would delete them at once.
// Instead a row with neither is deleted once both its start and end are older than the LONGEST
// retain days of its camera for its label (max of the clips and snapshots days for the label) and
// at least `min_row_age_seconds` old, i.e. when any clip or snapshot it had would have expired
// too. A row whose files expired is thus removed at the same age as one that never had any, and an
// event in progress (end_time = last seen) is never removed.
//
// 0.8's duplicate purge (step 2) is not done: it deletes distinct events (§13 item 15).
//
// EventRetention uses only EventStore's public API (Query, SetHas*, Delete, Flush).

#include <map>
#include <string>
#include <vector>

#include "storage/event_store.h"
#include "util/clock.h"
#include "util/periodic_worker.h"

namespace corvette::events {

// clips.retain or snapshots.retain of one camera (or the global one).
struct RetainDays {
  int default_days = 10;
  std::map<std::string, int> objects;  // label -> days
  int DaysFor(const std::string& label) const;
};

struct CameraRetention {
  RetainDays clips;
  RetainDays snapshots;
};

class EventRetention {
 public:
  struct Options {
    std::string clips_dir;                           // storage.clips
    std::map<std::string, CameraRetention> cameras;  // configured cameras
    CameraRetention global;                          // global clips.retain / snapshots.retain
    double interval_seconds = 300.0;                 // between passes (0.8: 5 min)
    double min_row_age_seconds = 3600.0;
  };
  struct PassResult {
    int clips_expired = 0;
    int snapshots_expired = 0;
    int rows_removed = 0;
  };

  // `store` and `clock` must outlive this object.
  EventRetention(Options options, storage::EventStore& store, const util::Clock& clock);
  ~EventRetention();  // Stop()
  EventRetention(const EventRetention&) = delete;
  EventRetention& operator=(const EventRetention&) = delete;

  // Runs RunOnce() on an own thread now and every interval_seconds.
  void Start() { worker_.Start(); }
  // Ends the thread (an ongoing pass completes first). Idempotent.
  void Stop() { worker_.Stop(); }
  // One pass; blocks until its writes are committed. Not while the thread runs.
  PassResult RunOnce();

 private:
  const CameraRetention& RetentionOf(const std::string& camera) const;
  int ExpireFiles(bool clips);
  int RemoveRows();
  void LoggedPass();

  Options options_;
  storage::EventStore& store_;
  const util::Clock& clock_;
  util::PeriodicWorker worker_;  // last: its thread uses the members above
};

struct SweepFolders {
  std::string clips;
  std::string recordings;
  std::string cache;
};

struct SweepResult {
  int temporaries_removed = 0;
  int clips_cleared = 0;      // rows whose clip file was missing
  int snapshots_cleared = 0;  // rows whose snapshot file was missing
};

// Removes the temporaries a crash can leave in the clips folder (storage::IsMediaTemporaryName:
// ClipAssembler's and FileSystem::WriteFileAtomically's). Recordings and cache hold no temporaries
// of corvette's (ffmpeg's unfinished segments are handled by their maintainers).
SweepResult SweepTemporaries(const SweepFolders& folders);

// At startup, before anything writes: SweepTemporaries, then clears has_clip / has_snapshot of
// rows whose file is gone. Blocks until the changes are committed.
SweepResult StartupSweep(const SweepFolders& folders, storage::EventStore& store);

}  // namespace corvette::events
