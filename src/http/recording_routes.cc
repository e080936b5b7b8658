#include "http/recording_routes.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

#include "events/clip_remux.h"
#include "http/query.h"
#include "http/static_files.h"
#include "storage/media_layout.h"
#include "storage/media_probe.h"
#include "storage/segment_files.h"
#include "util/periodic_worker.h"
#include "util/strings.h"

namespace corvette::http {
namespace fs = std::filesystem;
namespace {

// A ffmpeg segment that is finished but not yet moved into the tree is unindexed for up to the
// maintainer's interval; those newer than this are looked at too.
constexpr double kPendingSegmentStaleSeconds = 180.0;

// A path segment as epoch seconds: digits with an optional fraction (what Frigate's later
// versions accept), nothing else.
std::optional<double> ParseEpoch(std::string_view text) {
  if (text.empty() || text.size() > 32)
    return std::nullopt;
  int dots = 0;
  for (char c : text) {
    if (c == '.')
      ++dots;
    else if (c < '0' || c > '9')
      return std::nullopt;
  }
  if (dots > 1 || text.front() == '.' || text.back() == '.')
    return std::nullopt;
  return std::strtod(std::string(text).c_str(), nullptr);
}

std::string LocalStamp(double epoch) {
  storage::LocalTime t = storage::EpochToLocalTime(epoch);
  return fmt::format("{:04}{:02}{:02}-{:02}{:02}{:02}", t.year, t.month, t.day, t.hour, t.minute,
                     t.second);
}

// Exports written recently, by range, so that a player's Range requests reuse one file.
class ExportCache {
 public:
  explicit ExportCache(fs::path folder) : folder_(std::move(folder)) {
    std::error_code ec;
    fs::remove_all(folder_, ec);
  }

  const fs::path& folder() const { return folder_; }

  // The file name (in folder()) of a kept export of `key`, refreshed; nullopt when none.
  std::optional<std::string> Find(const std::string& key, double now) {
    std::lock_guard lock(mutex_);
    Expire(now);
    auto it = entries_.find(key);
    if (it == entries_.end())
      return std::nullopt;
    it->second.last_used = now;
    return it->second.name;
  }

  // Keeps `name` for `key`; when another request kept one meanwhile, removes `name` and returns
  // the kept one.
  std::string Keep(const std::string& key, const std::string& name, double now) {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = entries_.try_emplace(key, Entry{name, now});
    if (!inserted) {
      std::error_code ec;
      fs::remove(folder_ / name, ec);
      it->second.last_used = now;
    }
    return it->second.name;
  }

  // Removes the exports unused for kExportKeepSeconds (also when no request comes).
  void ExpireUnused(double now) {
    std::lock_guard lock(mutex_);
    Expire(now);
  }

  std::string NewName(const std::string& camera) {
    return storage::ExportFileName(camera, ++counter_);
  }

 private:
  struct Entry {
    std::string name;
    double last_used = 0.0;
  };
  // Removes exports unused for kExportKeepSeconds (a download still sending keeps its open file).
  void Expire(double now) {
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (now - it->second.last_used > kExportKeepSeconds) {
        std::error_code ec;
        fs::remove(folder_ / it->second.name, ec);
        it = entries_.erase(it);
      } else {
        ++it;
      }
    }
  }

  fs::path folder_;
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  std::atomic<unsigned> counter_{0};
};

struct Shared {
  RecordingRoutesOptions options;
  std::unique_ptr<ExportCache> exports;
  std::shared_ptr<const StaticFiles> files;  // serves the exports folder with Range support
  // Removes unused exports every kExportKeepSeconds; last: its thread uses the members above.
  std::unique_ptr<util::PeriodicWorker> expiry;
};

const std::string& KnownCamera(const Shared& shared, const Request& request) {
  const std::string& camera = request.Param("camera");
  if (!shared.options.cameras.contains(camera))
    throw HttpError(404, "Camera named " + camera + " not found");
  return camera;
}

// The recordings of `camera` overlapping [start, end): the index's, and finished segments ffmpeg
// wrote that the maintainer has not moved yet (probed here).
std::vector<storage::RecordingRow> RecordingsOf(const Shared& shared, const std::string& camera,
                                                double start, double end) {
  std::vector<storage::RecordingRow> rows = shared.options.index->Between(camera, start, end);
  for (const storage::SegmentFile& segment : storage::ListSegmentFiles(
           shared.options.recordings_dir, shared.options.now(), kPendingSegmentStaleSeconds)) {
    if (!segment.finished || segment.camera != camera || segment.start >= end ||
        segment.start < start - 3600.0)
      continue;
    std::optional<double> duration = storage::ProbeDurationSeconds(segment.path);
    if (duration && segment.start + *duration > start)
      rows.push_back({segment.path, camera, segment.start, segment.start + *duration, 0});
  }
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return a.start < b.start; });
  return rows;
}

