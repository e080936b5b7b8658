// JPEG rendering costs for live images (issue 3): 1280x720 I420 frames encoded at full size and at
// h=360, with and without overlays, and 20 MJPEG viewers against 1 through the JpegCache. CPU
// times are the whole process's (OpenCV may spread a resize or colour conversion over its own
// threads).
#include <benchmark/benchmark.h>

#include <atomic>
#include <barrier>
#include <chrono>
#include <opencv2/imgproc.hpp>
#include <thread>
#include <vector>

#include "image/jpeg.h"
#include "image/jpeg_cache.h"
#include "image/render.h"
#include "image/yuv.h"

namespace {

using namespace corvette::image;

// A camera-like picture: smooth gradients, some edges and noise (JPEG cost depends on content).
I420Image TestFrame() {
  cv::Mat bgr(720, 1280, CV_8UC3);
  for (int r = 0; r < bgr.rows; ++r) {
    for (int c = 0; c < bgr.cols; ++c) {
      bgr.at<cv::Vec3b>(r, c) = cv::Vec3b(r * 255 / 720, c * 255 / 1280, (r + c) % 256);
    }
  }
  cv::Mat noise(bgr.size(), CV_8UC3);
  cv::randn(noise, 0, 8);
  bgr += noise;
  cv::rectangle(bgr, cv::Rect(300, 200, 200, 300), cv::Scalar(20, 200, 40), -1);
  cv::circle(bgr, cv::Point(900, 400), 150, cv::Scalar(240, 240, 240), -1);
  I420Image frame;
  BgrToI420(bgr, &frame);
  return frame;
}

OverlayData Overlay() {
  OverlayData data;
  data.motion_boxes = {{100, 100, 300, 260}, {700, 300, 1000, 600}};
  data.frame_time = 1623643750;
  return data;
}

void BM_EncodeI420(benchmark::State& state) {
  const I420Image frame = TestFrame();
  RenderOptions options;
  options.height = static_cast<int>(state.range(0));
  size_t bytes = 0;
  for (auto _ : state) {
    bytes = RenderFrameJpeg(frame.view(), options, OverlayData{}).size();
  }
  state.counters["jpeg_kB"] = static_cast<double>(bytes) / 1000.0;
}
BENCHMARK(BM_EncodeI420)
    ->Arg(720)
    ->Arg(360)
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);

void BM_EncodeWithOverlays(benchmark::State& state) {
  const I420Image frame = TestFrame();
  RenderOptions options;
  options.height = static_cast<int>(state.range(0));
  options.layers.motion = true;
  options.layers.timestamp = true;
  const OverlayData overlay = Overlay();
  for (auto _ : state) {
    benchmark::DoNotOptimize(RenderFrameJpeg(frame.view(), options, overlay));
  }
}
BENCHMARK(BM_EncodeWithOverlays)
    ->Arg(720)
    ->Arg(360)
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);

// For comparison: what Frigate does for a plain frame (I420 -> BGR, resize, encode BGR).
void BM_EncodeViaBgr(benchmark::State& state) {
  const I420Image frame = TestFrame();
  const int height = static_cast<int>(state.range(0));
  cv::Mat bgr, resized;
  for (auto _ : state) {
    I420ToBgr(frame.view(), &bgr);
    if (height != bgr.rows) {
      cv::resize(bgr, resized, cv::Size(height * 1280 / 720, height), 0, 0, cv::INTER_AREA);
      benchmark::DoNotOptimize(EncodeBgr(resized));
    } else {
      benchmark::DoNotOptimize(EncodeBgr(bgr));
    }
  }
}
BENCHMARK(BM_EncodeViaBgr)
    ->Arg(720)
    ->Arg(360)
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);

