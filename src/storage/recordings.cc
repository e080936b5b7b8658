#include "storage/recordings.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "storage/media_layout.h"
#include "storage/media_probe.h"

namespace corvette::storage {
namespace fs = std::filesystem;
namespace {

std::vector<fs::path> SubDirectories(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_directory(ec) && !entry.is_symlink(ec))
      out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Calls visit(camera_dir, camera, hour_local) for every <dir>/YYYY-MM/DD/HH/<camera> folder.
template <typename Visit>
void ForEachCameraHour(const std::string& dir, Visit&& visit) {
  for (const fs::path& month_dir : SubDirectories(dir)) {
    LocalTime t;
    if (!ParseRecordingMonthFolder(month_dir.filename().string(), t))
      continue;
    for (const fs::path& day_dir : SubDirectories(month_dir)) {
      if (!ParseRecordingDayFolder(day_dir.filename().string(), t))
        continue;
      for (const fs::path& hour_dir : SubDirectories(day_dir)) {
        if (!ParseRecordingHourFolder(hour_dir.filename().string(), t))
          continue;
        for (const fs::path& camera_dir : SubDirectories(hour_dir)) {
          LocalTime hour = t;
          hour.minute = hour.second = 0;
          visit(camera_dir, camera_dir.filename().string(), hour);
        }
      }
    }
  }
}

// Calls visit(path, start_epoch) for each recording file in a camera-hour folder.
template <typename Visit>
void ForEachRecording(const fs::path& camera_dir, const LocalTime& hour, Visit&& visit) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(camera_dir, ec)) {
    LocalTime t = hour;
    if (!entry.is_regular_file(ec) || !ParseRecordingFileName(entry.path().filename().string(), t))
      continue;
    std::string path = entry.path().string();
    visit(path, LocalTimeToEpoch(t, FileMtime(path)));
  }
}

std::string Megabytes(unsigned long long bytes) {
  return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6);
}

}  // namespace

RecordingsMaintainer::RecordingsMaintainer(Options options, const util::Clock& clock)
    : options_(std::move(options)),
      clock_(clock),
      worker_(
          {.name = "recordings: maintenance pass", .interval_seconds = options_.interval_seconds},
          [this] { RunOnce(); }) {}

RecordingsMaintainer::~RecordingsMaintainer() {
  Stop();
}

int RecordingsMaintainer::RetainDaysOf(const std::string& camera) const {
  auto it = options_.retain_days.find(camera);
  return it == options_.retain_days.end() ? options_.default_retain_days : it->second;
}

RecordingsMaintainer::PassResult RecordingsMaintainer::MoveFinished() {
  PassResult result;
  double now = clock_.Now();
  for (const SegmentFile& segment : ListSegmentFiles(options_.dir, now, options_.stale_seconds)) {
    if (!segment.finished)
      continue;
    std::error_code ec;
    std::optional<double> duration = ProbeDurationSeconds(segment.path);
    if (!duration) {
      spdlog::warn("recordings: {} cannot be read as a recording; deleting it", segment.path);
      fs::remove(segment.path, ec);
      ++result.deleted_broken;
      continue;
    }
    // A segment named for a second that already has a recording (ffmpeg restarted within it, or
    // twice across a restart of corvette) takes the next free second: the Home Assistant
    // integration reads only MM.SS.mp4 names, so no suffix may tell the two apart.
    constexpr int kMaxShiftSeconds = 60;
    std::string target;
    int shift = 0;
    for (; shift < kMaxShiftSeconds; ++shift) {
      target = RecordingPath(options_.dir, segment.camera, EpochToLocalTime(segment.start + shift));
      if (!fs::exists(target, ec))
        break;
    }
    if (shift == kMaxShiftSeconds) {
      spdlog::error("recordings: {} not moved: the {} s from its start all have a recording",
                    segment.path, kMaxShiftSeconds);
      continue;
    }
    if (shift > 0) {
      spdlog::info("recordings: {} is named {} s after its start: its second has a recording",
                   segment.path, shift);
    }
    fs::create_directories(fs::path(target).parent_path(), ec);
    if (ec || (fs::rename(segment.path, target, ec), ec)) {
      spdlog::error("recordings: cannot move {} to {}: {}", segment.path, target, ec.message());
      continue;
    }
    if (options_.index != nullptr) {
      auto bytes = fs::file_size(target, ec);
      try {
        options_.index->Add({target, segment.camera, segment.start, segment.start + *duration,
                             ec ? 0 : static_cast<std::int64_t>(bytes)});
      } catch (const std::exception& e) {
        // The file stays; the next start's reconcile indexes it.
        spdlog::error("recordings: {} not indexed: {}", target, e.what());
      }
    }
    ++result.moved;
  }
  return result;
}

