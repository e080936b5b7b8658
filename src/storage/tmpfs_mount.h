#pragma once

// clips.tmpfs_cache_size: the segment cache on a tmpfs (RAM) of that size, as Frigate 0.8 mounted
// one on /tmp/cache, so that the 10-s clip segments never wear a flash disk.

#include <memory>
#include <string>

namespace corvette::storage {

// A tmpfs mounted on a folder for the life of the object; the destructor unmounts it (lazily, so
// that a file ffmpeg still holds does not keep it busy).
class TmpfsMount {
 public:
  struct Result {
    std::unique_ptr<TmpfsMount> mount;  // null when nothing was mounted by us
    // What happened, for the log: mounted; already a tmpfs (a mount that a crash of corvette, or
    // the administrator, left there is used as it is and never unmounted by us); or why it could
    // not be mounted (no CAP_SYS_ADMIN, ...) and that the cache stays on its disk.
    std::string message;
    bool on_tmpfs = false;  // the folder is on a tmpfs now (ours or an existing one)
  };

  // Mounts a tmpfs of `size` (as mount(8) takes it: 256m, 1g, 10%; the config loader checks it) on
  // `folder`, which must exist. Files already in the folder are hidden under the mount until it
  // goes.
  static Result Mount(const std::string& folder, const std::string& size);

  ~TmpfsMount();
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  const std::string& folder() const { return folder_; }

 private:
  explicit TmpfsMount(std::string folder) : folder_(std::move(folder)) {}
  std::string folder_;
};

}  // namespace corvette::storage
