#include "events/event_processor.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "events/base64.h"
#include "events/clip_assembler.h"
#include "image/overlay.h"
#include "storage/media_layout.h"

namespace corvette::events {
namespace {

// An in-progress row is refreshed at most this often (frame-time seconds) while it changes.
constexpr double kRowRefreshSeconds = 1.0;

image::I420View ViewOf(const video::Frame& frame) {
  return image::I420View::Packed(frame.data(), frame.width(), frame.height());
}

// True when `required` is empty or shares a zone with `entered`.
bool ZonesSatisfied(const std::vector<std::string>& required,
                    const std::vector<std::string>& entered) {
  if (required.empty())
    return true;
  for (const auto& zone : required) {
    if (std::find(entered.begin(), entered.end(), zone) != entered.end())
      return true;
  }
  return false;
}

std::vector<std::string> EnteredZonesOf(const nlohmann::json& object) {
  std::vector<std::string> zones;
  auto it = object.find("entered_zones");
  if (it != object.end() && it->is_array()) {
    for (const auto& z : *it) {
      if (z.is_string())
        zones.push_back(z.get<std::string>());
    }
  }
  return zones;
}

}  // namespace

EventProcessor::EventProcessor(EventProcessorOptions options)
    : options_(std::move(options)),
      zone_counts_(options_.zone_counts ? options_.zone_counts : std::make_shared<ZoneCounts>()),
      snapshots_enabled_(options_.snapshots.enabled),
      clips_enabled_(options_.clips.enabled),
      best_(options_.best_image_timeout, options_.frame_width, options_.frame_height) {
  auto settings = std::make_shared<track::CameraObjectSettings>();
  settings->frame_width = options_.frame_width;
  settings->frame_height = options_.frame_height;
  settings->zones = options_.zones;
  settings->thresholds = options_.thresholds;
  settings->default_threshold = options_.default_threshold;
  settings_ = std::move(settings);
  zone_label_counts_.resize(options_.zones.size());
  worker_ = std::thread([this] { WorkerLoop(); });
}

EventProcessor::~EventProcessor() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_changed_.notify_all();
  worker_.join();
}

void EventProcessor::AddListener(std::shared_ptr<EventListener> listener) {
  std::lock_guard lock(listeners_mutex_);
  listeners_.push_back(std::move(listener));
}

camera::FrameObserver EventProcessor::Observer() {
  return [this](const camera::FrameResult& result) { OnFrame(result); };
}

image::SnapshotObject EventProcessor::SnapshotObjectOf(const track::TrackedObject& object) const {
  image::SnapshotObject s;
  s.label = object.label();
  s.colour = options_.label_colour ? options_.label_colour(object.label()) : image::Tab10Colour(0);
  if (const auto& thumbnail = object.thumbnail()) {
    s.box = thumbnail->box;
    s.score = static_cast<float>(thumbnail->score);
    s.area = thumbnail->area;
    s.frame_time = thumbnail->frame_time;
  } else {
    s.box = object.record().box;
    s.score = static_cast<float>(object.record().score);
    s.area = object.record().area;
    s.frame_time = object.record().frame_time;
  }
  return s;
}

storage::EventRecord EventProcessor::RecordOf(const track::TrackedObject& object) const {
  storage::EventRecord r;
  r.id = object.id();
  r.label = object.label();
  r.camera = options_.camera;
  r.start_time = object.record().start_time;
  r.end_time = object.end_time().value_or(object.record().frame_time);
  r.top_score = object.top_score();
  r.false_positive = false;
  r.zones = object.entered_zones();
  r.in_progress = !object.ended();
  return r;
}

void EventProcessor::PublishLive(const Entry& entry, bool ended) {
  const track::TrackedObject& object = *entry.object;
  std::lock_guard lock(live_mutex_);
  LiveEvent& live = live_[object.id()];
  if (live.id.empty()) {
    live.id = object.id();
    live.camera = options_.camera;
    live.label = object.label();
  }
  live.false_positive = object.false_positive();
  live.ended = ended;
  live.frame = entry.thumbnail_frame;
  live.object = SnapshotObjectOf(object);
}

