#pragma once

// The names of corvette's media files: the one place that builds and parses them, so writers,
// readers, the startup sweep, retention and the size bounds always agree.
//
// The clips folder (storage.clips):
//   <camera>-<id>.mp4              an event's clip
//   <camera>-<id>.jpg              an event's snapshot
//   .<camera>-<id>.mp4.assembling  a clip being joined (ClipAssembler)
//   .<camera>-<id>.concat          the ffmpeg playlist of a clip being joined
//   <name>.tmp-<pid>-<n>           a file being written by FileSystem::WriteFileAtomically
// The recordings folder (storage.recordings):
//   YYYY-MM/DD/HH/<camera>/MM.SS.mp4  a recording, by the local time of its start (what the Home
//                                     Assistant integration reads)
//   .exports/<camera>-<pid>-<n>.mp4   an export of a range (GET .../clip.mp4)
//
// The segments ffmpeg writes (`<camera>-YYYYmmddHHMMSS.mp4`) are named by its command line; see
// segment_files.h.

#include <optional>
#include <string>
#include <string_view>

#include "storage/segment_files.h"

namespace corvette::storage {

// `<clips_dir>/<camera>-<id>.mp4`
std::string EventClipPath(const std::string& clips_dir, const std::string& camera,
                          const std::string& id);
// `<clips_dir>/<camera>-<id>.jpg`
std::string EventSnapshotPath(const std::string& clips_dir, const std::string& camera,
                              const std::string& id);

// An event clip or snapshot's file name: `<camera>-<start>-<suffix>.<mp4|jpg>`.
struct EventFileName {
  std::string id;      // "<start>-<suffix>"
  double start = 0.0;  // the event's start, from the id
  bool clip = false;   // .mp4 (else .jpg)
};
// nullopt for anything else: hidden files, temporaries, the database, an id whose start is not
// digits with an optional fraction.
std::optional<EventFileName> ParseEventFileName(std::string_view file_name);

// Where ClipAssembler joins an event's clip before it is committed under EventClipPath:
// `<clips_dir>/.<camera>-<id>.mp4.assembling`.
std::string ClipAssemblyPath(const std::string& clips_dir, const std::string& camera,
                             const std::string& id);
// The ffmpeg playlist of that clip: `<clips_dir>/.<camera>-<id>.concat`.
std::string ClipPlaylistPath(const std::string& clips_dir, const std::string& camera,
                             const std::string& id);
// True for the two names above (a file name, not a path).
bool IsClipTemporaryName(std::string_view file_name);

// Where FileSystem::WriteFileAtomically writes `path` before renaming it:
// `<path>.tmp-<pid>-<serial>`, unique within the process for a distinct `serial`.
std::string WriteTemporaryPath(const std::string& path, unsigned serial);
// True for such names (a file name, not a path).
bool IsWriteTemporaryName(std::string_view file_name);

// Any temporary corvette writes in the clips folder (either kind above): what a startup sweep
// removes.
bool IsMediaTemporaryName(std::string_view file_name);

// `<recordings_dir>/YYYY-MM/DD/HH/<camera>/MM.SS.mp4` for a recording starting at local time
// `start`.
std::string RecordingPath(const std::string& recordings_dir, const std::string& camera,
                          const LocalTime& start);
// The parts of a recording's path, folder by folder, for walking the tree. Each returns false for
// a name that is no such part and then leaves `time` unchanged; otherwise it sets the fields named.
bool ParseRecordingMonthFolder(std::string_view name, LocalTime& time);  // "YYYY-MM": year, month
bool ParseRecordingDayFolder(std::string_view name, LocalTime& time);    // "DD": day
bool ParseRecordingHourFolder(std::string_view name, LocalTime& time);   // "HH": hour
// "MM.SS.mp4" (or "MM.SS.<n>.mp4", as earlier builds named a second recording in the same second;
// still read so that retention finds them): minute, second.
bool ParseRecordingFileName(std::string_view name, LocalTime& time);

// `<recordings_dir>/.exports`: the exports of recording ranges (hidden from the recordings
// listing; emptied at start).
std::string ExportsFolder(const std::string& recordings_dir);
// `<camera>-<pid>-<serial>.mp4`: an export's file name in ExportsFolder, unique within the process
// for a distinct `serial`.
std::string ExportFileName(const std::string& camera, unsigned serial);

}  // namespace corvette::storage
