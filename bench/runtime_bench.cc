// Detector runtimes side by side: OpenCV DNN and ONNX Runtime run NanoDet on the same input tensor
// (a vtest.avi frame at the model size), inference only (no crop, no decode), at 320 and at 416
// when that model is built:
//   latency/<runtime>/<size>     one network, 2 threads (OpenCV: cv::setNumThreads(2); ONNX
//                                Runtime: intra_op_num_threads 2); time per inference
//   throughput/<runtime>/<size>  two networks, 1 thread each, each driven by its own thread (the
//                                DetectorPool with two detectors); items_per_second = inferences
//                                per second of both together
// The context lines name the CPU and the ONNX Runtime library; the last lines give ONNX Runtime's
// figures as multiples of OpenCV's from the same run.

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <opencv2/core.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../tests/detect/vtest_model_input.h"
#include "detect/detector_factory.h"
#include "detect/onnxruntime_library.h"

namespace {

using corvette::detect::DefaultModelPath;
using corvette::detect::Detector;
using corvette::detect::Runtime;
using corvette::detect::RuntimeName;

std::string CpuModel() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0)
      return line.substr(line.find(':') + 2);
  }
  return "unknown";
}

std::unique_ptr<Detector> Make(Runtime runtime, int size, int threads) {
  if (runtime == Runtime::kOpenCv)
    cv::setNumThreads(threads);
  auto detector = corvette::detect::CreateDetector(
      {runtime, DefaultModelPath(size), size, threads, std::string()});
  // The input tensor: vtest.avi frame 100 whole, the band below the frame black.
  detector->SetInput(corvette::testing::VtestWholeFrameRgb(size, 100));
  return detector;
}

void Latency(benchmark::State& state, Runtime runtime, int size) {
  auto detector = Make(runtime, size, 2);
  for (auto _ : state)
    detector->Run();
  state.SetItemsProcessed(state.iterations());
}

void Throughput(benchmark::State& state, Runtime runtime, int size) {
  auto a = Make(runtime, size, 1);
  auto b = Make(runtime, size, 1);
  constexpr int kPerNet = 10;
  for (auto _ : state) {
    std::thread other([&] {
      for (int i = 0; i < kPerNet; ++i)
        b->Run();
    });
    for (int i = 0; i < kPerNet; ++i)
      a->Run();
    other.join();
  }
  state.SetItemsProcessed(state.iterations() * 2 * kPerNet);
  cv::setNumThreads(2);
}

// The console output, keeping each benchmark's inferences per second for the ratios.
class Reporter : public benchmark::ConsoleReporter {
 public:
  // Colours only on a terminal (bench/run.sh's output goes to files and pages).
  Reporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_Color : OO_None) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      auto it = run.counters.find("items_per_second");
      if (run.run_type == Run::RT_Iteration && it != run.counters.end())
        rates[run.run_name.function_name] = it->second.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  std::map<std::string, double> rates;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::AddCustomContext("cpu_model", CpuModel());
  benchmark::AddCustomContext("cores", std::to_string(std::thread::hardware_concurrency()));
  std::vector<Runtime> runtimes = {Runtime::kOpenCv};
  try {
    const auto library = corvette::detect::OnnxRuntimeLibrary::Load();
    benchmark::AddCustomContext("onnxruntime", library->version() + " " + library->path());
    runtimes.push_back(Runtime::kOnnxRuntime);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ONNX Runtime not benchmarked: %s\n", e.what());
  }
  std::vector<int> sizes = {320};
  if (std::filesystem::exists(DefaultModelPath(416)))
    sizes.push_back(416);
  for (int size : sizes) {
    for (Runtime runtime : runtimes) {
      const std::string suffix = fmt::format("{}/{}", RuntimeName(runtime), size);
      benchmark::RegisterBenchmark(("latency/" + suffix).c_str(), Latency, runtime, size)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
      benchmark::RegisterBenchmark(("throughput/" + suffix).c_str(), Throughput, runtime, size)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    }
  }
  Reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  for (int size : sizes) {
    for (const char* kind : {"latency", "throughput"}) {
      const auto opencv = reporter.rates.find(fmt::format("{}/opencv/{}", kind, size));
      const auto ort = reporter.rates.find(fmt::format("{}/onnxruntime/{}", kind, size));
      if (opencv != reporter.rates.end() && ort != reporter.rates.end() && opencv->second > 0) {
        std::printf("%s at %d: onnxruntime %.1f inf/s, opencv %.1f inf/s, ratio %.2f\n", kind, size,
                    ort->second, opencv->second, ort->second / opencv->second);
      }
    }
  }
  benchmark::Shutdown();
  return 0;
}
