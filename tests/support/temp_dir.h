#pragma once

// Test helper shared by the modules' tests: a scratch directory that cleans up after itself.

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

namespace corvette::testing {

// A fresh, empty directory under the system temp dir ("corvette-<label>-<pid>-<n>"), removed with
// everything in it at scope end.
class TempDir {
 public:
  explicit TempDir(const std::string& label = "test") {
    static std::atomic<int> counter{0};
    path_ =
        std::filesystem::temp_directory_path() /
        ("corvette-" + label + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string path() const { return path_.string(); }
  // `name` inside the directory (not created).
  std::string File(const std::string& name) const { return (path_ / name).string(); }
  // The names of the directory's entries, in no particular order.
  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(path_))
      names.push_back(entry.path().filename().string());
    return names;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace corvette::testing
