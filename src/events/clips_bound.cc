#include "events/clips_bound.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <vector>

#include "storage/media_layout.h"

namespace corvette::events {
namespace fs = std::filesystem;
namespace {

struct EventFile {
  fs::path path;
  storage::EventFileName name;
  std::uint64_t bytes = 0;
};

}  // namespace

ClipsSizeBound::ClipsSizeBound(Options options, storage::EventStore& store)
    : options_(std::move(options)),
      store_(store),
      worker_({.name = "clips: size bound", .interval_seconds = options_.interval_seconds},
              [this] { RunOnce(); }) {}

ClipsSizeBound::~ClipsSizeBound() {
  Stop();
}

ClipsSizeBound::PassResult ClipsSizeBound::RunOnce() {
  PassResult result;
  std::optional<storage::DiskSpace> space = options_.disk_space(options_.clips_dir);
  std::optional<std::uint64_t> bound;
  if (options_.max_fraction > 0.0 && space)
    bound = static_cast<std::uint64_t>(options_.max_fraction * space->total_bytes);
  else if (options_.max_bytes > 0)
    bound = options_.max_bytes;
  std::uint64_t floor = 0;
  if (space) {
    floor = std::min<std::uint64_t>(
        options_.min_free_bytes,
        static_cast<std::uint64_t>(options_.min_free_fraction * space->total_bytes));
  }
  auto under_floor = [&] {
    return space && space->free_bytes < floor &&
           !(options_.recordings_left && options_.recordings_left());
  };

  std::vector<EventFile> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(options_.clips_dir, ec)) {
    std::optional<storage::EventFileName> name =
        storage::ParseEventFileName(entry.path().filename().string());
    if (!name || !entry.is_regular_file(ec))
      continue;
    std::uint64_t bytes = entry.file_size(ec);
    files.push_back({entry.path(), std::move(*name), ec ? 0 : bytes});
    result.bytes_before += files.back().bytes;
  }
  result.bytes_after = result.bytes_before;
  if (!(bound && result.bytes_after > *bound) && !under_floor())
    return result;

  // Whole events at a time, oldest first: an event's clip and snapshot go together.
  std::sort(files.begin(), files.end(), [](const EventFile& a, const EventFile& b) {
    return a.name.start != b.name.start ? a.name.start < b.name.start : a.name.id < b.name.id;
  });
  double oldest = 0.0, newest = 0.0;
  for (std::size_t first = 0; first < files.size();) {
    std::size_t last = first;
    while (last < files.size() && files[last].name.id == files[first].name.id)
      ++last;
    const bool over = bound && result.bytes_after > *bound;
    if (!over && !under_floor())
      break;
    for (std::size_t i = first; i < last; ++i) {
      const EventFile& file = files[i];
      storage::EventStore::Ticket ticket = file.name.clip
                                               ? store_.SetHasClip(file.name.id, false)
                                               : store_.SetHasSnapshot(file.name.id, false);
      if (!store_.WaitDurable(ticket) || !fs::remove(file.path, ec))
        continue;  // the row still points at the file, or it could not go: keep counting it
      result.bytes_after -= file.bytes;
      if (result.deleted++ == 0)
        oldest = file.name.start;
      newest = file.name.start;
    }
    if (!over && space) {
      space = options_.disk_space(options_.clips_dir);
      if (!space)
        break;
    }
    first = last;
  }
  if (result.deleted > 0) {
    spdlog::warn(
        "clips: deleted the {} oldest event clips and snapshots (events started {:.0f} to {:.0f}) "
        "for space: {:.1f} MB of them were {:.1f} MB{}{}",
        result.deleted, oldest, newest, result.bytes_after / 1e6, result.bytes_before / 1e6,
        bound ? fmt::format(", bound {:.1f} MB", *bound / 1e6) : std::string(),
        space ? fmt::format(", {:.1f} MB free (floor {:.1f} MB)", space->free_bytes / 1e6,
                            floor / 1e6)
              : std::string());
  }
  return result;
}

}  // namespace corvette::events
