#include "detect/onnxruntime_detector.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "detect/onnxruntime_library.h"

#ifdef CORVETTE_HAVE_ONNXRUNTIME
#include <onnxruntime_c_api.h>
#include <onnxruntime_session_options_config_keys.h>
#endif

namespace corvette::detect {

#ifdef CORVETTE_HAVE_ONNXRUNTIME

// Everything ONNX Runtime owns for one detector, released in reverse order.
struct OnnxRuntimeDetector::Session {
  std::shared_ptr<const OnnxRuntimeLibrary> library;
  const OrtApi* api = nullptr;
  OrtSessionOptions* options = nullptr;
  OrtSession* session = nullptr;
  OrtMemoryInfo* memory = nullptr;
  std::string input_name;
  OrtValue* input = nullptr;
  // After the warm-up: tensors over `buffers`, which every Run writes into.
  OrtValue* outputs[6] = {};
  std::vector<float> buffers[6];
  bool channel_major = false;

  ~Session() {
    ReleaseOutputs();
    if (input != nullptr)
      api->ReleaseValue(input);
    if (memory != nullptr)
      api->ReleaseMemoryInfo(memory);
    if (session != nullptr)
      api->ReleaseSession(session);
    if (options != nullptr)
      api->ReleaseSessionOptions(options);
  }

  void ReleaseOutputs() {
    for (OrtValue*& v : outputs) {
      if (v != nullptr)
        api->ReleaseValue(v);
      v = nullptr;
    }
  }

  void Check(OrtStatus* status, const std::string& what) const { library->Check(status, what); }

  std::vector<int64_t> Dimensions(const OrtTensorTypeAndShapeInfo* info) const {
    size_t count = 0;
    Check(api->GetDimensionsCount(info, &count), "GetDimensionsCount");
    std::vector<int64_t> dims(count);
    Check(api->GetDimensions(info, dims.data(), count), "GetDimensions");
    return dims;
  }

  // The shape of session input 0, empty when it is not a float tensor.
  std::vector<int64_t> InputShape() const {
    OrtTypeInfo* type_info = nullptr;
    Check(api->SessionGetInputTypeInfo(session, 0, &type_info), "SessionGetInputTypeInfo");
    std::vector<int64_t> dims;
    const OrtTensorTypeAndShapeInfo* info = nullptr;
    ONNXTensorElementDataType type = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
    OrtStatus* status = api->CastTypeInfoToTensorInfo(type_info, &info);
    if (status == nullptr && info != nullptr)
      status = api->GetTensorElementType(info, &type);
    if (status == nullptr && info != nullptr && type == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT)
      dims = Dimensions(info);
    api->ReleaseTypeInfo(type_info);
    Check(status, "input type");
    return dims;
  }

  // The shape of a float tensor, empty when it holds another type.
  std::vector<int64_t> ValueShape(const OrtValue* value) const {
    OrtTensorTypeAndShapeInfo* info = nullptr;
    Check(api->GetTensorTypeAndShape(value, &info), "GetTensorTypeAndShape");
    ONNXTensorElementDataType type = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
    OrtStatus* status = api->GetTensorElementType(info, &type);
    std::vector<int64_t> dims;
    if (status == nullptr && type == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT)
      dims = Dimensions(info);
    api->ReleaseTensorTypeAndShapeInfo(info);
    Check(status, "GetTensorElementType");
    return dims;
  }

  void Run() {
    const char* input_names[1] = {input_name.c_str()};
    Check(api->Run(session, nullptr, input_names, &input, 1, kOutputNames, 6, outputs),
          "ONNX Runtime could not run the model");
  }

