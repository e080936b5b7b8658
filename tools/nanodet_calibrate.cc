// nanodet_calibrate: the calibration run between the two steps of tools/quantize_nanodet.py.
//
//   nanodet_calibrate --model nanodet-320-calibration.onnx --size 320 --video vtest.avi
//                     --frames 150 --output ranges.json
//
// Runs the model (the float model with the tensors to quantize exposed as outputs) on ONNX Runtime
// over regions of real frames, cut and scaled as the detector's regions are (squares of the model's
// size and larger, scaled to the model's input), and writes every output's range:
//   {"frames": N, "regions": M, "ranges": {"<tensor>": [min, max], ...}}
// The frames come from ffmpeg (every frame of the video's first frames, evenly spaced). Exits 1
// with a message when the video, ffmpeg, the library or the model cannot be used.

#include <fmt/format.h>
#include <onnxruntime_c_api.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "detect/onnxruntime_library.h"

namespace {

using corvette::detect::OnnxRuntimeLibrary;

struct Options {
  std::string model;
  std::string video;
  std::string output;
  int size = 320;
  int frames = 150;
  int width = 768;
  int height = 576;
};

// `value` of option `key` as a whole positive number, or an error naming the option.
int PositiveNumber(const std::string& key, const std::string& value) {
  int number = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (error != std::errc() || end != value.data() + value.size() || number <= 0)
    throw std::runtime_error(key + " wants a whole positive number, not '" + value + "'");
  return number;
}

Options ParseOptions(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string key = argv[i];
    if (i + 1 >= argc)
      throw std::runtime_error("missing value after " + key);
    const std::string value = argv[++i];
    if (key == "--model")
      options.model = value;
    else if (key == "--video")
      options.video = value;
    else if (key == "--output")
      options.output = value;
    else if (key == "--size")
      options.size = PositiveNumber(key, value);
    else if (key == "--frames")
      options.frames = PositiveNumber(key, value);
    else if (key == "--width")
      options.width = PositiveNumber(key, value);
    else if (key == "--height")
      options.height = PositiveNumber(key, value);
    else
      throw std::runtime_error("unknown option " + key);
  }
  if (options.model.empty() || options.video.empty() || options.output.empty())
    throw std::runtime_error("--model, --video and --output are required");
  return options;
}

// `count` RGB frames of `video` at width x height, every `step`-th frame from the first.
std::vector<cv::Mat> ReadFrames(const Options& o, int step) {
  const std::string command = fmt::format(
      "ffmpeg -nostdin -v error -i '{}' -vf \"select=not(mod(n\\,{})),scale={}:{}\" -vsync 0 "
      "-frames:v {} -pix_fmt rgb24 -f rawvideo -",
      o.video, step, o.width, o.height, o.frames);
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr)
    throw std::runtime_error("cannot start ffmpeg");
  std::vector<cv::Mat> frames;
  for (int i = 0; i < o.frames; ++i) {
    cv::Mat frame(o.height, o.width, CV_8UC3);
    if (std::fread(frame.data, 1, frame.total() * 3, pipe) != frame.total() * 3)
      break;
    frames.push_back(frame);
  }
  ::pclose(pipe);
  if (frames.empty())
    throw std::runtime_error("ffmpeg gave no frame of " + o.video);
  return frames;
}

// The regions of frame `index`: squares of the model's size, 1.6 times it and the frame's height,
// at a horizontal position that moves from frame to frame, scaled to the model's input.
std::vector<cv::Mat> Regions(const cv::Mat& frame, int index, int size) {
  std::vector<cv::Mat> regions;
  const int sides[3] = {size, size * 8 / 5, frame.rows};
  for (int k = 0; k < 3; ++k) {
    const int side = std::min({sides[k], frame.rows, frame.cols});
    const int span = frame.cols - side;
    const int x = span * ((index * 7 + k * 3) % 11) / 10;
    const int y = (frame.rows - side) * ((index + k) % 3) / 2;
    cv::Mat scaled;
    cv::resize(frame(cv::Rect(x, y, side, side)), scaled, cv::Size(size, size), 0, 0,
               cv::INTER_LINEAR);
    regions.push_back(scaled);
  }
  return regions;
}

