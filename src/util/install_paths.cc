#include "util/install_paths.h"

#include <cstdlib>
#include <system_error>
#include <vector>

namespace corvette::util {

std::optional<std::filesystem::path> FindShippedFolder(
    const char* env_variable, std::string_view name, std::string_view marker,
    const std::optional<std::filesystem::path>& fallback) {
  std::vector<std::filesystem::path> candidates;
  if (const char* from_env = std::getenv(env_variable); from_env && *from_env)
    candidates.emplace_back(from_env);
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    candidates.push_back(exe.parent_path() / name);
    candidates.push_back(exe.parent_path().parent_path() / "share" / "corvette" / name);
  }
  if (fallback)
    candidates.push_back(*fallback);
  for (const auto& candidate : candidates) {
    if (std::filesystem::is_regular_file(candidate / marker, ec))
      return candidate;
  }
  return std::nullopt;
}

}  // namespace corvette::util
