#include "stats/storage_stats.h"

#include <sys/statvfs.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace corvette::stats {
namespace {

namespace fs = std::filesystem;

double RoundMegabytes(double bytes) {
  return std::round(bytes / 1e6 * 10.0) / 10.0;
}

// /proc/self/mounts escapes space, tab, newline and backslash in paths as \ooo (octal).
std::string UnescapeMountField(const std::string& field) {
  std::string out;
  out.reserve(field.size());
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() && field[i + 1] >= '0' && field[i + 1] <= '3' &&
        field[i + 2] >= '0' && field[i + 2] <= '7' && field[i + 3] >= '0' && field[i + 3] <= '7') {
      out.push_back(static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 +
                                      (field[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(field[i]);
    }
  }
  return out;
}

bool MountPointContains(const std::string& mount_point, const std::string& path) {
  if (mount_point == "/") {
    return !path.empty() && path[0] == '/';
  }
  if (!path.starts_with(mount_point)) {
    return false;
  }
  return path.size() == mount_point.size() || path[mount_point.size()] == '/';
}

// The absolute, lexically normalised path, with symlinks resolved as far as the path exists.
std::string ResolvedPath(const std::string& path) {
  std::error_code ec;
  fs::path resolved = fs::weakly_canonical(fs::absolute(path, ec), ec);
  if (ec) {
    resolved = fs::absolute(path, ec).lexically_normal();
  }
  std::string text = resolved.string();
  while (text.size() > 1 && text.back() == '/') {
    text.pop_back();
  }
  return text;
}

}  // namespace

std::string MountTypeOf(const std::string& path, const std::string& mounts_file) {
  std::ifstream mounts(mounts_file);
  std::string line;
  std::string best_mount_point;
  std::string best_type;
  bool found = false;
  while (std::getline(mounts, line)) {
    std::istringstream fields(line);
    std::string device, mount_point, type;
    if (!(fields >> device >> mount_point >> type)) {
      continue;
    }
    mount_point = UnescapeMountField(mount_point);
    // Later lines win on equal mount points: they are mounted over the earlier ones.
    if (MountPointContains(mount_point, path) &&
        (!found || mount_point.size() >= best_mount_point.size())) {
      best_mount_point = mount_point;
      best_type = type;
      found = true;
    }
  }
  return best_type;
}

StorageUsage MeasureStorage(const std::string& path, const std::string& mounts_file) {
  StorageUsage usage;
  fs::path existing = ResolvedPath(path);
  std::error_code ec;
  while (!fs::exists(existing, ec) && existing.has_parent_path() &&
         existing.parent_path() != existing) {
    existing = existing.parent_path();
  }
  struct statvfs info {};
  if (::statvfs(existing.c_str(), &info) != 0) {
    return usage;
  }
  const double block = static_cast<double>(info.f_frsize);
  usage.total_mb = RoundMegabytes(static_cast<double>(info.f_blocks) * block);
  usage.used_mb = RoundMegabytes(static_cast<double>(info.f_blocks - info.f_bfree) * block);
  usage.free_mb = RoundMegabytes(static_cast<double>(info.f_bavail) * block);
  usage.mount_type = MountTypeOf(existing.string(), mounts_file);
  return usage;
}

}  // namespace corvette::stats