int Run(const Options& o) {
  const auto library = OnnxRuntimeLibrary::Load();
  const OrtApi* api = library->api();
  auto check = [&](OrtStatus* status, const char* what) { library->Check(status, what); };

  OrtSessionOptions* session_options = nullptr;
  check(api->CreateSessionOptions(&session_options), "CreateSessionOptions");
  // No fusion: the exposed tensors must be computed as the float graph defines them.
  check(api->SetSessionGraphOptimizationLevel(session_options, ORT_DISABLE_ALL),
        "SetSessionGraphOptimizationLevel");
  OrtSession* session = nullptr;
  check(api->CreateSession(library->env(), o.model.c_str(), session_options, &session),
        "CreateSession");
  OrtAllocator* allocator = nullptr;
  check(api->GetAllocatorWithDefaultOptions(&allocator), "GetAllocatorWithDefaultOptions");
  size_t output_count = 0;
  check(api->SessionGetOutputCount(session, &output_count), "SessionGetOutputCount");
  std::vector<std::string> names;
  for (size_t i = 0; i < output_count; ++i) {
    char* name = nullptr;
    check(api->SessionGetOutputName(session, i, allocator, &name), "SessionGetOutputName");
    names.emplace_back(name);
    check(api->AllocatorFree(allocator, name), "AllocatorFree");
  }
  char* input_name = nullptr;
  check(api->SessionGetInputName(session, 0, allocator, &input_name), "SessionGetInputName");
  const std::string input = input_name;
  check(api->AllocatorFree(allocator, input_name), "AllocatorFree");

  std::vector<const char*> name_pointers;
  for (const std::string& n : names)
    name_pointers.push_back(n.c_str());
  std::vector<float> low(names.size(), std::numeric_limits<float>::max());
  std::vector<float> high(names.size(), std::numeric_limits<float>::lowest());
  // Sums of each region's minimum and maximum: their means are ranges that ignore the rare
  // extremes.
  std::vector<double> low_sum(names.size(), 0.0), high_sum(names.size(), 0.0);

  OrtMemoryInfo* memory = nullptr;
  check(api->CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &memory),
        "CreateCpuMemoryInfo");
  std::vector<float> tensor(3 * o.size * o.size);
  const int64_t shape[4] = {1, 3, o.size, o.size};
  OrtValue* input_value = nullptr;
  check(api->CreateTensorWithDataAsOrtValue(memory, tensor.data(), tensor.size() * sizeof(float),
                                            shape, 4, ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT,
                                            &input_value),
        "CreateTensorWithDataAsOrtValue");

  // Evenly over vtest's 795 frames.
  const std::vector<cv::Mat> frames = ReadFrames(o, std::max(1, 790 / o.frames));
  int regions = 0;
  const char* input_names[1] = {input.c_str()};
  for (size_t f = 0; f < frames.size(); ++f) {
    for (const cv::Mat& region : Regions(frames[f], static_cast<int>(f), o.size)) {
      const size_t plane = static_cast<size_t>(o.size) * o.size;
      for (size_t p = 0; p < plane; ++p) {
        for (int c = 0; c < 3; ++c)
          tensor[c * plane + p] = region.data[p * 3 + c] / 255.0f;
      }
      std::vector<OrtValue*> outputs(names.size(), nullptr);
      check(api->Run(session, nullptr, input_names, &input_value, 1, name_pointers.data(),
                     names.size(), outputs.data()),
            "Run");
      for (size_t i = 0; i < names.size(); ++i) {
        float* data = nullptr;
        check(api->GetTensorMutableData(outputs[i], reinterpret_cast<void**>(&data)),
              "GetTensorMutableData");
        OrtTensorTypeAndShapeInfo* info = nullptr;
        check(api->GetTensorTypeAndShape(outputs[i], &info), "GetTensorTypeAndShape");
        size_t count = 0;
        check(api->GetTensorShapeElementCount(info, &count), "GetTensorShapeElementCount");
        api->ReleaseTensorTypeAndShapeInfo(info);
        const auto [min_it, max_it] = std::minmax_element(data, data + count);
        if (count > 0) {
          low[i] = std::min(low[i], *min_it);
          high[i] = std::max(high[i], *max_it);
          low_sum[i] += *min_it;
          high_sum[i] += *max_it;
        }
        api->ReleaseValue(outputs[i]);
      }
      ++regions;
    }
  }
  api->ReleaseValue(input_value);
  api->ReleaseMemoryInfo(memory);
  api->ReleaseSession(session);
  api->ReleaseSessionOptions(session_options);

  nlohmann::json ranges = nlohmann::json::object();
  nlohmann::json mean_ranges = nlohmann::json::object();
  for (size_t i = 0; i < names.size(); ++i) {
    ranges[names[i]] = {low[i], high[i]};
    mean_ranges[names[i]] = {low_sum[i] / std::max(1, regions), high_sum[i] / std::max(1, regions)};
  }
  std::ofstream out(o.output);
  out << nlohmann::json{{"frames", frames.size()},
                        {"regions", regions},
                        {"ranges", ranges},
                        {"mean_ranges", mean_ranges}}
             .dump(1)
      << "\n";
  if (!out)
    throw std::runtime_error("cannot write " + o.output);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(ParseOptions(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nanodet_calibrate: %s\n", e.what());
    return 1;
  }
}
