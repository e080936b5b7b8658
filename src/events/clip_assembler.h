#pragma once

// Clip assembly (spec §8.3, with §13 items 14 and 21 fixed): `<clips>/<camera>-<id>.mp4` joined by
// stream copy from the cached segments that cover [start - pre_capture, end + post_capture].
//
// A ClipAssembler owns the SegmentCache and one worker thread. Request() only queues: the worker
// re-scans the cache every `poll_seconds`, builds each clip as soon as the camera's segments reach
// end + post_capture, and meanwhile other requests (any camera) go on. A request whose segments do
// not arrive within `max_wait_seconds` after end + post_capture is built from what the cache holds
// of its window (a warning says so), or fails when it holds nothing. Clips are built one at a time
// (stream copy takes a fraction of a second per clip).
//
// Joining: in process by default (ConcatRemux, libavformat: no ffmpeg start-up per clip, which
// costs more CPU than the copy); Options::use_ffmpeg runs 0.8's ffmpeg command instead.
//
// Crash safety: the clip is written to storage::ClipAssemblyPath in the clips folder (ffmpeg: from
// a playlist at storage::ClipPlaylistPath beside it); Options::file_system's CommitTemporary then
// fsyncs it, renames it to storage::EventClipPath and fsyncs the folder before the completion
// callback runs. A crash (even SIGKILL) therefore never leaves a partial file under the final name;
// storage::IsClipTemporaryName lets the startup sweep remove the rest, and a failed commit leaves
// neither.
//
// Failures are logged (libavformat's message; ffmpeg's exit status or timeout with its last stderr
// lines); no clip.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "events/clip_remux.h"
#include "events/segment_cache.h"
#include "storage/file_system.h"
#include "util/clock.h"

namespace corvette::events {

// 0.8's clip decision when an event ends (§8.1), from plain values: a true positive, clips enabled
// now (the run-time MQTT state), the label in clips.objects (unset = every label), and, when
// clips.required_zones is set, at least one of them entered.
bool ShouldMakeClip(bool clips_enabled, bool false_positive, const std::string& label,
                    const std::optional<std::vector<std::string>>& clip_objects,
                    const std::vector<std::string>& required_zones,
                    const std::vector<std::string>& entered_zones);

struct ClipRequest {
  std::string camera;
  std::string id;
  double start_time = 0.0;  // epoch seconds
  double end_time = 0.0;
  double pre_capture = 5.0;  // seconds
  double post_capture = 5.0;
};

struct ClipResult {
  ClipRequest request;
  bool ok = false;
  std::string path;      // the final clip path (set when ok)
  std::string error;     // why not (when !ok)
  bool partial = false;  // built after the wait ran out, from the segments there were
};

// The pieces of a clip window over segments sorted by start (§8.3): segments that end before
// `window_start` are skipped, the list stops at the first segment that starts after `window_end`;
// `inpoint` (seconds into the segment) when a segment begins before the window, `outpoint` when it
// ends after it. Empty when no segment overlaps the window.
std::vector<RemuxPiece> ClipPieces(const std::vector<CachedSegment>& segments, double window_start,
                                   double window_end);
// The same as an ffmpeg concat-demuxer playlist ("file '<path>'", "inpoint", "outpoint" lines).
std::string ConcatPlaylist(const std::vector<CachedSegment>& segments, double window_start,
                           double window_end);

class ClipAssembler {
 public:
  struct CameraOptions {
    double pre_capture = 5.0;   // clips.pre_capture
    double post_capture = 5.0;  // clips.post_capture
  };
  struct Options {
    std::string clips_dir;        // storage.clips
    SegmentCache::Options cache;  // dir = storage.cache, max_seconds = clips.max_seconds
    // Per camera pre/post capture, used by OnEventStored (a camera missing here gets 5/5 s).
    std::map<std::string, CameraOptions> cameras;
    double poll_seconds = 1.0;       // cache re-scan while requests wait, and retention cadence
    double max_wait_seconds = 60.0;  // after end + post_capture
    bool use_ffmpeg = false;         // join with an ffmpeg child instead of in process
    double ffmpeg_timeout_seconds = 300.0;
    std::string ffmpeg = "ffmpeg";
    // Fault-injection seam for tests: runs on the worker after each piece joined in process.
    std::function<void(size_t piece_index)> after_piece;
    // Commits the joined clip and removes temporaries; must outlive the assembler.
    storage::FileSystem* file_system = &storage::RealFileSystem::Instance();
  };
  // Called on the worker thread after each request, once the clip is durable (ok) or has failed.
  // The app sets has_clip through it (EventStore::SetHasClip(result.request.id, true)).
  using Completion = std::function<void(const ClipResult&)>;

  // Starts the worker. `clock` must outlive the assembler.
  ClipAssembler(Options options, const util::Clock& clock, Completion on_done);
  // Stop().
  ~ClipAssembler();
  ClipAssembler(const ClipAssembler&) = delete;
  ClipAssembler& operator=(const ClipAssembler&) = delete;

  // Ends the worker after the clip being built (if any); requests still waiting are dropped with a
  // log line. Idempotent.
  void Stop();

  // Queues a clip. Never blocks on assembly. Thread-safe.
  void Request(ClipRequest request);
  // Cache retention keeps the segments of an event in progress from start_time - pre_capture on.
  // Note it as soon as the object is tracked (before it is a true positive): segments that end
  // more than keep_margin_seconds before `now` are deleted unless something noted needs them.
  // Thread-safe.
  void NoteEventStarted(const std::string& camera, const std::string& id, double start_time);
  // The event ended without a clip request. Thread-safe.
  void NoteEventEnded(const std::string& id);

  // What an event listener forwards: an object was tracked (or became a true positive), and an
  // event's final row is stored with 0.8's clip decision (`clip_wanted`: request the clip with the
  // camera's pre/post capture from Options::cameras; otherwise the event is noted as ended).
  void OnEventNew(const std::string& camera, const std::string& id, double start_time) {
    NoteEventStarted(camera, id, start_time);
  }
  void OnEventStored(const std::string& camera, const std::string& id, double start_time,
                     double end_time, bool clip_wanted);

  struct Counters {
    std::uint64_t made = 0;
    std::uint64_t failed = 0;
    std::uint64_t partial = 0;
    std::uint64_t waiting = 0;  // requests not yet built
  };
  Counters counters() const;

 private:
  struct Started {
    std::string camera;
    double start_time = 0.0;
  };
  void Loop();
  ClipResult Assemble(const ClipRequest& request, bool partial);
  // Joins with an ffmpeg child; "" on success, else the error (with ffmpeg's stderr).
  std::string RunFfmpeg(const ClipRequest& request, const std::string& playlist,
                        const std::string& playlist_path, const std::string& temporary);
  std::map<std::string, double> EarliestNeeded() const;  // under mutex_
  CameraOptions CameraOf(const std::string& camera) const;

  Options options_;
  const util::Clock& clock_;
  Completion on_done_;
  SegmentCache cache_;  // worker thread only

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::deque<ClipRequest> waiting_;
  std::map<std::string, Started> in_progress_;  // event id -> camera, start
  Counters counters_;
  std::thread worker_;
};

}  // namespace corvette::events
