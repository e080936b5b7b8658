#pragma once

// Disk usage of a storage path, as /api/stats reports it (spec §11).

#include <string>

namespace corvette::stats {

struct StorageUsage {
  // Megabytes (bytes / 1e6) rounded to one decimal, as Python's shutil.disk_usage figures in 0.8:
  // total = f_blocks * f_frsize, used = (f_blocks - f_bfree) * f_frsize,
  // free = f_bavail * f_frsize (what an unprivileged writer may still use).
  double total_mb = 0.0;
  double used_mb = 0.0;
  double free_mb = 0.0;
  // File-system type of the mount that holds the path ("ext4", "tmpfs", ...); "" when unknown.
  std::string mount_type;
};

// Measures `path` (absolute or relative to the working directory). A path that does not exist
// yet is measured at its nearest existing parent directory, which is where it would be created;
// if even that fails, every figure is 0 and mount_type is "". Never throws.
// `mounts_file` is the mount table to read (/proc/self/mounts; tests pass their own).
StorageUsage MeasureStorage(const std::string& path,
                            const std::string& mounts_file = "/proc/self/mounts");

// The file-system type of the longest mount point in `mounts_file` that contains the absolute,
// normalised `path` (whole path components: "/tmp" contains "/tmp/cache" but not "/tmpx"). ""
// when the table cannot be read or nothing matches.
std::string MountTypeOf(const std::string& path, const std::string& mounts_file);

}  // namespace corvette::stats
