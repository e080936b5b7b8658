#pragma once

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
#include <thread>
#include <unordered_map>
#include <vector>

#include "camera/camera.h"
#include "events/event_listener.h"
#include "events/zone_counts.h"
#include "image/render.h"
#include "storage/event_store.h"
#include "storage/file_system.h"
#include "track/best_objects.h"
#include "track/tracked_object.h"
#include "video/frame.h"

namespace corvette::events {

// Camera `snapshots` (the event's snapshot file, §7.4/§8.1). Defaults as Frigate 0.8.
struct SnapshotFileOptions {
  bool enabled = false;  // initial value; MQTT <camera>/snapshots/set toggles it at run time
  image::SnapshotOptions render;  // timestamp, bounding_box, crop, height (0 = frame height)
  std::vector<std::string> required_zones;  // empty = none required
};

// Camera `mqtt` snapshot options (<prefix>/<camera>/<label>/snapshot). Defaults as Frigate 0.8.
struct MqttSnapshotOptions {
  bool enabled = true;
  image::SnapshotOptions render{
      .timestamp = true, .bounding_box = true, .crop = true, .height = 270};
  std::vector<std::string> required_zones;
};

// Camera `clips`: what the clip decision at the end of an event needs (§8.1).
struct ClipDecisionOptions {
  bool enabled = false;  // initial value; MQTT <camera>/clips/set toggles it at run time
  std::optional<std::vector<std::string>> objects;  // unset = every label
  std::vector<std::string> required_zones;
};

// Everything an EventProcessor needs, as plain values the app maps from config::CameraConfig.
struct EventProcessorOptions {
  std::string camera;
  int frame_width = 0;  // detect frame geometry
  int frame_height = 0;
  std::vector<track::Zone> zones;            // in config order, with their per-label filters
  std::map<std::string, double> thresholds;  // label -> objects.filters.<label>.threshold
  double default_threshold = 0.7;
  double best_image_timeout = 60.0;  // seconds
  SnapshotFileOptions snapshots;
  MqttSnapshotOptions mqtt;
  ClipDecisionOptions clips;
  // Snapshot files go here (storage::EventSnapshotPath); empty = none written.
  std::string clips_dir;
  // Writes the snapshot files; must outlive the processor.
  storage::FileSystem* file_system = &storage::RealFileSystem::Instance();
  // Label colour for drawn boxes (Tab10Colour of the class id, as the live view); null = tab10 0.
  std::function<cv::Scalar(const std::string& label)> label_colour;
  // Where events are stored; null = not stored (messages and counts only). Must outlive the
  // processor.
  storage::EventStore* store = nullptr;
  // Zone counts shared by all cameras; null = this processor keeps its own.
  std::shared_ptr<ZoneCounts> zone_counts;
  // Tasks waiting for the worker (renders, rows, messages). When full, refreshes of in-progress
  // rows and best-snapshot renders are dropped (counted); other tasks make the camera wait.
  size_t queue_capacity = 512;
};

// An object as the HTTP handlers see it while its event is in progress (or ending, until its final
// row is committed).
struct LiveEvent {
  std::string id;
  std::string camera;
  std::string label;
  bool false_positive = true;
  bool ended = false;
  // The frame of the object's thumbnail (§7.2) and the detection on it; null frame = none yet.
  std::shared_ptr<const video::Frame> frame;
  image::SnapshotObject object;
};

// The best object of a label on a camera (§7.3) with its frame.
struct LiveBest {
  std::string id;
  std::shared_ptr<const video::Frame> frame;
  image::SnapshotObject object;
};

// The object processor and event recorder of one camera (§5.1, §6.2, §7, §8.1, §10 counts).
//
// OnFrame runs on the camera's processor thread (install Observer() as CameraOptions::on_frame):
// it keeps a track::TrackedObject per tracker id, runs the score/zone/thumbnail logic, decides the
// best object per label, the event messages (new, then update at most every 5 s, end with
// end_time = last seen, sent once the final row is stored) and the counts, and fills
// FrameResult::snapshot.zone_occupied. It only copies small structs and frame pointers; JPEG
// rendering, snapshot files, database writes and listener callbacks happen in order on the
// processor's own worker thread.
//
// Storage (with `store`): a true positive's row is inserted on the frame it becomes one (so
// /api/events lists in-progress events, end_time = last seen so far) and refreshed at most once a
// second while it changes; at the end the snapshot file (when enabled and snapshots.required_zones
// are entered) is written atomically and durably, then the final row is upserted and has_snapshot
// set. False positives are never stored. Thumbnail frames are held (shared_ptr) only while a live
// object or a best object needs them.
//
// HTTP threads may call FindLive, Best, the Render* helpers, the toggles and counters at any time.
class EventProcessor {
 public:
  explicit EventProcessor(EventProcessorOptions options);
  // Runs every queued task, then stops the worker.
  ~EventProcessor();
  EventProcessor(const EventProcessor&) = delete;
  EventProcessor& operator=(const EventProcessor&) = delete;