std::vector<RecordingsMaintainer::Recording> RecordingsMaintainer::ListTree() const {
  std::vector<Recording> recordings;
  ForEachCameraHour(options_.dir, [&](const fs::path& camera_dir, const std::string& camera,
                                      const LocalTime& hour) {
    ForEachRecording(camera_dir, hour, [&](const std::string& path, double start) {
      recordings.push_back({path, camera, start});
    });
  });
  std::sort(recordings.begin(), recordings.end(),
            [](const Recording& a, const Recording& b) { return a.start < b.start; });
  return recordings;
}

RecordingsMaintainer::PassResult RecordingsMaintainer::ExpireOld() {
  PassResult result;
  double now = clock_.Now();
  ForEachCameraHour(options_.dir, [&](const fs::path& camera_dir, const std::string& camera,
                                      const LocalTime& hour) {
    double cutoff = now - RetainDaysOf(camera) * 86400.0;
    ForEachRecording(camera_dir, hour, [&](const std::string& path, double start) {
      if (start < cutoff && RemoveRecording(path))
        ++result.expired;
    });
  });
  if (result.expired > 0)
    spdlog::info("recordings: deleted {} recordings past their retention", result.expired);
  result.folders_removed = RemoveEmptyFolders();
  return result;
}

RecordingsMaintainer::PassResult RecordingsMaintainer::EnforceFreeSpace() {
  PassResult result;
  std::optional<DiskSpace> space = options_.disk_space(options_.dir);
  if (!space)
    return result;
  unsigned long long floor = std::min<unsigned long long>(
      options_.min_free_bytes,
      static_cast<unsigned long long>(options_.min_free_fraction * space->total_bytes));
  if (space->free_bytes >= floor)
    return result;
  unsigned long long free_before = space->free_bytes;
  std::vector<Recording> recordings = ListTree();
  double oldest = 0.0, newest = 0.0;
  for (const Recording& recording : recordings) {
    if (!RemoveRecording(recording.path))
      continue;
    if (result.freed++ == 0)
      oldest = recording.start;
    newest = recording.start;
    space = options_.disk_space(options_.dir);
    if (!space || space->free_bytes >= floor)
      break;
  }
  if (result.freed > 0) {
    spdlog::warn(
        "recordings: {} had {} free, under the floor of {}: deleted the {} oldest recordings "
        "(started {:.0f} to {:.0f})",
        options_.dir, Megabytes(free_before), Megabytes(floor), result.freed, oldest, newest);
  } else {
    spdlog::warn("recordings: {} has {} free, under the floor of {}, and no recordings to delete",
                 options_.dir, Megabytes(free_before), Megabytes(floor));
  }
  result.folders_removed = RemoveEmptyFolders();
  return result;
}

RecordingsMaintainer::PassResult RecordingsMaintainer::EnforceSizeBound() {
  PassResult result;
  if (options_.index == nullptr || (options_.max_bytes == 0 && options_.max_fraction <= 0.0))
    return result;
  unsigned long long bound = options_.max_bytes;
  if (options_.max_fraction > 0.0) {
    std::optional<DiskSpace> space = options_.disk_space(options_.dir);
    if (!space)
      return result;
    bound = static_cast<unsigned long long>(options_.max_fraction * space->total_bytes);
  }
  try {
    // Everything in the folder: the indexed recordings, and the segments ffmpeg is writing or has
    // finished but not yet handed over.
    std::int64_t used = options_.index->TotalBytes();
    for (const SegmentFile& segment : ListSegmentFiles(options_.dir, clock_.Now(), 1e9)) {
      std::error_code ec;
      auto bytes = fs::file_size(segment.path, ec);
      if (!ec)
        used += static_cast<std::int64_t>(bytes);
    }
    const std::int64_t used_before = used;
    // Room for what the cameras write until the next pass: as much as they wrote since the last.
    const std::int64_t growth = used_after_last_bound_pass_
                                    ? std::max<std::int64_t>(0, used - *used_after_last_bound_pass_)
                                    : 0;
    const std::int64_t target =
        std::max<std::int64_t>(0, static_cast<std::int64_t>(bound) - growth);
    double oldest = 0.0, newest = 0.0;
    while (used > target) {
      std::vector<RecordingRow> rows = options_.index->Oldest(64);
      if (rows.empty())
        break;
      for (const RecordingRow& row : rows) {
        if (used <= target)
          break;
        std::error_code ec;
        if (!RemoveRecording(row.path) && fs::exists(row.path, ec))
          continue;                        // could not delete it: try the next one
        options_.index->Remove(row.path);  // also when the file was already gone
        used -= row.bytes;
        if (result.over_bound++ == 0)
          oldest = row.start;
        newest = row.start;
      }
    }
    used_after_last_bound_pass_ = used;
    if (result.over_bound > 0) {
      spdlog::info(
          "recordings: {} held {} of recordings, over the bound of {}: deleted the {} oldest "
          "(started {:.0f} to {:.0f})",
          options_.dir, Megabytes(used_before), Megabytes(bound), result.over_bound, oldest,
          newest);
      result.folders_removed = RemoveEmptyFolders();
    }
  } catch (const std::exception& e) {
    spdlog::error("recordings: the size bound could not be enforced: {}", e.what());
  }
  return result;
}