// `viewers` MJPEG clients of one camera, each asking for every frame at h=360 (the MJPEG
// default), through one JpegCache. Reported per frame; process CPU time counts every thread.
void BM_ViewersThroughCache(benchmark::State& state) {
  const int viewers = static_cast<int>(state.range(0));
  constexpr int kFrames = 20;
  const I420Image frame = TestFrame();
  RenderOptions options;
  options.height = 360;
  const OverlayData overlay;
  uint64_t sequence = 0;
  for (auto _ : state) {
    JpegCache cache;
    std::barrier frame_start(viewers);
    std::vector<std::thread> threads;
    const uint64_t first = sequence;
    for (int v = 0; v < viewers; ++v) {
      threads.emplace_back([&] {
        for (int f = 0; f < kFrames; ++f) {
          frame_start.arrive_and_wait();
          benchmark::DoNotOptimize(cache.Get({first + f, options}, [&] {
            return RenderFrameJpeg(frame.view(), options, overlay);
          }));
        }
      });
    }
    for (auto& t : threads) {
      t.join();
    }
    sequence += kFrames;
    state.counters["encodes_per_frame"] = static_cast<double>(cache.encodes()) / kFrames;
  }
  state.SetItemsProcessed(state.iterations() * kFrames);
}
BENCHMARK(BM_ViewersThroughCache)
    ->Arg(1)
    ->Arg(20)
    ->MeasureProcessCPUTime()
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// The cache alone: `viewers` requests per frame from one thread (no thread wake-ups), so the
// difference between 1 and 20 is what the cache itself costs per extra viewer.
void BM_ViewersThroughCacheOneThread(benchmark::State& state) {
  const int viewers = static_cast<int>(state.range(0));
  const I420Image frame = TestFrame();
  RenderOptions options;
  options.height = 360;
  const OverlayData overlay;
  JpegCache cache;
  uint64_t sequence = 0;
  for (auto _ : state) {
    ++sequence;
    for (int v = 0; v < viewers; ++v) {
      benchmark::DoNotOptimize(cache.Get(
          {sequence, options}, [&] { return RenderFrameJpeg(frame.view(), options, overlay); }));
    }
  }
  state.counters["encodes_per_frame"] =
      static_cast<double>(cache.encodes()) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ViewersThroughCacheOneThread)
    ->Arg(1)
    ->Arg(20)
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);

// Real-time MJPEG: a camera publishing 5 frames/s and `viewers` clients each polling at 3 fps
// from a random phase for 3 s, as the MJPEG handler does (sleep 1/fps, ask for the newest
// frame). Arg 1 = max_age of 1/fps (share a recent encode), 0 = always the newest frame.
// Reports encodes per second and process CPU.
void BM_OutOfPhaseViewers(benchmark::State& state) {
  const int viewers = static_cast<int>(state.range(0));
  const bool share_recent = state.range(1) != 0;
  constexpr double kCameraFps = 5;
  constexpr double kViewerFps = 3;
  constexpr auto kDuration = std::chrono::seconds(3);
  const I420Image frame = TestFrame();
  RenderOptions options;
  options.height = 360;
  const OverlayData overlay;
  double encodes_per_second = 0;
  for (auto _ : state) {
    JpegCache cache;
    std::atomic<uint64_t> sequence{1};
    std::atomic<bool> stop{false};
    const auto start = std::chrono::steady_clock::now();
    std::thread camera([&] {
      while (!stop) {
        std::this_thread::sleep_for(std::chrono::duration<double>(1 / kCameraFps));
        ++sequence;
      }
    });
    std::vector<std::thread> threads;
    for (int v = 0; v < viewers; ++v) {
      threads.emplace_back([&, v] {
        const double phase = (v * 0.618034 - static_cast<int>(v * 0.618034)) / kViewerFps;
        std::this_thread::sleep_for(std::chrono::duration<double>(phase));
        while (std::chrono::steady_clock::now() - start < kDuration) {
          benchmark::DoNotOptimize(cache.Get(
              {sequence.load(), options},
              [&] { return RenderFrameJpeg(frame.view(), options, overlay); },
              share_recent ? 1 / kViewerFps : 0));
          std::this_thread::sleep_for(std::chrono::duration<double>(1 / kViewerFps));
        }
      });
    }
    for (auto& t : threads) {
      t.join();
    }
    stop = true;
    camera.join();
    encodes_per_second =
        static_cast<double>(cache.encodes()) / std::chrono::duration<double>(kDuration).count();
  }
  state.counters["encodes_per_s"] = encodes_per_second;
}
BENCHMARK(BM_OutOfPhaseViewers)
    ->Args({1, 0})
    ->Args({20, 0})
    ->Args({20, 1})
    ->Iterations(1)
    ->MeasureProcessCPUTime()
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