  // Listeners are called on the worker thread; add them before the first frame. Shared ownership
  // keeps them alive while the processor runs.
  void AddListener(std::shared_ptr<EventListener> listener);

  // The FrameObserver for camera::CameraOptions::on_frame (captures `this`: the processor must
  // outlive the camera's processing).
  camera::FrameObserver Observer();
  // One processed frame (camera thread only).
  void OnFrame(const camera::FrameResult& result);

  // Run-time switches (MQTT <camera>/snapshots/set and clips/set); read when an event ends.
  void set_snapshots_enabled(bool enabled) { snapshots_enabled_.store(enabled); }
  bool snapshots_enabled() const { return snapshots_enabled_.load(); }
  void set_clips_enabled(bool enabled) { clips_enabled_.store(enabled); }
  bool clips_enabled() const { return clips_enabled_.load(); }

  // A tracked object of this camera by id (in progress, false positives included, or ended and
  // not yet stored). Thread-safe.
  std::optional<LiveEvent> FindLive(const std::string& id) const;
  // The best object of `label` (never cleared once set). Thread-safe.
  std::optional<LiveBest> Best(const std::string& label) const;

  // The 175-px event thumbnail of a live object (black 175x175 when it has none yet).
  static std::string RenderThumbnail(const LiveEvent& event);
  // The snapshot of a live object with `options`; nullopt when it has no thumbnail frame yet.
  static std::optional<std::string> RenderSnapshot(const LiveEvent& event,
                                                   const image::SnapshotOptions& options);

  // Waits until every task queued before the call has run (and, with a store, is committed).
  void Flush();

  struct Counters {
    std::uint64_t events_started = 0;  // true positives (new events)
    std::uint64_t events_stored = 0;   // final rows committed
    std::uint64_t snapshots_written = 0;
    std::uint64_t snapshot_failures = 0;
    std::uint64_t dropped_tasks = 0;  // row refreshes / best renders dropped on a full queue
  };
  Counters counters() const;

  const EventProcessorOptions& options() const { return options_; }

 private:
  // Camera-thread state of one tracked object.
  struct Entry {
    std::unique_ptr<track::TrackedObject> object;
    std::shared_ptr<const video::Frame> thumbnail_frame;
    std::uint64_t seen = 0;  // frame counter of the last frame it was in the tracker's output
    bool was_true_positive = false;
    bool row_written = false;
    bool row_dirty = false;  // something stored changed since the last row write
    bool thumbnail_dirty = false;
    double row_written_at = 0;  // frame time of the last row write
  };
  struct Task {
    std::function<void()> run;
    bool droppable = false;
  };

  void Enqueue(std::function<void()> run, bool droppable);
  void WorkerLoop();
  void Notify(const std::function<void(EventListener&)>& call);

  image::SnapshotObject SnapshotObjectOf(const track::TrackedObject& object) const;
  storage::EventRecord RecordOf(const track::TrackedObject& object) const;
  void PublishLive(const Entry& entry, bool ended);
  void QueueRowWrite(Entry& entry, double frame_time, bool essential);
  // The end of a true positive on the worker: snapshot file, final row, then `end_message` (so the
  // row a client reads on it is final), then OnEventStored.
  void QueueEnd(Entry& entry, std::optional<track::EventMessage> end_message);
  void QueueBestSnapshot(const std::string& label);
  void UpdateCounts(const camera::FrameResult& result);

  // Worker side.
  std::string RenderThumbnailBase64(const std::shared_ptr<const video::Frame>& frame,
                                    const image::SnapshotObject& object) const;

  const EventProcessorOptions options_;
  std::shared_ptr<const track::CameraObjectSettings> settings_;
  std::shared_ptr<ZoneCounts> zone_counts_;
  std::atomic<bool> snapshots_enabled_;
  std::atomic<bool> clips_enabled_;

  // Camera thread only.
  std::unordered_map<std::string, Entry> entries_;
  std::vector<std::string> ended_scratch_;
  track::BestObjects best_;
  std::uint64_t frame_counter_ = 0;
  std::map<std::string, int> label_counts_;      // label -> true positives now (scratch)
  std::map<std::string, int> published_counts_;  // label -> last count told to listeners
  std::vector<std::map<std::string, int>> zone_label_counts_;  // per zone: label -> count
  std::map<std::pair<size_t, std::string>, std::optional<int>> zone_last_counts_;

  // Read by HTTP threads.
  mutable std::mutex live_mutex_;
  std::unordered_map<std::string, LiveEvent> live_;
  std::map<std::string, LiveBest> live_best_;

  mutable std::mutex listeners_mutex_;
  std::vector<std::shared_ptr<EventListener>> listeners_;

  mutable std::mutex queue_mutex_;
  std::condition_variable queue_changed_;
  std::deque<Task> queue_;
  std::uint64_t queued_ = 0;  // tasks ever queued
  std::uint64_t done_ = 0;    // tasks ever run
  bool stopping_ = false;
  Counters counters_;  // under queue_mutex_
  std::thread worker_;
};

}  // namespace corvette::events
