// The recordings routes (docs/api.md, "recordings index"), in process through the Router (no
// sockets). A plain main, one line per figure.
//
// 1. Index query. A fresh SQLite file in a temp folder filled with --days (30) x 4 cameras of 60-s
//    recordings (172,800 rows) through RecordingIndex::Add: one autocommitted INSERT per row, the
//    API has no batch and its writer connection is private, so the fill time is printed. Then
//    --requests (1,000) GET /api/cam<N>/recordings?after=<day start>&before=<day start + 86400>
//    for random cameras and days (UTC days), wall time of each: p50 / p99 / max. The routes get
//    store = nullptr, so the index answers without events (Index() skips them when there is no
//    store). Target: p99 under 50 ms.
// 2. Export. One hour of real recordings: vtest.avi (768x576, 10 fps, 79 s) looped to 3600 s,
//    libx264 -preset ultrafast -g 20 -bf 0, cut by ffmpeg's segment muxer into sixty 60-s mp4s
//    in --cache (default <source>/.cache/bench-recordings, reused when it holds 60 segments),
//    indexed with consecutive start times (end = start + probed duration). Then
//    GET /api/front/start/<s>/end/<e>/clip.mp4 for the first 10 minutes and the whole hour: wall
//    and process CPU (CLOCK_PROCESS_CPUTIME_ID) of the request, which writes the export to
//    <recordings>/.exports by stream copy (events::ConcatRemux). Baseline: the CPU of
//    `ffmpeg -v error -i <segment> -f null -` over the same segments (one child per segment,
//    getrusage(RUSAGE_CHILDREN) deltas). Export CPU as % of decode CPU; target: under 5 %.
//
// Flags: --days N (index days, default 30), --requests N (default 1000), --cache DIR,
//        --only index|export.

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "http/file_body.h"
#include "http/recording_routes.h"
#include "http/router.h"
#include "storage/media_layout.h"
#include "storage/media_probe.h"
#include "storage/recording_index.h"
#include "storage/recordings.h"
#include "storage/segment_files.h"

namespace {
namespace fs = std::filesystem;
using corvette::storage::RecordingIndex;
using corvette::storage::RecordingRow;

constexpr const char* kVtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
constexpr int kCameras = 4;
constexpr int kSegments = 60;  // of 60 s: one hour

double ProcessCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double ChildrenCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec +
         usage.ru_stime.tv_usec / 1e6;
}

double WallSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double Now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool Run(const std::string& command) {
  int rc = std::system(command.c_str());
  return rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
}

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "recordings_bench: %s\n", message.c_str());
  std::exit(1);
}

std::string Camera(int n) {
  return "cam" + std::to_string(n);
}

corvette::http::Router MakeRouter(std::shared_ptr<RecordingIndex> index, const fs::path& recordings,
                                  std::set<std::string, std::less<>> cameras) {
  corvette::http::Router router;
  corvette::http::AddRecordingRoutes(router, {.index = std::move(index),
                                              .store = nullptr,
                                              .cameras = std::move(cameras),
                                              .recordings_dir = recordings.string(),
                                              .now = Now});
  return router;
}

