#include "events/atomic_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <system_error>

namespace corvette::events {
namespace {

constexpr std::string_view kTempMarker = ".tmp-";

[[noreturn]] void Fail(const std::string& what, const std::string& path, int error) {
  throw std::system_error(error, std::generic_category(), what + " " + path);
}

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
  // Closes and reports the error of close().
  int Close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

}  // namespace

void WriteFileAtomically(const std::string& path, std::string_view bytes) {
  static std::atomic<unsigned> counter{0};
  const std::filesystem::path target(path);
  std::filesystem::path folder = target.parent_path();
  if (folder.empty())
    folder = ".";
  const std::string temp = (folder / fmt::format("{}{}{}-{}", target.filename().string(),
                                                 kTempMarker, ::getpid(), counter.fetch_add(1)))
                               .string();
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (fd.get() < 0)
    Fail("cannot create", temp, errno);
  auto fail_and_remove = [&](const std::string& what, int error) {
    ::unlink(temp.c_str());
    Fail(what, temp, error);
  };
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd.get(), bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      fail_and_remove("cannot write", errno);
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0)
    fail_and_remove("cannot fsync", errno);
  if (fd.Close() != 0)
    fail_and_remove("cannot close", errno);
  if (::rename(temp.c_str(), path.c_str()) != 0)
    fail_and_remove("cannot rename to " + path + ":", errno);
  Fd dir(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0)
    Fail("cannot open folder", folder.string(), errno);
  if (::fsync(dir.get()) != 0)
    Fail("cannot fsync folder", folder.string(), errno);
}

bool IsAtomicTemporaryName(std::string_view file_name) {
  return file_name.find(kTempMarker) != std::string_view::npos;
}

}  // namespace corvette::events
