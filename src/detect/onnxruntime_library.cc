#include "detect/onnxruntime_library.h"

#include <dlfcn.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <stdexcept>

#ifdef CORVETTE_HAVE_ONNXRUNTIME
#include <onnxruntime_c_api.h>
#endif

namespace corvette::detect {
namespace {

constexpr const char* kLibraryName = "libonnxruntime.so.1";

#ifdef CORVETTE_HAVE_ONNXRUNTIME

// What to do when the library cannot be used, for every error message.
std::string WhatToDo() {
  return fmt::format(
      "The build copies {} beside the binary (tools/fetch_onnxruntime.sh fetches it from npm "
      "onnxruntime-node@1.30.0 when the build runs cmake with network access: run `make build`); "
      "or set {} to the library's path; or set the detector's `runtime: opencv`",
      kLibraryName, kOnnxRuntimeLibraryEnv);
}

// ONNX Runtime's warnings and errors go to corvette's log.
void LogFromOnnxRuntime(void*, OrtLoggingLevel severity, const char*, const char*, const char*,
                        const char* message) {
  switch (severity) {
    case ORT_LOGGING_LEVEL_VERBOSE:
    case ORT_LOGGING_LEVEL_INFO:
      spdlog::debug("onnxruntime: {}", message);
      break;
    case ORT_LOGGING_LEVEL_WARNING:
      spdlog::warn("onnxruntime: {}", message);
      break;
    default:
      spdlog::error("onnxruntime: {}", message);
      break;
  }
}

// Opens one library file and sets up its API and environment; throws std::runtime_error with the
// reason (without what to do).
std::shared_ptr<const OnnxRuntimeLibrary> Open(const std::string& path) {
  // RTLD_LOCAL: its symbols stay out of the global namespace (it carries its own protobuf, etc.).
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* error = dlerror();
    throw std::runtime_error(error != nullptr ? error : "dlopen failed");
  }
  using GetApiBase = const OrtApiBase* (*)();
  auto get_api_base = reinterpret_cast<GetApiBase>(dlsym(handle, "OrtGetApiBase"));
  if (get_api_base == nullptr) {
    dlclose(handle);
    throw std::runtime_error(fmt::format("{} is not ONNX Runtime (it has no OrtGetApiBase)", path));
  }
  const OrtApiBase* base = get_api_base();
  const std::string version = base->GetVersionString();
  const OrtApi* api = base->GetApi(ORT_API_VERSION);
  if (api == nullptr) {
    // Kept loaded: unloading ONNX Runtime is not supported.
    throw std::runtime_error(fmt::format(
        "{} is ONNX Runtime {}, which lacks the C API version {} this build uses (ONNX Runtime "
        "1.30 has it)",
        path, version, ORT_API_VERSION));
  }
  OrtEnv* env = nullptr;
  if (OrtStatus* status = api->CreateEnvWithCustomLogger(
          LogFromOnnxRuntime, nullptr, ORT_LOGGING_LEVEL_WARNING, "corvette", &env)) {
    std::string message = api->GetErrorMessage(status);
    api->ReleaseStatus(status);
    throw std::runtime_error(fmt::format("{}: cannot create its environment: {}", path, message));
  }
  // The environment is never released: the library stays loaded until the process exits.
  return std::make_shared<const OnnxRuntimeLibrary>(path, version, api, env);
}

#endif

}  // namespace

bool OnnxRuntimeBuiltIn() {
#ifdef CORVETTE_HAVE_ONNXRUNTIME
  return true;
#else
  return false;
#endif
}

std::vector<std::string> OnnxRuntimeLibraryCandidates() {
  const char* from_env = std::getenv(kOnnxRuntimeLibraryEnv);
  if (from_env != nullptr && *from_env != '\0')
    return {from_env};
  std::vector<std::string> candidates;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    candidates.push_back((exe.parent_path() / kLibraryName).string());
    // An installed corvette (the Debian package): /usr/lib/corvette beside /usr/bin.
    candidates.push_back(
        (exe.parent_path().parent_path() / "lib" / "corvette" / kLibraryName).string());
  }
#ifdef CORVETTE_ONNXRUNTIME_BUILD_LIBRARY
  if (candidates.empty() || candidates.front() != CORVETTE_ONNXRUNTIME_BUILD_LIBRARY)
    candidates.push_back(CORVETTE_ONNXRUNTIME_BUILD_LIBRARY);
#endif
  candidates.push_back(kLibraryName);
  return candidates;
}

std::shared_ptr<const OnnxRuntimeLibrary> OnnxRuntimeLibrary::Load(const std::string& path) {
#ifndef CORVETTE_HAVE_ONNXRUNTIME
  (void)path;
  throw std::runtime_error(
      "this build has no ONNX Runtime backend: tools/fetch_onnxruntime.sh could not fetch ONNX "
      "Runtime when cmake ran (its message is in the build's output). Run `make build` again with "
      "network access, or set the detector's `runtime: opencv`");
#else
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const OnnxRuntimeLibrary> > loaded;
  std::lock_guard lock(mutex);
  const std::vector<std::string> candidates =
      path.empty() ? OnnxRuntimeLibraryCandidates() : std::vector<std::string>{path};
  std::string tried;
  for (const std::string& candidate : candidates) {
    if (auto it = loaded.find(candidate); it != loaded.end())
      return it->second;
    try {
      auto library = Open(candidate);
      loaded.emplace(candidate, library);
      return library;
    } catch (const std::runtime_error& e) {
      tried += fmt::format("{}{}", tried.empty() ? "" : "; ", e.what());
    }
  }
  throw std::runtime_error(
      fmt::format("the ONNX Runtime library cannot be loaded ({}). {}", tried, WhatToDo()));
#endif
}

void OnnxRuntimeLibrary::Check(OrtStatus* status, const std::string& what) const {
#ifdef CORVETTE_HAVE_ONNXRUNTIME
  if (status == nullptr)
    return;
  std::string message = api_->GetErrorMessage(status);
  api_->ReleaseStatus(status);
  throw std::runtime_error(fmt::format("{}: {}", what, message));
#else
  (void)status;
  (void)what;
#endif
}

}  // namespace corvette::detect
