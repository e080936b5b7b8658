#include "storage/tmpfs_mount.h"

#include <fmt/format.h>
#include <linux/magic.h>
#include <spdlog/spdlog.h>
#include <sys/mount.h>
#include <sys/statfs.h>

#include <cerrno>
#include <cstring>

namespace corvette::storage {

TmpfsMount::Result TmpfsMount::Mount(const std::string& folder, const std::string& size) {
  Result result;
  struct statfs fs {};
  if (::statfs(folder.c_str(), &fs) == 0 && fs.f_type == TMPFS_MAGIC) {
    result.on_tmpfs = true;
    result.message = fmt::format(
        "{} is already on a tmpfs of {} MB: used as it is (clips.tmpfs_cache_size {} not applied)",
        folder, static_cast<unsigned long long>(fs.f_blocks) * fs.f_bsize / 1'000'000, size);
    return result;
  }
  const std::string options = fmt::format("size={},mode=0755", size);
  if (::mount("tmpfs", folder.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
              options.c_str()) != 0) {
    const int error = errno;
    result.message = fmt::format(
        "cannot mount a tmpfs of {} on {}: {}{}; the cache stays on its disk (mount one there "
        "yourself, e.g. an fstab line `tmpfs {} tmpfs size={} 0 0`)",
        size, folder, std::strerror(error),
        error == EPERM ? " (mounting needs root or CAP_SYS_ADMIN)" : "", folder, size);
    return result;
  }
  result.mount.reset(new TmpfsMount(folder));
  result.on_tmpfs = true;
  result.message = fmt::format("mounted a tmpfs of {} on {} for the segment cache", size, folder);
  return result;
}

TmpfsMount::~TmpfsMount() {
  if (::umount2(folder_.c_str(), MNT_DETACH) != 0) {
    spdlog::warn("cannot unmount the tmpfs on {}: {}", folder_, std::strerror(errno));
  }
}

}  // namespace corvette::storage
