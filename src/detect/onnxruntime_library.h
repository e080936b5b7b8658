#pragma once

#include <memory>
#include <string>
#include <vector>

// ONNX Runtime's C API types (onnxruntime_c_api.h, which only this unit's .cc files include).
struct OrtApi;
struct OrtEnv;
struct OrtStatus;

namespace corvette::detect {

// The environment variable that names the ONNX Runtime library to load instead of the usual places.
inline constexpr const char* kOnnxRuntimeLibraryEnv = "CORVETTE_ONNXRUNTIME_LIBRARY";

// True when this build has the ONNX Runtime backend (tools/onnxruntime.cmake fetched the C API
// headers at configure time); the library itself is loaded at run time.
bool OnnxRuntimeBuiltIn();

// Where OnnxRuntimeLibrary::Load() looks, in order: $CORVETTE_ONNXRUNTIME_LIBRARY alone when it is
// set and not empty; else libonnxruntime.so.1 beside the executable (where the build copies it), in
// the build tree, then the bare name (the system's library search path).
std::vector<std::string> OnnxRuntimeLibraryCandidates();

// ONNX Runtime's shared library, loaded with dlopen (nothing links against it, so a missing
// library is an error at run time, never a link failure), with its API table and the process's
// one OrtEnv (warnings and errors go to the log). Never unloaded.
class OnnxRuntimeLibrary {
 public:
  // Loads the library at `path`, or the first of OnnxRuntimeLibraryCandidates() that loads when
  // `path` is empty; the same path is loaded once per process. Throws std::runtime_error naming
  // every place tried and what to do when none loads, when it is not ONNX Runtime, when it is
  // older than the C API this build uses, or when the build has no ONNX Runtime backend.
  static std::shared_ptr<const OnnxRuntimeLibrary> Load(const std::string& path = "");

  const OrtApi* api() const { return api_; }
  OrtEnv* env() const { return env_; }
  const std::string& path() const { return path_; }
  const std::string& version() const { return version_; }  // e.g. "1.30.0"

  // Does nothing when `status` is null (success); else releases it and throws
  // std::runtime_error("<what>: <ONNX Runtime's message>").
  void Check(OrtStatus* status, const std::string& what) const;

  // Use Load().
  OnnxRuntimeLibrary(std::string path, std::string version, const OrtApi* api, OrtEnv* env)
      : path_(std::move(path)), version_(std::move(version)), api_(api), env_(env) {}

 private:
  std::string path_;
  std::string version_;
  const OrtApi* api_;
  OrtEnv* env_;
};

}  // namespace corvette::detect
