#pragma once

#include <memory>
#include <string>

#include "detect/detector.h"

namespace corvette::detect {

struct OnnxRuntimeOptions {
  // The session's intra-op threads, exactly: the calling thread is one of them, so n means n - 1
  // threads of ONNX Runtime's own. One inter-op thread (sequential execution). They never spin
  // waiting for work ("session.intra_op.allow_spinning" = "0"): an idle detector uses no CPU.
  int num_threads = 1;
  // The library to load; empty = the usual places (OnnxRuntimeLibraryCandidates()).
  std::string library_path;
};

// The `onnxruntime` runtime: NanoDet on ONNX Runtime's CPU execution provider, the library loaded
// at run time (OnnxRuntimeLibrary). About three times OpenCV's speed on the same model
// (docs/detection.md); outputs equal OpenCV's to float rounding.
//
// Not thread-safe: one instance per thread.
class OnnxRuntimeDetector : public Detector {
 public:
  // Loads the library and the model and runs one warm-up inference at input_size x input_size to
  // check that the file is a NanoDet model for that size. Throws std::runtime_error saying what to
  // do when the library cannot be loaded, and naming the path when the model file is missing, is
  // not an ONNX model ONNX Runtime can load, or is not NanoDet for input_size.
  OnnxRuntimeDetector(const std::string& model_path, int input_size,
                      const OnnxRuntimeOptions& options = {});
  ~OnnxRuntimeDetector() override;

  int num_threads() const { return num_threads_; }
  // The library file loaded and its version ("1.30.0").
  const std::string& library_path() const;
  const std::string& library_version() const;

 protected:
  NanoDetOutputs Infer() override;

 private:
  struct Session;
  int num_threads_;
  std::unique_ptr<Session> session_;
};

}  // namespace corvette::detect