  NanoDetOutputs View() const {
    NanoDetOutputs view;
    for (int level = 0; level < 3; ++level) {
      view.scores[level] = buffers[level];
      view.boxes[level] = buffers[level + 3];
    }
    view.channel_major = channel_major;
    return view;
  }
};

OnnxRuntimeDetector::OnnxRuntimeDetector(const std::string& model_path, int input_size,
                                         const OnnxRuntimeOptions& options)
    : Detector(Runtime::kOnnxRuntime, model_path, input_size),
      num_threads_(std::max(1, options.num_threads)),
      session_(std::make_unique<Session>()) {
  Session& s = *session_;
  s.library = OnnxRuntimeLibrary::Load(options.library_path);
  s.api = s.library->api();
  const OrtApi* api = s.api;

  s.Check(api->CreateSessionOptions(&s.options), "CreateSessionOptions");
  s.Check(api->SetIntraOpNumThreads(s.options, num_threads_), "SetIntraOpNumThreads");
  s.Check(api->SetInterOpNumThreads(s.options, 1), "SetInterOpNumThreads");
  s.Check(api->SetSessionExecutionMode(s.options, ORT_SEQUENTIAL), "SetSessionExecutionMode");
  s.Check(api->SetSessionGraphOptimizationLevel(s.options, ORT_ENABLE_ALL),
          "SetSessionGraphOptimizationLevel");
  // Threads that wait for work sleep instead of spinning: no CPU burnt between inferences.
  s.Check(api->AddSessionConfigEntry(s.options, kOrtSessionOptionsConfigAllowIntraOpSpinning, "0"),
          "AddSessionConfigEntry");
  s.Check(api->AddSessionConfigEntry(s.options, kOrtSessionOptionsConfigAllowInterOpSpinning, "0"),
          "AddSessionConfigEntry");

  try {
    s.Check(api->CreateSession(s.library->env(), model_path.c_str(), s.options, &s.session),
            "CreateSession");
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(fmt::format(
        "model file {} is not an ONNX model ONNX Runtime can load ({}); point model.path at "
        "NanoDet converted by tools/tfjs_to_onnx.py, or leave it unset for the built-in model",
        model_path, e.what()));
  }

  size_t inputs = 0;
  s.Check(api->SessionGetInputCount(s.session, &inputs), "SessionGetInputCount");
  const std::vector<int64_t> shape = inputs == 1 ? s.InputShape() : std::vector<int64_t>{};
  const auto fixed_and_not = [](int64_t dim, int64_t want) { return dim > 0 && dim != want; };
  if (shape.size() != 4 || fixed_and_not(shape[0], 1) || fixed_and_not(shape[1], 3) ||
      fixed_and_not(shape[2], input_size) || fixed_and_not(shape[3], input_size)) {
    std::string dims;
    for (int64_t d : shape)
      dims += fmt::format("{}{}", dims.empty() ? "" : "x", d);
    throw std::runtime_error(fmt::format(
        "model file {} does not take one float32 1x3x{}x{} input (it takes {} input(s), the "
        "first {}): is it NanoDet converted by tools/tfjs_to_onnx.py for that size?",
        model_path, input_size, input_size, inputs, dims.empty() ? "not a float tensor" : dims));
  }
  OrtAllocator* allocator = nullptr;
  s.Check(api->GetAllocatorWithDefaultOptions(&allocator), "GetAllocatorWithDefaultOptions");
  char* name = nullptr;
  s.Check(api->SessionGetInputName(s.session, 0, allocator, &name), "SessionGetInputName");
  s.input_name = name;
  s.Check(api->AllocatorFree(allocator, name), "AllocatorFree");

  s.Check(api->CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &s.memory),
          "CreateCpuMemoryInfo");
  const int64_t input_shape[4] = {1, 3, input_size, input_size};
  const std::span<float> in = input();
  s.Check(api->CreateTensorWithDataAsOrtValue(s.memory, in.data(), in.size_bytes(), input_shape, 4,
                                              ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, &s.input),
          "CreateTensorWithDataAsOrtValue");

  // Warm-up: ONNX Runtime allocates the outputs; their shapes size our own buffers.
  try {
    s.Run();
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(fmt::format(
        "model file {} does not run at {}x{} on ONNX Runtime (is it NanoDet converted by "
        "tools/tfjs_to_onnx.py for that size?): {}",
        model_path, input_size, input_size, e.what()));
  }
  std::vector<int64_t> shapes[6];
  for (int i = 0; i < 6; ++i) {
    shapes[i] = s.ValueShape(s.outputs[i]);
    size_t count = shapes[i].empty() ? 0 : 1;
    for (int64_t d : shapes[i])
      count *= static_cast<size_t>(std::max<int64_t>(d, 0));
    s.buffers[i].assign(count, 0.0f);
  }
  s.channel_major = IsChannelMajor(shapes[0]);
  CheckOutputs(s.View());
  s.ReleaseOutputs();
  for (int i = 0; i < 6; ++i) {
    s.Check(api->CreateTensorWithDataAsOrtValue(s.memory, s.buffers[i].data(),
                                                s.buffers[i].size() * sizeof(float),
                                                shapes[i].data(), shapes[i].size(),
                                                ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, &s.outputs[i]),
            "CreateTensorWithDataAsOrtValue");
  }
  Run();
}

OnnxRuntimeDetector::~OnnxRuntimeDetector() = default;

const std::string& OnnxRuntimeDetector::library_path() const {
  return session_->library->path();
}

const std::string& OnnxRuntimeDetector::library_version() const {
  return session_->library->version();
}

NanoDetOutputs OnnxRuntimeDetector::Infer() {
  session_->Run();
  return session_->View();
}

#else  // !CORVETTE_HAVE_ONNXRUNTIME

struct OnnxRuntimeDetector::Session {};

OnnxRuntimeDetector::OnnxRuntimeDetector(const std::string& model_path, int input_size,
                                         const OnnxRuntimeOptions& options)
    : Detector(Runtime::kOnnxRuntime, model_path, input_size), num_threads_(options.num_threads) {
  OnnxRuntimeLibrary::Load(options.library_path);  // throws: this build has no backend
}

OnnxRuntimeDetector::~OnnxRuntimeDetector() = default;

const std::string& OnnxRuntimeDetector::library_path() const {
  static const std::string none;
  return none;
}

const std::string& OnnxRuntimeDetector::library_version() const {
  return library_path();
}

NanoDetOutputs OnnxRuntimeDetector::Infer() {
  return {};
}

#endif

}  // namespace corvette::detect
