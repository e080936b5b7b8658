#include "events/segment_cache.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "storage/media_probe.h"

namespace corvette::events {
namespace fs = std::filesystem;

SegmentCache::SegmentCache(Options options, const util::Clock& clock)
    : options_(std::move(options)), clock_(clock) {}

int SegmentCache::Refresh() {
  std::error_code ec;
  // Forget files that vanished (deleted by someone else, or by a previous Expire).
  for (auto& [camera, list] : segments_) {
    std::erase_if(list, [&](const CachedSegment& s) {
      if (fs::exists(s.path, ec))
        return false;
      indexed_paths_.erase(s.path);
      return true;
    });
  }
  int indexed = 0;
  double now = clock_.Now();
  for (const storage::SegmentFile& file :
       storage::ListSegmentFiles(options_.dir, now, options_.stale_seconds)) {
    if (!file.finished || indexed_paths_.count(file.path))
      continue;
    std::optional<double> duration = storage::ProbeDurationSeconds(file.path);
    if (!duration) {
      spdlog::warn("clips: cache segment {} cannot be read; deleting it", file.path);
      fs::remove(file.path, ec);
      continue;
    }
    // Re-resolve the name with a better hint: ffmpeg named the file when it opened it.
    CachedSegment segment{file.path, file.camera, file.start, *duration};
    if (auto name = storage::ParseSegmentName(fs::path(file.path).filename().string()))
      segment.start = storage::LocalTimeToEpoch(name->local, file.mtime - *duration);
    auto& list = segments_[file.camera];
    list.insert(std::upper_bound(list.begin(), list.end(), segment,
                                 [](const CachedSegment& a, const CachedSegment& b) {
                                   return a.start < b.start;
                                 }),
                std::move(segment));
    indexed_paths_.insert(file.path);
    ++indexed;
  }
  return indexed;
}

std::vector<CachedSegment> SegmentCache::Segments(const std::string& camera) const {
  auto it = segments_.find(camera);
  return it == segments_.end() ? std::vector<CachedSegment>{} : it->second;
}

std::optional<double> SegmentCache::CoveredUntil(const std::string& camera) const {
  auto it = segments_.find(camera);
  if (it == segments_.end() || it->second.empty())
    return std::nullopt;
  double until = 0.0;
  for (const CachedSegment& s : it->second)
    until = std::max(until, s.end());
  return until;
}

size_t SegmentCache::size() const {
  return indexed_paths_.size();
}

int SegmentCache::Expire(const std::map<std::string, double>& earliest_needed) {
  double now = clock_.Now();
  int deleted = 0;
  std::error_code ec;
  for (auto& [camera, list] : segments_) {
    auto needed = earliest_needed.find(camera);
    double earliest = needed == earliest_needed.end() ? now : std::min(needed->second, now);
    earliest = std::max(earliest, now - options_.max_seconds);
    std::erase_if(list, [&](const CachedSegment& s) {
      if (s.end() >= earliest - options_.keep_margin_seconds)
        return false;
      fs::remove(s.path, ec);
      indexed_paths_.erase(s.path);
      ++deleted;
      return true;
    });
  }
  return deleted + DeleteForFreeSpace();
}

int SegmentCache::DeleteForFreeSpace() {
  auto too_full = [this] {
    std::optional<storage::DiskSpace> space = options_.disk_space(options_.dir);
    if (!space || space->total_bytes == 0)
      return std::make_pair(false, false);
    double used = 1.0 - static_cast<double>(space->free_bytes) / space->total_bytes;
    return std::make_pair(used > options_.max_used_fraction,
                          space->free_bytes < options_.min_free_bytes);
  };
  auto [over, low] = too_full();
  if (!over || !low)
    return 0;
  int deleted = 0;
  std::error_code ec;
  while (over) {
    // The oldest indexed segment of any camera.
    std::vector<CachedSegment>* oldest_list = nullptr;
    for (auto& [camera, list] : segments_) {
      if (!list.empty() && (!oldest_list || list.front().start < oldest_list->front().start))
        oldest_list = &list;
    }
    if (!oldest_list)
      break;
    fs::remove(oldest_list->front().path, ec);
    indexed_paths_.erase(oldest_list->front().path);
    oldest_list->erase(oldest_list->begin());
    ++deleted;
    over = too_full().first;
  }
  spdlog::warn("clips: cache {} is nearly full: deleted the {} oldest segments", options_.dir,
               deleted);
  return deleted;
}

}  // namespace corvette::events