void IndexBench(const fs::path& temp, int days, int requests) {
  const fs::path recordings = temp / "index-recordings";
  fs::create_directories(recordings);
  auto index = std::make_shared<RecordingIndex>((temp / "index.db").string());
  const double first_day = std::floor(Now() / 86400.0) * 86400.0 - days * 86400.0;
  const int per_day = 86400 / 60;

  // Tree paths as the maintainer names them (local time); a DST repeat is shifted by seconds as the
  // maintainer does, so that no row replaces another.
  std::set<std::string> paths;
  const double fill_start = WallSeconds();
  const double fill_cpu = ProcessCpuSeconds();
  std::int64_t rows = 0;
  for (int day = 0; day < days; ++day) {
    for (int m = 0; m < per_day; ++m) {
      const double start = first_day + day * 86400.0 + m * 60.0;
      for (int c = 0; c < kCameras; ++c) {
        RecordingRow row;
        row.camera = Camera(c);
        for (int shift = 0;; ++shift) {
          row.path = corvette::storage::RecordingPath(
              recordings.string(), row.camera, corvette::storage::EpochToLocalTime(start + shift));
          if (paths.insert(row.path).second)
            break;
        }
        row.start = start;
        row.end = start + 60.0;
        row.bytes = 2'500'000;
        index->Add(row);
        ++rows;
      }
    }
  }
  std::printf(
      "index fill: %lld rows (%d days x %d cameras x 60-s) by RecordingIndex::Add, one "
      "autocommitted INSERT each (no batch API): %.1f s wall, %.1f s CPU\n",
      static_cast<long long>(rows), days, kCameras, WallSeconds() - fill_start,
      ProcessCpuSeconds() - fill_cpu);

  std::set<std::string, std::less<>> cameras;
  for (int c = 0; c < kCameras; ++c)
    cameras.insert(Camera(c));
  corvette::http::Router router = MakeRouter(index, recordings, cameras);
  std::mt19937 random(1);
  std::vector<double> ms;
  size_t body_bytes = 0;
  std::string one_target;
  for (int i = 0; i < requests; ++i) {
    const double after = first_day + static_cast<double>(random() % days) * 86400.0;
    const std::string target =
        "/api/" + Camera(static_cast<int>(random() % kCameras)) +
        "/recordings?after=" + std::to_string(static_cast<long long>(after)) +
        "&before=" + std::to_string(static_cast<long long>(after + 86400.0));
    const auto t0 = std::chrono::steady_clock::now();
    corvette::http::Response response = router.Handle("GET", target);
    const auto t1 = std::chrono::steady_clock::now();
    if (response.status != 200)
      Die(target + ": status " + std::to_string(response.status) + ": " + response.body);
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    if (i == 0) {
      body_bytes = response.BodyView().size();
      one_target = target;
    }
  }
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[static_cast<size_t>(q * static_cast<double>(ms.size() - 1))];
  };
  std::printf(
      "index query: %d x GET /api/cam<N>/recordings of one day, store=nullptr (no events), "
      "wall per request: p50 %.3f ms, p99 %.3f ms, max %.3f ms (target p99 < 50 ms)\n",
      requests, at(0.50), at(0.99), ms.back());
  std::printf("index response: %zu bytes for one day (%s)\n", body_bytes, one_target.c_str());
}

// The cached hour of segments, encoded when missing.
std::vector<fs::path> Segments(const fs::path& cache) {
  auto list = [&] {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(cache, ec))
      if (entry.path().extension() == ".mp4")
        files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
  };
  std::vector<fs::path> files = list();
  if (files.size() == kSegments) {
    std::printf("recordings: %d segments reused from %s\n", kSegments, cache.c_str());
    return files;
  }
  const fs::path partial = cache.string() + ".partial";
  std::error_code ec;
  fs::remove_all(partial, ec);
  fs::create_directories(partial);
  const double t0 = WallSeconds();
  if (!Run(std::string("ffmpeg -nostdin -v error -y -stream_loop -1 -i ") + kVtest +
           " -t 3600 -an -c:v libx264 -preset ultrafast -g 20 -bf 0 -pix_fmt yuv420p -f segment "
           "-segment_time 60 -reset_timestamps 1 -segment_format mp4 '" +
           (partial / "seg-%03d.mp4").string() + "'"))
    Die("encoding the hour of recordings failed");
  fs::remove_all(cache, ec);
  fs::create_directories(cache.parent_path());
  fs::rename(partial, cache);
  files = list();
  if (files.size() != kSegments)
    Die("the encode made " + std::to_string(files.size()) + " segments, not " +
        std::to_string(kSegments));
  std::printf("recordings: %d segments encoded into %s in %.0f s\n", kSegments, cache.c_str(),
              WallSeconds() - t0);
  return files;
}