void EventProcessor::OnFrame(const camera::FrameResult& result) {
  const double frame_time = result.frame->frame_time();
  const std::uint64_t frame = ++frame_counter_;

  for (const track::TrackedRecord& record : result.objects) {
    auto it = entries_.find(record.id);
    if (it == entries_.end()) {
      // start (§8.1): the first frame does not run the update logic.
      Entry entry;
      entry.object = std::make_unique<track::TrackedObject>(options_.camera, record, settings_);
      entry.seen = frame;
      it = entries_.emplace(record.id, std::move(entry)).first;
      PublishLive(it->second, false);
      Enqueue(
          [this, id = record.id, start_time = record.start_time] {
            Notify([&](EventListener& l) { l.OnObjectStarted(options_.camera, id, start_time); });
          },
          false);
      continue;
    }
    Entry& entry = it->second;
    entry.seen = frame;
    track::TrackedObject& object = *entry.object;
    const size_t zones_before = object.entered_zones().size();
    object.Update(frame_time, record);
    const bool true_positive = !object.false_positive();
    const bool new_thumbnail = object.thumbnail_from_last_update();
    if (new_thumbnail) {
      entry.thumbnail_frame = result.frame;
      entry.thumbnail_dirty = true;
    }
    if (new_thumbnail || (true_positive && !entry.was_true_positive))
      PublishLive(entry, false);
    if (true_positive) {
      if (object.entered_zones().size() != zones_before || new_thumbnail)
        entry.row_dirty = true;
      if (record.frame_time == frame_time)
        entry.row_dirty = true;  // end_time (last seen) moved
    }
    if (auto message = object.TakeDueMessage(frame_time)) {
      Enqueue(
          [this, message = std::move(*message)] {
            Notify([&](EventListener& l) { l.OnEventMessage(message); });
          },
          false);
    }
    if (true_positive && !entry.was_true_positive) {
      entry.was_true_positive = true;
      {
        std::lock_guard lock(queue_mutex_);
        ++counters_.events_started;
      }
      QueueRowWrite(entry, frame_time, /*essential=*/true);
    } else if (true_positive && entry.row_dirty &&
               frame_time - entry.row_written_at >= kRowRefreshSeconds) {
      QueueRowWrite(entry, frame_time, /*essential=*/false);
    }
    // §7.3: best object per label, from objects whose thumbnail was taken on this frame.
    if (true_positive && new_thumbnail && best_.Offer(object, frame_time)) {
      {
        std::lock_guard lock(live_mutex_);
        LiveBest& best = live_best_[object.label()];
        best.id = object.id();
        best.frame = result.frame;
        best.object = SnapshotObjectOf(object);
      }
      QueueBestSnapshot(object.label());
    }
  }

  // end (§8.1): every object no longer in the tracker's output (removed, or cleared).
  ended_scratch_.clear();
  for (auto& [id, entry] : entries_) {
    if (entry.seen != frame)
      ended_scratch_.push_back(id);
  }
  for (const std::string& id : ended_scratch_) {
    auto it = entries_.find(id);
    Entry& entry = it->second;
    std::optional<track::EventMessage> message = entry.object->End();
    if (!entry.object->false_positive()) {
      PublishLive(entry, true);
      // The `end` message goes out once the final row is stored, so that a client reading
      // /api/events/<id> on it sees the same end_time, ended. Removes the live object then.
      QueueEnd(entry, std::move(message));
    } else {
      {
        std::lock_guard lock(live_mutex_);
        live_.erase(id);
      }
      Enqueue(
          [this, id] {
            Notify([&](EventListener& l) { l.OnObjectEndedWithoutEvent(options_.camera, id); });
          },
          false);
    }
    entries_.erase(it);
  }

  UpdateCounts(result);
}

void EventProcessor::UpdateCounts(const camera::FrameResult& result) {
  for (auto& [label, count] : label_counts_)
    count = 0;
  for (auto& zone : zone_label_counts_) {
    for (auto& [label, count] : zone)
      count = 0;
  }
  std::vector<bool>& occupied = result.snapshot.zone_occupied;
  occupied.assign(options_.zones.size(), false);
  for (const auto& [id, entry] : entries_) {
    const track::TrackedObject& object = *entry.object;
    const bool true_positive = !object.false_positive();
    if (true_positive)
      ++label_counts_[object.label()];
    for (const std::string& zone : object.current_zones()) {
      for (size_t i = 0; i < options_.zones.size(); ++i) {
        if (options_.zones[i].name != zone)
          continue;
        occupied[i] = true;
        if (true_positive)
          ++zone_label_counts_[i][object.label()];
      }
    }
  }
  for (const auto& [label, count] : label_counts_) {
    auto [it, inserted] = published_counts_.try_emplace(label, 0);
    if ((inserted && count == 0) || (!inserted && it->second == count))
      continue;
    it->second = count;
    Enqueue(
        [this, label = label, count = count] {
          Notify([&](EventListener& l) { l.OnCountChanged(options_.camera, label, count); });
        },
        false);
    if (count == 0)
      QueueBestSnapshot(label);  // §7.3: the best snapshot again when the count returns to 0
  }
  if (zone_label_counts_.empty())
    return;
  // Zone counts are aggregated over cameras on the worker, in order with the other messages.
  for (size_t i = 0; i < zone_label_counts_.size(); ++i) {
    for (const auto& [label, count] : zone_label_counts_[i]) {
      // Seen labels stay in the map at 0; only changes reach the aggregator (it drops repeats).
      auto& last = zone_last_counts_[{i, label}];
      if (last.has_value() && *last == count)
        continue;
      if (!last.has_value() && count == 0)
        continue;
      last = count;
      Enqueue(
          [this, zone = options_.zones[i].name, label = label, count = count] {
            if (auto sum = zone_counts_->Set(zone, label, options_.camera, count)) {
              Notify([&](EventListener& l) { l.OnCountChanged(zone, label, *sum); });
            }
          },
          false);
    }
  }
}

