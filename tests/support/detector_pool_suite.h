#pragma once

// Test fixture shared by the suites that run real frames through the NanoDet model.

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>

#include "detect/detector_pool.h"

// For the checks that run the model over hundreds of inputs (detection quality, not threads): under
// ThreadSanitizer each inference takes about half a second (the detector runtimes' threads are not
// instrumented, and their reports are matched against the suppressions one by one), so such a test
// takes 10 minutes or more there. `make test` and `make asan` run them.
#if defined(__SANITIZE_THREAD__)
#define SKIP_UNDER_THREAD_SANITIZER()                                                     \
  GTEST_SKIP() << "a detection-quality check, too slow under ThreadSanitizer; make test " \
                  "and make asan run it"
#else
#define SKIP_UNDER_THREAD_SANITIZER()
#endif

namespace corvette::testing {

// Base of a test suite whose tests share one DetectorPool (one detector "cpu" of two threads on the
// built model, build/model/): made before the suite's first test, ended after its last, so the
// model loads once a suite. A suite that has its own SetUpTestSuite/TearDownTestSuite calls these
// from them.
//
// For measurements (bench/vtest_tracks.sh), not for `make test`: CORVETTE_TEST_MODEL_SIZE (320 or
// 416) and CORVETTE_TEST_PRECISION (fp32 or int8) choose the model the pool runs.
class DetectorPoolSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    detect::DetectorPoolOptions options;
    options.detectors = {{"cpu", 2}};
    if (const char* size = std::getenv("CORVETTE_TEST_MODEL_SIZE"))
      options.model_size = std::atoi(size);
    if (const char* precision = std::getenv("CORVETTE_TEST_PRECISION")) {
      options.detectors[0].precision =
          detect::ParsePrecision(precision).value_or(detect::Precision::kFloat32);
    }
    pool_ = std::make_unique<detect::DetectorPool>(options);
  }
  static void TearDownTestSuite() { pool_.reset(); }

  // The suite's pool; valid from SetUpTestSuite to TearDownTestSuite.
  static detect::DetectorPool& pool() { return *pool_; }

 private:
  static inline std::unique_ptr<detect::DetectorPool> pool_;
};

}  // namespace corvette::testing
