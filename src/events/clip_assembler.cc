#include "events/clip_assembler.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "storage/media_layout.h"
#include "video/child_process.h"

namespace corvette::events {
namespace fs = std::filesystem;
namespace {

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// A path inside single quotes for the concat demuxer: ' becomes '\''.
std::string QuoteForConcat(const std::string& path) {
  std::string out = "'";
  for (char c : path) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

}  // namespace

bool ShouldMakeClip(bool clips_enabled, bool false_positive, const std::string& label,
                    const std::optional<std::vector<std::string>>& clip_objects,
                    const std::vector<std::string>& required_zones,
                    const std::vector<std::string>& entered_zones) {
  if (!clips_enabled || false_positive)
    return false;
  if (clip_objects && !Contains(*clip_objects, label))
    return false;
  if (!required_zones.empty()) {
    return std::any_of(required_zones.begin(), required_zones.end(),
                       [&](const std::string& zone) { return Contains(entered_zones, zone); });
  }
  return true;
}

std::vector<RemuxPiece> ClipPieces(const std::vector<CachedSegment>& segments, double window_start,
                                   double window_end) {
  std::vector<RemuxPiece> pieces;
  for (const CachedSegment& segment : segments) {
    if (segment.end() < window_start)
      continue;
    if (segment.start > window_end)
      break;
    RemuxPiece piece{segment.path, std::nullopt, std::nullopt};
    if (segment.start < window_start)
      piece.inpoint = window_start - segment.start;
    if (segment.end() > window_end)
      piece.outpoint = window_end - segment.start;
    pieces.push_back(std::move(piece));
  }
  return pieces;
}

std::string ConcatPlaylist(const std::vector<CachedSegment>& segments, double window_start,
                           double window_end) {
  std::string playlist;
  for (const RemuxPiece& piece : ClipPieces(segments, window_start, window_end)) {
    playlist += fmt::format("file {}\n", QuoteForConcat(piece.path));
    if (piece.inpoint)
      playlist += fmt::format("inpoint {:.3f}\n", *piece.inpoint);
    if (piece.outpoint)
      playlist += fmt::format("outpoint {:.3f}\n", *piece.outpoint);
  }
  return playlist;
}

ClipAssembler::ClipAssembler(Options options, const util::Clock& clock, Completion on_done)
    : options_(std::move(options)),
      clock_(clock),
      on_done_(std::move(on_done)),
      cache_(options_.cache, clock) {
  worker_ = std::thread([this] { Loop(); });
}

ClipAssembler::~ClipAssembler() {
  Stop();
}

void ClipAssembler::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable())
    worker_.join();
  std::lock_guard lock(mutex_);
  for (const ClipRequest& request : waiting_)
    spdlog::warn("clips: stopping; no clip for event {} of {}", request.id, request.camera);
  waiting_.clear();
  counters_.waiting = 0;
}

void ClipAssembler::Request(ClipRequest request) {
  {
    std::lock_guard lock(mutex_);
    in_progress_.erase(request.id);
    waiting_.push_back(std::move(request));
    counters_.waiting = waiting_.size();
  }
  wake_.notify_all();
}

void ClipAssembler::NoteEventStarted(const std::string& camera, const std::string& id,
                                     double start_time) {
  std::lock_guard lock(mutex_);
  in_progress_[id] = Started{camera, start_time};
}

void ClipAssembler::NoteEventEnded(const std::string& id) {
  std::lock_guard lock(mutex_);
  in_progress_.erase(id);
}

void ClipAssembler::OnEventStored(const std::string& camera, const std::string& id,
                                  double start_time, double end_time, bool clip_wanted) {
  if (!clip_wanted) {
    NoteEventEnded(id);
    return;
  }
  CameraOptions options = CameraOf(camera);
  Request(ClipRequest{camera, id, start_time, end_time, options.pre_capture, options.post_capture});
}

ClipAssembler::CameraOptions ClipAssembler::CameraOf(const std::string& camera) const {
  auto it = options_.cameras.find(camera);
  return it == options_.cameras.end() ? CameraOptions{} : it->second;
}

ClipAssembler::Counters ClipAssembler::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

std::map<std::string, double> ClipAssembler::EarliestNeeded() const {
  std::map<std::string, double> earliest;
  auto need = [&earliest](const std::string& camera, double t) {
    auto [it, inserted] = earliest.emplace(camera, t);
    if (!inserted)
      it->second = std::min(it->second, t);
  };
  for (const auto& [id, started] : in_progress_)
    need(started.camera, started.start_time - CameraOf(started.camera).pre_capture);
  for (const ClipRequest& request : waiting_)
    need(request.camera, request.start_time - request.pre_capture);
  return earliest;
}

