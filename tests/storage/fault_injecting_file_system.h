#pragma once

// A FileSystem for tests that fails chosen steps of the durable writes, the way a full disk
// (ENOSPC) or a failing one (EIO) does.

#include <cerrno>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "storage/file_system.h"

namespace corvette::storage::testing {

// Forwards every primitive to `base` (the real file system by default) except the calls chosen
// with FailNth, which throw std::system_error with the chosen errno instead. A failed write leaves
// the first half of its bytes in the file (a disk that fills up mid-write); a failed fsync or
// rename changes nothing. The durable writes are FileSystem's own, so they fail at the chosen step
// with their real clean-up. Thread-safe.
class FaultInjectingFileSystem : public FileSystem {
 public:
  enum class Op { kWrite, kSyncFile, kRename, kSyncFolder };

  explicit FaultInjectingFileSystem(FileSystem& base = RealFileSystem::Instance()) : base_(base) {}

  // The `nth` call of `op` (1 = the first, counted from construction) fails with `error`.
  void FailNth(Op op, int nth, int error) {
    std::lock_guard lock(mutex_);
    faults_.push_back({op, nth, error});
  }
  // Calls of `op` so far, failed ones included.
  int Calls(Op op) const {
    std::lock_guard lock(mutex_);
    auto it = calls_.find(op);
    return it == calls_.end() ? 0 : it->second;
  }
  // Calls failed so far.
  int Failures() const {
    std::lock_guard lock(mutex_);
    return failures_;
  }

  void WriteNewFile(const std::string& path, std::string_view bytes) override {
    if (int error = Count(Op::kWrite)) {
      base_.WriteNewFile(path, bytes.substr(0, bytes.size() / 2));
      Fail(error, "cannot write " + path);
    }
    base_.WriteNewFile(path, bytes);
  }
  void SyncFile(const std::string& path) override {
    if (int error = Count(Op::kSyncFile))
      Fail(error, "cannot fsync " + path);
    base_.SyncFile(path);
  }
  void Rename(const std::string& from, const std::string& to) override {
    if (int error = Count(Op::kRename))
      Fail(error, "cannot rename " + from + " to " + to);
    base_.Rename(from, to);
  }
  void SyncFolder(const std::string& folder) override {
    if (int error = Count(Op::kSyncFolder))
      Fail(error, "cannot fsync the folder " + folder);
    base_.SyncFolder(folder);
  }
  bool RemoveFile(const std::string& path) noexcept override { return base_.RemoveFile(path); }

 private:
  struct Fault {
    Op op;
    int nth;
    int error;
  };

  // Counts a call of `op`; the errno it must fail with, or 0.
  int Count(Op op) {
    std::lock_guard lock(mutex_);
    const int call = ++calls_[op];
    for (const Fault& fault : faults_) {
      if (fault.op == op && fault.nth == call) {
        ++failures_;
        return fault.error;
      }
    }
    return 0;
  }
  [[noreturn]] static void Fail(int error, const std::string& what) {
    throw std::system_error(error, std::generic_category(), what + " (injected)");
  }

  FileSystem& base_;
  mutable std::mutex mutex_;
  std::vector<Fault> faults_;
  std::map<Op, int> calls_;
  int failures_ = 0;
};

}  // namespace corvette::storage::testing