bool RecordingsMaintainer::RemoveRecording(const std::string& path) {
  std::error_code ec;
  if (!fs::remove(path, ec))
    return false;
  if (options_.index != nullptr) {
    try {
      options_.index->Remove(path);
    } catch (const std::exception& e) {
      spdlog::error("recordings: the index row of {} stays: {}", path, e.what());
    }
  }
  return true;
}

RecordingsMaintainer::PassResult RecordingsMaintainer::ReconcileIndex() {
  PassResult result;
  if (options_.index == nullptr)
    return result;
  std::vector<RecordingRow> files;
  for (const Recording& recording : ListTree())
    files.push_back({recording.path, recording.camera, recording.start, recording.start, 0});
  try {
    RecordingIndex::ReconcileResult reconciled =
        options_.index->Reconcile(files, ProbeDurationSeconds);
    result.indexed = reconciled.added;
    result.unindexed = reconciled.removed;
    if (reconciled.added > 0 || reconciled.removed > 0 || reconciled.unreadable > 0) {
      spdlog::info(
          "recordings: index reconciled with {}: {} files indexed, {} rows of missing files "
          "removed, {} unreadable files left to retention",
          options_.dir, reconciled.added, reconciled.removed, reconciled.unreadable);
    }
  } catch (const std::exception& e) {
    spdlog::error("recordings: the index could not be reconciled: {}", e.what());
  }
  return result;
}

RecordingsMaintainer::PassResult RecordingsMaintainer::RunOnce() {
  PassResult reconciled;
  if (!reconciled_) {
    reconciled_ = true;
    reconciled = ReconcileIndex();
  }
  PassResult result = MoveFinished();
  result.indexed = reconciled.indexed;
  result.unindexed = reconciled.unindexed;
  double mono = clock_.Monotonic();
  if (!last_expiry_ || mono - *last_expiry_ >= options_.retention_interval_seconds) {
    last_expiry_ = mono;
    PassResult expiry = ExpireOld();
    result.expired = expiry.expired;
    result.folders_removed += expiry.folders_removed;
  }
  PassResult bounded = EnforceSizeBound();
  result.over_bound = bounded.over_bound;
  result.folders_removed += bounded.folders_removed;
  PassResult space = EnforceFreeSpace();
  result.freed = space.freed;
  result.folders_removed += space.folders_removed;
  return result;
}

int RecordingsMaintainer::RemoveEmptyFolders() {
  // Bottom-up over the tree only (YYYY-MM/DD/HH/<camera>); the root, where ffmpeg writes, stays.
  int removed = 0;
  std::error_code ec;
  for (const fs::path& month_dir : SubDirectories(options_.dir)) {
    LocalTime month;
    if (!ParseRecordingMonthFolder(month_dir.filename().string(), month))
      continue;
    for (const fs::path& day_dir : SubDirectories(month_dir)) {
      for (const fs::path& hour_dir : SubDirectories(day_dir)) {
        for (const fs::path& camera_dir : SubDirectories(hour_dir)) {
          if (fs::is_empty(camera_dir, ec) && fs::remove(camera_dir, ec))
            ++removed;
        }
        if (fs::is_empty(hour_dir, ec) && fs::remove(hour_dir, ec))
          ++removed;
      }
      if (fs::is_empty(day_dir, ec) && fs::remove(day_dir, ec))
        ++removed;
    }
    if (fs::is_empty(month_dir, ec) && fs::remove(month_dir, ec))
      ++removed;
  }
  return removed;
}

}  // namespace corvette::storage