void EventProcessor::QueueRowWrite(Entry& entry, double frame_time, bool essential) {
  if (options_.store == nullptr)
    return;
  storage::EventRecord record = RecordOf(*entry.object);
  std::shared_ptr<const video::Frame> frame;
  if (entry.thumbnail_dirty || essential)
    frame = entry.thumbnail_frame;
  image::SnapshotObject object = SnapshotObjectOf(*entry.object);
  const bool render = entry.thumbnail_dirty || essential;
  bool queued = true;
  {
    std::unique_lock lock(queue_mutex_);
    if (!essential && queue_.size() >= options_.queue_capacity) {
      ++counters_.dropped_tasks;
      queued = false;
    }
  }
  if (!queued)
    return;
  Enqueue(
      [this, record = std::move(record), frame = std::move(frame), object, render]() mutable {
        if (render)
          record.thumbnail = RenderThumbnailBase64(frame, object);
        options_.store->Upsert(std::move(record));
      },
      !essential);
  entry.row_written = true;
  entry.row_dirty = false;
  entry.thumbnail_dirty = false;
  entry.row_written_at = frame_time;
}

void EventProcessor::QueueEnd(Entry& entry, std::optional<track::EventMessage> end_message) {
  const track::TrackedObject& object = *entry.object;
  storage::EventRecord record = RecordOf(object);
  image::SnapshotObject snapshot_object = SnapshotObjectOf(object);
  std::shared_ptr<const video::Frame> frame = entry.thumbnail_frame;
  const bool write_snapshot =
      snapshots_enabled() && !options_.clips_dir.empty() && frame &&
      ZonesSatisfied(options_.snapshots.required_zones, object.entered_zones());
  const bool clip_wanted =
      ShouldMakeClip(clips_enabled(), object.false_positive(), object.label(),
                     options_.clips.objects, options_.clips.required_zones, object.entered_zones());
  Enqueue(
      [this, record = std::move(record), snapshot_object, frame = std::move(frame), write_snapshot,
       clip_wanted, end_message = std::move(end_message)]() mutable {
        record.thumbnail = RenderThumbnailBase64(frame, snapshot_object);
        bool snapshot_written = false;
        if (write_snapshot) {
          const std::string path =
              storage::EventSnapshotPath(options_.clips_dir, options_.camera, record.id);
          try {
            std::string jpeg = image::RenderSnapshotJpeg(ViewOf(*frame), snapshot_object,
                                                         options_.snapshots.render);
            options_.file_system->WriteFileAtomically(path, jpeg);
            snapshot_written = true;
          } catch (const std::exception& e) {
            spdlog::error("events: {}: snapshot of event {} not written: {}", options_.camera,
                          record.id, e.what());
          }
          std::lock_guard lock(queue_mutex_);
          ++(snapshot_written ? counters_.snapshots_written : counters_.snapshot_failures);
        }
        bool stored = true;
        if (options_.store != nullptr) {
          // The file is durable before the row says it exists.
          record.has_snapshot = snapshot_written;
          storage::EventStore::Ticket ticket = options_.store->Upsert(record);
          if (snapshot_written)
            ticket = options_.store->SetHasSnapshot(record.id, true);
          stored = options_.store->WaitDurable(ticket);
          if (!stored) {
            spdlog::error("events: {}: event {} could not be stored", options_.camera, record.id);
          }
        }
        if (end_message)
          Notify([&](EventListener& l) { l.OnEventMessage(*end_message); });
        if (stored) {
          {
            std::lock_guard lock(queue_mutex_);
            ++counters_.events_stored;
          }
          Notify([&](EventListener& l) { l.OnEventStored(record, clip_wanted); });
        } else {
          // No row, so no clip will be made: release what was kept for it.
          Notify(
              [&](EventListener& l) { l.OnObjectEndedWithoutEvent(options_.camera, record.id); });
        }
        frame.reset();
        std::lock_guard lock(live_mutex_);
        live_.erase(record.id);
      },
      false);
}