void ClipAssembler::Loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      cache_.Refresh();
    } catch (const std::exception& e) {
      spdlog::error("clips: cache scan of {} failed: {}", options_.cache.dir, e.what());
    }
    lock.lock();
    // Build every request whose segments are there (or whose wait ran out), one at a time.
    bool built = true;
    while (built && !stopping_) {
      built = false;
      double now = clock_.Now();
      for (auto it = waiting_.begin(); it != waiting_.end(); ++it) {
        double window_end = it->end_time + it->post_capture;
        std::optional<double> covered = cache_.CoveredUntil(it->camera);
        bool ready = covered && *covered >= window_end;
        bool timed_out = now >= window_end + options_.max_wait_seconds;
        if (!ready && !timed_out)
          continue;
        ClipRequest request = std::move(*it);
        waiting_.erase(it);
        lock.unlock();
        ClipResult result = Assemble(request, !ready);
        if (on_done_)
          on_done_(result);
        lock.lock();
        counters_.waiting = waiting_.size();
        if (result.ok) {
          ++counters_.made;
          counters_.partial += result.partial;
        } else {
          ++counters_.failed;
        }
        built = true;
        break;
      }
    }
    std::map<std::string, double> earliest = EarliestNeeded();
    lock.unlock();
    try {
      cache_.Expire(earliest);
    } catch (const std::exception& e) {
      spdlog::error("clips: cache retention in {} failed: {}", options_.cache.dir, e.what());
    }
    lock.lock();
    size_t waiting_before = waiting_.size();
    wake_.wait_for(lock, std::chrono::duration<double>(options_.poll_seconds),
                   [&] { return stopping_ || waiting_.size() != waiting_before; });
  }
}

std::string ClipAssembler::RunFfmpeg(const ClipRequest& request, const std::string& playlist,
                                     const std::string& playlist_path,
                                     const std::string& temporary) {
  {
    std::ofstream out(playlist_path, std::ios::trunc);
    out << playlist;
    if (!out.flush())
      return fmt::format("cannot write {}", playlist_path);
  }

  try {
    video::ChildProcess ffmpeg(video::ChildProcess::Options{
        .argv = {options_.ffmpeg,
                 "-hide_banner",
                 "-loglevel",
                 "warning",
                 "-y",
                 "-protocol_whitelist",
                 "file",
                 "-f",
                 "concat",
                 "-safe",
                 "0",
                 "-i",
                 playlist_path,
                 "-c",
                 "copy",
                 "-movflags",
                 "+faststart",
                 "-f",
                 "mp4",
                 temporary},
        .log_name = fmt::format("ffmpeg.{}.clip", request.camera),
        .stderr_max_lines = 20,
    });
    std::optional<video::ExitStatus> status = ffmpeg.WaitFor(options_.ffmpeg_timeout_seconds);
    bool timed_out = !status;
    if (!status)
      status = ffmpeg.Terminate(2.0);
    if (timed_out || !status->success()) {
      ffmpeg.WaitStderrClosed(1.0);
      std::string lines;
      for (const std::string& line : ffmpeg.StderrLines())
        lines += "\n  " + line;
      return timed_out ? fmt::format("ffmpeg took longer than {:.0f} s{}",
                                     options_.ffmpeg_timeout_seconds, lines)
                       : fmt::format("ffmpeg failed ({}){}", status->ToString(), lines);
    }
  } catch (const std::exception& e) {
    return fmt::format("cannot run ffmpeg: {}", e.what());
  }

  return "";
}

ClipResult ClipAssembler::Assemble(const ClipRequest& request, bool partial) {
  ClipResult result;
  result.request = request;
  result.partial = partial;
  double window_start = request.start_time - request.pre_capture;
  double window_end = request.end_time + request.post_capture;
  const std::vector<CachedSegment> segments = cache_.Segments(request.camera);
  const std::vector<RemuxPiece> pieces = ClipPieces(segments, window_start, window_end);
  auto fail = [&](std::string error) {
    result.error = std::move(error);
    spdlog::warn("clips: no clip for event {} of {}: {}", request.id, request.camera, result.error);
    return result;
  };
  if (pieces.empty())
    return fail(fmt::format("no cached segment covers {:.1f} to {:.1f}", window_start, window_end));
  if (partial) {
    spdlog::warn(
        "clips: segments of {} did not reach {:.1f} in time; the clip of event {} is built from "
        "what the cache holds",
        request.camera, window_end, request.id);
  }

  std::error_code ec;
  fs::create_directories(options_.clips_dir, ec);
  const std::string final_path =
      storage::EventClipPath(options_.clips_dir, request.camera, request.id);
  const std::string temporary =
      storage::ClipAssemblyPath(options_.clips_dir, request.camera, request.id);
  const std::string playlist_path =
      storage::ClipPlaylistPath(options_.clips_dir, request.camera, request.id);
  storage::FileSystem& file_system = *options_.file_system;
  auto cleanup = [&] {
    file_system.RemoveFile(temporary);
    file_system.RemoveFile(playlist_path);
  };
  if (options_.use_ffmpeg) {
    if (std::string error = RunFfmpeg(request, ConcatPlaylist(segments, window_start, window_end),
                                      playlist_path, temporary);
        !error.empty()) {
      cleanup();
      return fail(error);
    }
  } else {
    RemuxResult remux = ConcatRemux(pieces, temporary, options_.after_piece);
    if (!remux.ok) {
      cleanup();
      return fail(remux.error);
    }
  }

  try {
    file_system.CommitTemporary(temporary, final_path);
  } catch (const std::exception& e) {
    cleanup();
    return fail(e.what());
  }
  file_system.RemoveFile(playlist_path);
  result.ok = true;
  result.path = final_path;
  spdlog::debug("clips: {} ({:.1f} to {:.1f})", final_path, window_start, window_end);
  return result;
}

}  // namespace corvette::events
