#pragma once

// Test fixture shared by the suites that run real frames through the NanoDet model.

#include <gtest/gtest.h>

#include <memory>

#include "detect/detector_pool.h"

namespace corvette::testing {

// Base of a test suite whose tests share one DetectorPool (one detector "cpu" of two threads on the
// built model, build/model/): made before the suite's first test, ended after its last, so the
// model loads once a suite. A suite that has its own SetUpTestSuite/TearDownTestSuite calls these
// from them.
class DetectorPoolSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    detect::DetectorPoolOptions options;
    options.detectors = {{"cpu", 2}};
    pool_ = std::make_unique<detect::DetectorPool>(options);
  }
  static void TearDownTestSuite() { pool_.reset(); }

  // The suite's pool; valid from SetUpTestSuite to TearDownTestSuite.
  static detect::DetectorPool& pool() { return *pool_; }

 private:
  static inline std::unique_ptr<detect::DetectorPool> pool_;
};

}  // namespace corvette::testing