void ExportBench(const fs::path& temp, const fs::path& cache) {
  std::vector<fs::path> segments = Segments(cache);
  const fs::path recordings = temp / "export-recordings";
  fs::create_directories(recordings);
  auto index = std::make_shared<RecordingIndex>((temp / "export.db").string());
  const double base = std::floor(Now() / 60.0) * 60.0 - 2 * 3600.0;
  double start = base;
  for (const fs::path& segment : segments) {
    std::optional<double> duration = corvette::storage::ProbeDurationSeconds(segment.string());
    if (!duration)
      Die(segment.string() + " does not probe");
    std::error_code ec;
    index->Add({segment.string(), "front", start, start + *duration,
                static_cast<std::int64_t>(fs::file_size(segment, ec))});
    start += 60.0;  // consecutive start times, as the maintainer's 60-s segments
  }
  corvette::http::Router router = MakeRouter(index, recordings, {"front"});

  for (int minutes : {10, 60}) {
    const int count = minutes;  // one segment a minute
    const std::string target =
        "/api/front/start/" + std::to_string(static_cast<long long>(base)) + "/end/" +
        std::to_string(static_cast<long long>(base + minutes * 60.0)) + "/clip.mp4";
    const double w0 = WallSeconds();
    const double c0 = ProcessCpuSeconds();
    corvette::http::Response response = router.Handle("GET", target);
    const double c1 = ProcessCpuSeconds();
    const double w1 = WallSeconds();
    if (response.status != 200 || !response.file)
      Die(target + ": status " + std::to_string(response.status) + ": " + response.body);
    const double bytes = static_cast<double>(response.file->length());

    const double d0 = ChildrenCpuSeconds();
    const double dw0 = WallSeconds();
    for (int i = 0; i < count; ++i) {
      if (!Run("ffmpeg -nostdin -v error -i '" + segments[i].string() + "' -f null -"))
        Die("ffmpeg could not decode " + segments[i].string());
    }
    const double decode_cpu = ChildrenCpuSeconds() - d0;
    const double decode_wall = WallSeconds() - dw0;
    const double export_cpu = c1 - c0;
    std::printf(
        "export %2d min (%d segments, %.1f MB): wall %.0f ms, CPU %.0f ms | decode "
        "(ffmpeg -f null per segment): CPU %.0f ms, wall %.0f ms | export CPU = %.2f %% of "
        "decode (target < 5 %%)\n",
        minutes, count, bytes / 1e6, (w1 - w0) * 1000, export_cpu * 1000, decode_cpu * 1000,
        decode_wall * 1000, 100 * export_cpu / decode_cpu);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int days = 30;
  int requests = 1000;
  std::string only;
  fs::path cache = fs::path(CORVETTE_SOURCE_DIR) / ".cache" / "bench-recordings";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc)
        Die(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--days")
      days = std::atoi(value().c_str());
    else if (arg == "--requests")
      requests = std::atoi(value().c_str());
    else if (arg == "--cache")
      cache = value();
    else if (arg == "--only")
      only = value();
    else
      Die("usage: recordings_bench [--days N] [--requests N] [--cache DIR] [--only index|export]");
  }
  if (days < 1 || requests < 1 || (!only.empty() && only != "index" && only != "export"))
    Die("--days and --requests must be positive, --only index or export");
  spdlog::set_level(spdlog::level::warn);  // the routes log every export at info

  const fs::path temp =
      fs::temp_directory_path() / ("corvette-recordings-bench-" + std::to_string(::getpid()));
  fs::create_directories(temp);
  if (only.empty() || only == "index")
    IndexBench(temp, days, requests);
  if (only.empty() || only == "export")
    ExportBench(temp, cache);
  std::error_code ec;
  fs::remove_all(temp, ec);
  return 0;
}
