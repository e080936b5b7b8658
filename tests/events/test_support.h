#pragma once

#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../support/temp_dir.h"
#include "camera/camera.h"
#include "events/event_listener.h"
#include "events/event_processor.h"
#include "track/tracker.h"
#include "video/frame.h"

namespace corvette::events::testing {

// A scratch directory named after the events tests.
class TestDir : public corvette::testing::TempDir {
 public:
  TestDir() : TempDir("events-test") {}
};

// Records every listener callback.
class RecordingListener : public EventListener {
 public:
  struct Count {
    std::string name, label;
    int count;
  };
  struct Snapshot {
    std::string camera, label;
    std::shared_ptr<const std::string> jpeg;
  };

  void OnObjectStarted(const std::string& camera, const std::string& id,
                       double start_time) override {
    std::lock_guard lock(mutex);
    started.push_back({camera, id, start_time});
    sequence.push_back("started " + id);
  }
  void OnObjectEndedWithoutEvent(const std::string& camera, const std::string& id) override {
    std::lock_guard lock(mutex);
    ended_without_event.push_back(camera + "/" + id);
    sequence.push_back("ended without event " + id);
  }
  void OnEventMessage(const track::EventMessage& message) override {
    std::lock_guard lock(mutex);
    messages.push_back(message);
    sequence.push_back(message.type + " " + message.after.value("id", ""));
  }
  void OnCountChanged(const std::string& name, const std::string& label, int count) override {
    std::lock_guard lock(mutex);
    counts.push_back({name, label, count});
  }
  void OnBestSnapshot(const std::string& camera, const std::string& label,
                      std::shared_ptr<const std::string> jpeg) override {
    std::lock_guard lock(mutex);
    snapshots.push_back({camera, label, std::move(jpeg)});
  }
  void OnEventStored(const storage::EventRecord& event, bool clip_wanted) override {
    std::lock_guard lock(mutex);
    stored.push_back(event);
    clip_decisions.push_back(clip_wanted);
    sequence.push_back("stored " + event.id);
  }

  struct Started {
    std::string camera, id;
    double start_time;
  };

  std::mutex mutex;
  std::vector<track::EventMessage> messages;
  std::vector<Count> counts;
  std::vector<Snapshot> snapshots;
  std::vector<storage::EventRecord> stored;
  std::vector<bool> clip_decisions;
  std::vector<Started> started;
  std::vector<std::string> ended_without_event;  // "<camera>/<id>"
  std::vector<std::string> sequence;             // every callback above in order: "<what> <id>"
};

// A grey I420 frame with a lighter rectangle at `box` (so crops and thumbnails have content).
inline std::shared_ptr<const video::Frame> MakeFrame(int width, int height, double frame_time,
                                                     track::Box box = {}) {
  auto frame = std::make_shared<video::Frame>(width, height);
  uint8_t* data = frame->mutable_data();
  const size_t y_size = static_cast<size_t>(width) * height;
  std::memset(data, 90, y_size);
  std::memset(data + y_size, 128, frame->size_bytes() - y_size);
  for (int y = std::max(0, box.y1); y < std::min(height, box.y2); ++y)
    std::memset(data + static_cast<size_t>(y) * width + box.x1, 200, box.x2 - box.x1);
  frame->set_frame_time(frame_time);
  return frame;
}

inline track::TrackedRecord Record(const std::string& id, const std::string& label, double score,
                                   track::Box box, double frame_time, double start_time) {
  track::TrackedRecord r;
  r.id = id;
  r.label = label;
  r.score = score;
  r.box = box;
  r.area = box.area();
  r.region = box;
  r.frame_time = frame_time;
  r.centroid = track::Centroid(box);
  r.start_time = start_time;
  return r;
}

// Drives an EventProcessor with synthetic tracker output, one frame per call.
class Driver {
 public:
  Driver(EventProcessor& processor, int width, int height, double start = 1'600'000'000.0)
      : processor_(processor), width_(width), height_(height), now_(start) {}

  // One frame at the current time with these objects; returns the frame. Time then moves on by
  // `step` seconds.
  std::shared_ptr<const video::Frame> Frame(const std::vector<track::TrackedRecord>& objects,
                                            double step = 0.2) {
    track::Box lit = objects.empty() ? track::Box{} : objects.front().box;
    auto frame = MakeFrame(width_, height_, now_, lit);
    camera::CameraSnapshot snapshot;
    std::vector<track::TrackedRecord> removed;
    camera::FrameResult result{frame, objects, removed, true, snapshot};
    processor_.OnFrame(result);
    last_zone_occupied = snapshot.zone_occupied;
    now_ += step;
    return frame;
  }
  double now() const { return now_; }

  std::vector<bool> last_zone_occupied;

 private:
  EventProcessor& processor_;
  int width_;
  int height_;
  double now_;
};

}  // namespace corvette::events::testing
