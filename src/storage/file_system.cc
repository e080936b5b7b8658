#include "storage/file_system.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <system_error>

#include "storage/media_layout.h"

namespace corvette::storage {
namespace {

[[noreturn]] void Fail(const std::string& what, int error) {
  throw std::system_error(error, std::generic_category(), what);
}

// Closes on scope exit unless Close() was called.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes and returns close()'s result.
  int Close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

void SyncOpened(const std::string& path, int flags, const std::string& kind) {
  Fd fd(::open(path.c_str(), flags | O_CLOEXEC));
  if (fd.get() < 0)
    Fail("cannot open " + kind + path + " to fsync it", errno);
  if (::fsync(fd.get()) != 0)
    Fail("cannot fsync " + kind + path, errno);
}

}  // namespace

void FileSystem::CommitTemporary(const std::string& temporary, const std::string& final_path) {
  try {
    SyncFile(temporary);
    Rename(temporary, final_path);
  } catch (...) {
    RemoveFile(temporary);
    throw;
  }
  std::string folder = std::filesystem::path(final_path).parent_path().string();
  if (folder.empty())
    folder = ".";
  try {
    SyncFolder(folder);
  } catch (...) {
    RemoveFile(final_path);
    throw;
  }
}

void FileSystem::WriteFileAtomically(const std::string& path, std::string_view bytes) {
  static std::atomic<unsigned> serial{0};
  const std::string temporary = WriteTemporaryPath(path, serial.fetch_add(1));
  try {
    WriteNewFile(temporary, bytes);
  } catch (...) {
    RemoveFile(temporary);
    throw;
  }
  CommitTemporary(temporary, path);
}

void RealFileSystem::WriteNewFile(const std::string& path, std::string_view bytes) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (fd.get() < 0)
    Fail("cannot create " + path, errno);
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd.get(), bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      Fail("cannot write " + path, errno);
    }
    written += static_cast<size_t>(n);
  }
  if (fd.Close() != 0)
    Fail("cannot close " + path, errno);
}

void RealFileSystem::SyncFile(const std::string& path) {
  SyncOpened(path, O_RDONLY, "");
}

void RealFileSystem::Rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0)
    Fail("cannot rename " + from + " to " + to, errno);
}

void RealFileSystem::SyncFolder(const std::string& folder) {
  SyncOpened(folder, O_RDONLY | O_DIRECTORY, "the folder ");
}

bool RealFileSystem::RemoveFile(const std::string& path) noexcept {
  return ::unlink(path.c_str()) == 0;
}

RealFileSystem& RealFileSystem::Instance() {
  static RealFileSystem instance;
  return instance;
}

}  // namespace corvette::storage