Response Index(const Shared& shared, const Request& request) {
  const std::string& camera = KnownCamera(shared, request);
  const double now = shared.options.now();
  const double before = request.query.GetNumber("before").value_or(now);
  const double after = request.query.GetNumber("after").value_or(before - 86400.0);
  if (before <= after)
    throw HttpError(400, "before: must be greater than after");
  if (before - after > kMaxIndexSeconds)
    throw HttpError(400, fmt::format("after: the range may be at most {} days (got {:.1f})",
                                     kMaxIndexSeconds / 86400.0, (before - after) / 86400.0));
  std::vector<storage::RecordingSpan> spans =
      storage::JoinSpans(shared.options.index->Between(camera, after, before));
  nlohmann::json spans_json = nlohmann::json::array();
  for (const auto& span : spans) {
    spans_json.push_back({{"start", span.start},
                          {"end", span.end},
                          {"segments", span.segments},
                          {"bytes", span.bytes}});
  }
  nlohmann::json gaps_json = nlohmann::json::array();
  for (const auto& gap : storage::GapsBetween(spans, after, std::min(before, now)))
    gaps_json.push_back({{"start", gap.start}, {"end", gap.end}});

  nlohmann::json events_json = nlohmann::json::array();
  if (shared.options.store) {
    storage::EventFilter filter;
    filter.camera = camera;
    filter.before = before;
    filter.after = after - 86400.0;  // an event that started the day before and goes on
    filter.include_thumbnails = false;
    filter.limit = storage::EventFilter::kMaxLimit;
    std::vector<storage::EventRecord> events = shared.options.store->Query(filter);
    std::sort(events.begin(), events.end(),
              [](const auto& a, const auto& b) { return a.start_time < b.start_time; });
    for (const auto& event : events) {
      if (event.end_time > after || event.in_progress)
        events_json.push_back(storage::EventToJson(event, /*include_thumbnail=*/false));
    }
  }
  return Response::Json({{"camera", camera},
                         {"after", after},
                         {"before", before},
                         {"spans", std::move(spans_json)},
                         {"gaps", std::move(gaps_json)},
                         {"events", std::move(events_json)}});
}

Response Export(const Shared& shared, const Request& request) {
  const std::string& camera = KnownCamera(shared, request);
  std::optional<double> start = ParseEpoch(request.Param("start"));
  std::optional<double> end = ParseEpoch(request.Param("end"));
  if (!start)
    throw HttpError(400, "start: must be a number of seconds since the epoch");
  if (!end)
    throw HttpError(400, "end: must be a number of seconds since the epoch");
  if (*end <= *start)
    throw HttpError(400, "end: must be after start");
  if (*end - *start > kMaxExportSeconds)
    throw HttpError(400, fmt::format("end: an export may cover at most {} hours (got {:.2f})",
                                     kMaxExportSeconds / 3600.0, (*end - *start) / 3600.0));
  const double now = shared.options.now();
  const std::string key = fmt::format("{}|{:.3f}|{:.3f}", camera, *start, *end);
  std::optional<std::string> name = shared.exports->Find(key, now);
  if (!name) {
    std::vector<storage::RecordingRow> rows = RecordingsOf(shared, camera, *start, *end);
    if (rows.empty()) {
      throw HttpError(
          404, fmt::format("No recordings of {} between {:.3f} and {:.3f}", camera, *start, *end));
    }
    std::vector<events::RemuxPiece> pieces;
    for (const auto& row : rows) {
      events::RemuxPiece piece{row.path, std::nullopt, std::nullopt};
      if (*start > row.start)
        piece.inpoint = *start - row.start;
      if (*end < row.end)
        piece.outpoint = *end - row.start;
      pieces.push_back(std::move(piece));
    }
    std::error_code ec;
    fs::create_directories(shared.exports->folder(), ec);
    std::string written = shared.exports->NewName(camera);
    const fs::path path = shared.exports->folder() / written;
    const auto started = std::chrono::steady_clock::now();
    events::RemuxResult result = events::ConcatRemux(pieces, path.string());
    if (!result.ok) {
      fs::remove(path, ec);
      spdlog::error("export of {} from {:.3f} to {:.3f} failed: {}", camera, *start, *end,
                    result.error);
      throw HttpError(500, "The export failed: " + result.error);
    }
    spdlog::info(
        "exported {} from {:.3f} to {:.3f}: {} segments in {:.0f} ms", camera, *start, *end,
        pieces.size(),
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count());
    name = shared.exports->Keep(key, written, now);
  }
  Response response = shared.files->ServeRecordings(request, *name);
  if (response.status == 200 || response.status == 206) {
    response.SetHeader("Content-Disposition",
                       fmt::format("attachment; filename=\"{}-{}-{}.mp4\"", camera,
                                   LocalStamp(*start), LocalStamp(*end)));
  }
  return response;
}

}  // namespace

void AddRecordingRoutes(Router& router, RecordingRoutesOptions options) {
  auto shared = std::make_shared<Shared>();
  const fs::path exports = storage::ExportsFolder(options.recordings_dir);
  shared->options = std::move(options);
  shared->exports = std::make_unique<ExportCache>(exports);
  shared->files =
      std::make_shared<const StaticFiles>(StaticFiles::Options{exports.string(), exports.string()});
  Shared* raw = shared.get();
  shared->expiry = std::make_unique<util::PeriodicWorker>(
      util::PeriodicWorker::Options{.name = "exports: removing unused ones",
                                    .interval_seconds = kExportKeepSeconds},
      [raw] { raw->exports->ExpireUnused(raw->options.now()); });
  shared->expiry->Start();
  router.Get("/api/<camera>/recordings",
             [shared](const Request& request) { return Index(*shared, request); });
  router.Get("/api/<camera>/start/<start>/end/<end>/clip.mp4",
             [shared](const Request& request) { return Export(*shared, request); });
}

}  // namespace corvette::http
