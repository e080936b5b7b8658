#pragma once

#include "../support/temp_dir.h"

namespace corvette::storage::testing {

// A scratch directory named after the storage tests.
class TestDir : public corvette::testing::TempDir {
 public:
  TestDir() : TempDir("storage-test") {}
};

}  // namespace corvette::storage::testing
