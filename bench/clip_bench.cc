// Clip assembly cost (issue 6, docs/benchmarks.md): CPU time to assemble a 30-s clip by stream copy
// from 10-s cache segments, against ffmpeg decoding the same 30 s to null, in the same run.
// Target: under 5 %.
//
// - join_in_process_ms: ConcatRemux (what ClipAssembler does by default), CPU of this thread.
// - join_ffmpeg_ms: 0.8's way, an ffmpeg child with the concat demuxer and -c copy (CPU of the
//   child, getrusage(RUSAGE_CHILDREN)), i.e. ClipAssembler with use_ffmpeg.
// - decode_ms: `ffmpeg -f concat -i <same playlist> -f null -` (CPU of the child).
// The segments are H.264 (1-s GOP, no B-frames) made from the OpenCV demo footage, at its 768x576
// (Arg 0) and scaled to 1920x1080 (Arg 1), 10 fps.

#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "events/clip_remux.h"

namespace {
namespace fs = std::filesystem;

double ChildrenCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec +
         usage.ru_stime.tv_usec / 1e6;
}

double ThreadCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec +
         usage.ru_stime.tv_usec / 1e6;
}

bool Run(const std::string& command) {
  int rc = std::system(command.c_str());
  return rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
}

struct Footage {
  fs::path dir;
  std::vector<corvette::events::RemuxPiece> pieces;  // a 30-s window over four 10-s segments
  fs::path playlist;
};

const Footage& FootageFor(bool hd) {
  static Footage footage[2];
  Footage& f = footage[hd];
  if (!f.dir.empty())
    return f;
  f.dir = fs::temp_directory_path() /
          ("corvette-clip-bench-" + std::to_string(::getpid()) + (hd ? "-hd" : "-sd"));
  fs::create_directories(f.dir);
  std::string scale = hd ? " -vf scale=1920:1080" : "";
  if (!Run("ffmpeg -nostdin -v error -y -i /usr/share/doc/opencv-doc/examples/data/vtest.avi -t 40 "
           "-an" +
           scale +
           " -c:v libx264 -preset veryfast -g 10 -bf 0 -f segment "
           "-segment_time 10 -reset_timestamps 1 -segment_format mp4 '" +
           (f.dir / "front-%03d.mp4").string() + "'"))
    std::abort();
  for (int i = 0; i < 4; ++i) {
    corvette::events::RemuxPiece piece;
    piece.path = (f.dir / ("front-00" + std::to_string(i) + ".mp4")).string();
    if (i == 0)
      piece.inpoint = 5.0;
    if (i == 3)
      piece.outpoint = 5.0;
    f.pieces.push_back(piece);
  }
  f.playlist = f.dir / "playlist.concat";
  std::ofstream out(f.playlist);
  for (const auto& piece : f.pieces) {
    out << "file '" << piece.path << "'\n";
    if (piece.inpoint)
      out << "inpoint " << *piece.inpoint << "\n";
    if (piece.outpoint)
      out << "outpoint " << *piece.outpoint << "\n";
  }
  std::atexit([] {
    std::error_code ec;
    for (auto& each : footage)
      if (!each.dir.empty())
        fs::remove_all(each.dir, ec);
  });
  return f;
}

void BM_ClipAssemblyVersusDecode(benchmark::State& state) {
  const Footage& f = FootageFor(state.range(0) == 1);
  const std::string out = (f.dir / ".front-bench.mp4.assembling").string();
  double join = 0, ffmpeg_join = 0, decode = 0;
  for (auto _ : state) {
    double t0 = ThreadCpuSeconds();
    auto result = corvette::events::ConcatRemux(f.pieces, out);
    join += ThreadCpuSeconds() - t0;
    if (!result.ok) {
      state.SkipWithError(result.error.c_str());
      return;
    }
    double c0 = ChildrenCpuSeconds();
    Run("ffmpeg -nostdin -hide_banner -loglevel warning -y -protocol_whitelist file -f concat "
        "-safe 0 -i '" +
        f.playlist.string() + "' -c copy -movflags +faststart -f mp4 '" + out + "'");
    double c1 = ChildrenCpuSeconds();
    Run("ffmpeg -nostdin -hide_banner -loglevel warning -protocol_whitelist file -f concat -safe 0 "
        "-i '" +
        f.playlist.string() + "' -f null -");
    double c2 = ChildrenCpuSeconds();
    ffmpeg_join += c1 - c0;
    decode += c2 - c1;
  }
  double n = static_cast<double>(state.iterations());
  state.counters["join_in_process_ms"] = 1000 * join / n;
  state.counters["join_ffmpeg_ms"] = 1000 * ffmpeg_join / n;
  state.counters["decode_ms"] = 1000 * decode / n;
  state.counters["in_process_pct_of_decode"] = 100 * join / decode;
  state.counters["ffmpeg_pct_of_decode"] = 100 * ffmpeg_join / decode;
}
BENCHMARK(BM_ClipAssemblyVersusDecode)
    ->Arg(0)
    ->Arg(1)
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