void EventProcessor::QueueBestSnapshot(const std::string& label) {
  if (!options_.mqtt.enabled)
    return;
  const track::BestObject* best = best_.Get(label);
  if (best == nullptr)
    return;
  if (!ZonesSatisfied(options_.mqtt.required_zones, EnteredZonesOf(best->object)))
    return;
  std::optional<LiveBest> live = Best(label);
  if (!live || !live->frame)
    return;
  {
    std::lock_guard lock(queue_mutex_);
    if (queue_.size() >= options_.queue_capacity) {
      ++counters_.dropped_tasks;
      return;
    }
  }
  Enqueue(
      [this, label, live = std::move(*live)] {
        std::shared_ptr<const std::string> jpeg;
        try {
          jpeg = std::make_shared<const std::string>(
              image::RenderSnapshotJpeg(ViewOf(*live.frame), live.object, options_.mqtt.render));
        } catch (const std::exception& e) {
          spdlog::error("events: {}: best {} snapshot not rendered: {}", options_.camera, label,
                        e.what());
          return;
        }
        Notify([&](EventListener& l) { l.OnBestSnapshot(options_.camera, label, jpeg); });
      },
      true);
}

std::string EventProcessor::RenderThumbnailBase64(const std::shared_ptr<const video::Frame>& frame,
                                                  const image::SnapshotObject& object) const {
  try {
    if (frame) {
      image::I420View view = ViewOf(*frame);
      return Base64Encode(image::RenderThumbnailJpeg(&view, object));
    }
    return Base64Encode(image::RenderThumbnailJpeg(nullptr, object));
  } catch (const std::exception& e) {
    spdlog::error("events: {}: thumbnail not rendered: {}", options_.camera, e.what());
    return Base64Encode(image::BlackJpeg(175, 175));
  }
}

std::optional<LiveEvent> EventProcessor::FindLive(const std::string& id) const {
  std::lock_guard lock(live_mutex_);
  auto it = live_.find(id);
  if (it == live_.end())
    return std::nullopt;
  return it->second;
}

std::optional<LiveBest> EventProcessor::Best(const std::string& label) const {
  std::lock_guard lock(live_mutex_);
  auto it = live_best_.find(label);
  if (it == live_best_.end())
    return std::nullopt;
  return it->second;
}

std::string EventProcessor::RenderThumbnail(const LiveEvent& event) {
  if (!event.frame)
    return image::RenderThumbnailJpeg(nullptr, event.object);
  image::I420View view = ViewOf(*event.frame);
  return image::RenderThumbnailJpeg(&view, event.object);
}

std::optional<std::string> EventProcessor::RenderSnapshot(const LiveEvent& event,
                                                          const image::SnapshotOptions& options) {
  if (!event.frame)
    return std::nullopt;
  return image::RenderSnapshotJpeg(ViewOf(*event.frame), event.object, options);
}

void EventProcessor::Enqueue(std::function<void()> run, bool droppable) {
  std::unique_lock lock(queue_mutex_);
  if (droppable && queue_.size() >= options_.queue_capacity) {
    ++counters_.dropped_tasks;
    return;
  }
  // Essential tasks wait for room (backpressure on the camera thread).
  queue_changed_.wait(lock, [&] { return queue_.size() < options_.queue_capacity || stopping_; });
  queue_.push_back(Task{std::move(run), droppable});
  ++queued_;
  lock.unlock();
  queue_changed_.notify_all();
}

void EventProcessor::WorkerLoop() {
  std::unique_lock lock(queue_mutex_);
  while (true) {
    queue_changed_.wait(lock, [&] { return !queue_.empty() || stopping_; });
    if (queue_.empty() && stopping_)
      return;
    Task task = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    queue_changed_.notify_all();
    try {
      task.run();
    } catch (const std::exception& e) {
      spdlog::error("events: {}: task failed: {}", options_.camera, e.what());
    }
    task.run = nullptr;  // release captured frames before waiting again
    lock.lock();
    ++done_;
    queue_changed_.notify_all();
  }
}

void EventProcessor::Notify(const std::function<void(EventListener&)>& call) {
  std::vector<std::shared_ptr<EventListener>> listeners;
  {
    std::lock_guard lock(listeners_mutex_);
    listeners = listeners_;
  }
  for (const auto& listener : listeners) {
    try {
      call(*listener);
    } catch (const std::exception& e) {
      spdlog::error("events: {}: listener failed: {}", options_.camera, e.what());
    }
  }
}

void EventProcessor::Flush() {
  {
    std::unique_lock lock(queue_mutex_);
    const std::uint64_t target = queued_;
    queue_changed_.wait(lock, [&] { return done_ >= target; });
  }
  if (options_.store != nullptr)
    options_.store->Flush();
}

EventProcessor::Counters EventProcessor::counters() const {
  std::lock_guard lock(queue_mutex_);
  return counters_;
}

}  // namespace corvette::events
