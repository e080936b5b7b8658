#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "http/router.h"
#include "storage/event_store.h"
#include "storage/recording_index.h"

namespace corvette::http {

struct RecordingRoutesOptions {
  std::shared_ptr<const storage::RecordingIndex> index;  // must be non-null
  std::shared_ptr<const storage::EventStore> store;      // the events shown with the index
  std::set<std::string, std::less<>> cameras;            // the configured cameras
  std::string recordings_dir;   // storage.recordings: finished segments not yet moved, and
                                // the `.exports` folder the exports are written to
  std::function<double()> now;  // epoch seconds
};

// The longest range an export may cover (docs/api.md says why).
inline constexpr double kMaxExportSeconds = 6 * 3600.0;
// The longest range the recordings index answers at once.
inline constexpr double kMaxIndexSeconds = 31 * 86400.0;
// How long an export is kept after its last request (players seek with Range requests).
inline constexpr double kExportKeepSeconds = 60.0;

// Registers corvette's recordings routes (docs/api.md):
//   GET /api/<camera>/recordings?after=&before=  the index: spans, gaps and events of a range
//   GET /api/<camera>/start/<start>/end/<end>/clip.mp4  one mp4 of a range, by stream copy
// Clears the `.exports` folder left by an earlier run.
void AddRecordingRoutes(Router& router, RecordingRoutesOptions options);

}  // namespace corvette::http
