#include "events/retention.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "storage/media_layout.h"

namespace corvette::events {
namespace fs = std::filesystem;
namespace {

constexpr double kDay = 86400.0;

int MinDays(const RetainDays& retain) {
  int days = retain.default_days;
  for (const auto& [label, d] : retain.objects)
    days = std::min(days, d);
  return days;
}

std::string FilePath(const std::string& clips_dir, const storage::EventRecord& event, bool clip) {
  return clip ? storage::EventClipPath(clips_dir, event.camera, event.id)
              : storage::EventSnapshotPath(clips_dir, event.camera, event.id);
}

// Calls visit(rows) page by page (newest first) for rows matching `filter` (limit and `before` are
// managed here). `visit` may change the rows so that they no longer match.
template <typename Visit>
void ForEachPage(const storage::EventStore& store, storage::EventFilter filter, Visit&& visit) {
  filter.include_thumbnails = false;
  filter.limit = storage::EventFilter::kMaxLimit;
  for (int page = 0; page < 10000; ++page) {
    std::vector<storage::EventRecord> rows = store.Query(filter);
    if (rows.empty())
      return;
    visit(rows);
    if (rows.size() < static_cast<size_t>(filter.limit))
      return;
    double oldest = rows.back().start_time;
    if (filter.before && oldest >= *filter.before)
      return;  // no progress possible (a page of equal start times)
    filter.before = oldest;
  }
}

}  // namespace

int RetainDays::DaysFor(const std::string& label) const {
  auto it = objects.find(label);
  return it == objects.end() ? default_days : it->second;
}

EventRetention::EventRetention(Options options, storage::EventStore& store,
                               const util::Clock& clock)
    : options_(std::move(options)),
      store_(store),
      clock_(clock),
      worker_({.name = "retention: pass", .interval_seconds = options_.interval_seconds},
              [this] { LoggedPass(); }) {}

EventRetention::~EventRetention() {
  Stop();
}

void EventRetention::LoggedPass() {
  PassResult result = RunOnce();
  if (result.clips_expired + result.snapshots_expired + result.rows_removed > 0) {
    spdlog::info("retention: {} clips and {} snapshots expired, {} events removed",
                 result.clips_expired, result.snapshots_expired, result.rows_removed);
  }
}

const CameraRetention& EventRetention::RetentionOf(const std::string& camera) const {
  auto it = options_.cameras.find(camera);
  return it == options_.cameras.end() ? options_.global : it->second;
}

EventRetention::PassResult EventRetention::RunOnce() {
  PassResult result;
  result.clips_expired = ExpireFiles(/*clips=*/true);
  result.snapshots_expired = ExpireFiles(/*clips=*/false);
  result.rows_removed = RemoveRows();
  return result;
}

int EventRetention::ExpireFiles(bool clips) {
  const double now = clock_.Now();
  int expired = 0;
  auto retain_of = [&](const CameraRetention& r) -> const RetainDays& {
    return clips ? r.clips : r.snapshots;
  };
  // `unconfigured_only`: skip rows of configured cameras (handled with their own settings).
  auto expire_rows = [&](const std::vector<storage::EventRecord>& rows, bool unconfigured_only) {
    std::vector<const storage::EventRecord*> due;
    for (const storage::EventRecord& row : rows) {
      if (unconfigured_only && options_.cameras.count(row.camera) > 0)
        continue;
      int days = retain_of(RetentionOf(row.camera)).DaysFor(row.label);
      if (row.start_time < now - days * kDay)
        due.push_back(&row);
    }
    std::vector<storage::EventStore::Ticket> tickets;
    for (const storage::EventRecord* row : due) {
      tickets.push_back(clips ? store_.SetHasClip(row->id, false)
                              : store_.SetHasSnapshot(row->id, false));
    }
    for (size_t i = 0; i < due.size(); ++i) {
      if (!store_.WaitDurable(tickets[i]))
        continue;  // keep the file the row still points at
      std::error_code ec;
      fs::remove(FilePath(options_.clips_dir, *due[i], clips), ec);
      ++expired;
    }
  };
  auto filter_for = [&](const RetainDays& retain) {
    storage::EventFilter filter;
    filter.before = now - MinDays(retain) * kDay;
    if (clips)
      filter.has_clip = true;
    else
      filter.has_snapshot = true;
    return filter;
  };
  for (const auto& [camera, retention] : options_.cameras) {
    storage::EventFilter filter = filter_for(retain_of(retention));
    filter.camera = camera;
    ForEachPage(store_, filter,
                [&](const std::vector<storage::EventRecord>& rows) { expire_rows(rows, false); });
  }
  // Cameras no longer configured: the global settings.
  ForEachPage(store_, filter_for(retain_of(options_.global)),
              [&](const std::vector<storage::EventRecord>& rows) { expire_rows(rows, true); });
  return expired;
}

int EventRetention::RemoveRows() {
  const double now = clock_.Now();
  auto longest_days = [](const CameraRetention& r, const std::string& label) {
    return std::max(r.clips.DaysFor(label), r.snapshots.DaysFor(label));
  };
  auto min_longest = [](const CameraRetention& r) {
    int days = std::max(r.clips.default_days, r.snapshots.default_days);
    for (const auto& [label, d] : r.clips.objects)
      days = std::min(days, std::max(d, r.snapshots.DaysFor(label)));
    for (const auto& [label, d] : r.snapshots.objects)
      days = std::min(days, std::max(d, r.clips.DaysFor(label)));
    return days;
  };
  std::vector<storage::EventStore::Ticket> tickets;
  auto remove_due = [&](const std::vector<storage::EventRecord>& rows, bool configured_camera) {
    for (const storage::EventRecord& row : rows) {
      if (!configured_camera && options_.cameras.count(row.camera))
        continue;
      const CameraRetention& retention = RetentionOf(row.camera);
      double cutoff =
          now - std::max(longest_days(retention, row.label) * kDay, options_.min_row_age_seconds);
      if (row.start_time < cutoff && row.end_time < cutoff)
        tickets.push_back(store_.Delete(row.id));
    }
  };
  auto filter_for = [&](const CameraRetention& retention) {
    storage::EventFilter filter;
    filter.has_clip = false;
    filter.has_snapshot = false;
    filter.before = now - std::max(min_longest(retention) * kDay, options_.min_row_age_seconds);
    return filter;
  };
  for (const auto& [camera, retention] : options_.cameras) {
    storage::EventFilter filter = filter_for(retention);
    filter.camera = camera;
    ForEachPage(store_, filter, [&](const std::vector<storage::EventRecord>& rows) {
      remove_due(rows, true);
      store_.Flush();
    });
  }
  ForEachPage(store_, filter_for(options_.global),
              [&](const std::vector<storage::EventRecord>& rows) {
                remove_due(rows, false);
                store_.Flush();
              });
  int removed = 0;
  for (storage::EventStore::Ticket ticket : tickets)
    removed += store_.WaitDurable(ticket);
  return removed;
}

SweepResult SweepTemporaries(const SweepFolders& folders) {
  SweepResult result;
  std::error_code ec;
  if (folders.clips.empty())
    return result;
  for (const auto& entry : fs::directory_iterator(folders.clips, ec)) {
    if (storage::IsMediaTemporaryName(entry.path().filename().string()) &&
        entry.is_regular_file(ec)) {
      std::error_code remove_ec;
      if (fs::remove(entry.path(), remove_ec)) {
        spdlog::info("startup: removed the temporary {}", entry.path().string());
        ++result.temporaries_removed;
      }
    }
  }
  return result;
}

SweepResult StartupSweep(const SweepFolders& folders, storage::EventStore& store) {
  SweepResult result = SweepTemporaries(folders);
  std::vector<storage::EventStore::Ticket> tickets;
  for (bool clips : {true, false}) {
    storage::EventFilter filter;
    if (clips)
      filter.has_clip = true;
    else
      filter.has_snapshot = true;
    ForEachPage(store, filter, [&](const std::vector<storage::EventRecord>& rows) {
      for (const storage::EventRecord& row : rows) {
        std::error_code ec;
        if (fs::exists(FilePath(folders.clips, row, clips), ec))
          continue;
        tickets.push_back(clips ? store.SetHasClip(row.id, false)
                                : store.SetHasSnapshot(row.id, false));
        ++(clips ? result.clips_cleared : result.snapshots_cleared);
      }
      store.Flush();
    });
  }
  for (storage::EventStore::Ticket ticket : tickets)
    store.WaitDurable(ticket);
  if (result.clips_cleared + result.snapshots_cleared > 0) {
    spdlog::warn(
        "startup: {} clips and {} snapshots were missing; their events no longer claim them",
        result.clips_cleared, result.snapshots_cleared);
  }
  return result;
}

}  // namespace corvette::events
