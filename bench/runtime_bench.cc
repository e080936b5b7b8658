// Detector runtimes side by side: OpenCV DNN and ONNX Runtime (float, and int8 where the build made
// the int8 model) run NanoDet on the same input tensor (a vtest.avi frame at the model size),
// inference only (no crop, no decode), at 320 and at 416 when that model is built:
//   latency/<variant>/<size>     one network, 2 threads (OpenCV: cv::setNumThreads(2); ONNX
//                                Runtime: intra_op_num_threads 2); time per inference
//   throughput/<variant>/<size>  two networks, 1 thread each, each driven by its own thread (the
//                                DetectorPool with two detectors); items_per_second = inferences
//                                per second of both together
// <variant> is opencv, onnxruntime or onnxruntime-int8. The context lines name the CPU and the ONNX
// Runtime library; the last lines give each ONNX Runtime variant's figures as multiples of
// OpenCV's from the same run.

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
using corvette::detect::Precision;
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

struct Variant {
  Runtime runtime;
  Precision precision;
  std::string name;
};

std::unique_ptr<Detector> Make(const Variant& variant, int size, int threads) {
  if (variant.runtime == Runtime::kOpenCv)
    cv::setNumThreads(threads);
  auto detector = corvette::detect::CreateDetector(
      {variant.runtime, DefaultModelPath(size, variant.precision), size, threads, std::string()});
  // The input tensor: vtest.avi frame 100 whole, the band below the frame black.
  detector->SetInput(corvette::testing::VtestWholeFrameRgb(size, 100));
  return detector;
}

void Latency(benchmark::State& state, const Variant& variant, int size) {
  auto detector = Make(variant, size, 2);
  for (auto _ : state)
    detector->Run();
  state.SetItemsProcessed(state.iterations());
}

void Throughput(benchmark::State& state, const Variant& variant, int size) {
  auto a = Make(variant, size, 1);
  auto b = Make(variant, size, 1);
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
  std::vector<Variant> variants = {{Runtime::kOpenCv, Precision::kFloat32, "opencv"}};
  try {
    const auto library = corvette::detect::OnnxRuntimeLibrary::Load();
    benchmark::AddCustomContext("onnxruntime", library->version() + " " + library->path());
    variants.push_back({Runtime::kOnnxRuntime, Precision::kFloat32, "onnxruntime"});
    variants.push_back({Runtime::kOnnxRuntime, Precision::kInt8, "onnxruntime-int8"});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ONNX Runtime not benchmarked: %s\n", e.what());
  }
  std::vector<int> sizes = {320};
  if (std::filesystem::exists(DefaultModelPath(416)))
    sizes.push_back(416);
  for (int size : sizes) {
    for (const Variant& variant : variants) {
      if (!std::filesystem::exists(DefaultModelPath(size, variant.precision))) {
        std::fprintf(stderr, "%s at %d not benchmarked: no %s\n", variant.name.c_str(), size,
                     DefaultModelPath(size, variant.precision).c_str());
        continue;
      }
      const std::string suffix = fmt::format("{}/{}", variant.name, size);
      benchmark::RegisterBenchmark(("latency/" + suffix).c_str(), Latency, variant, size)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
      benchmark::RegisterBenchmark(("throughput/" + suffix).c_str(), Throughput, variant, size)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    }
  }
  Reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  for (int size : sizes) {
    for (const char* kind : {"latency", "throughput"}) {
      const auto opencv = reporter.rates.find(fmt::format("{}/opencv/{}", kind, size));
      for (const Variant& variant : variants) {
        const auto other = reporter.rates.find(fmt::format("{}/{}/{}", kind, variant.name, size));
        if (variant.runtime == Runtime::kOpenCv || opencv == reporter.rates.end() ||
            other == reporter.rates.end() || opencv->second <= 0) {
          continue;
        }
        std::printf("%s at %d: %s %.1f inf/s, opencv %.1f inf/s, ratio %.2f\n", kind, size,
                    variant.name.c_str(), other->second, opencv->second,
                    other->second / opencv->second);
      }
    }
  }
  benchmark::Shutdown();
  return 0;
}
