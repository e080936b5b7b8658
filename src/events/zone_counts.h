#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>

namespace corvette::events {

// Object counts per (zone, label) summed over the cameras that have a zone of that name (§6.2,
// §10: <prefix>/<zone>/<label>). One instance is shared by every camera's EventProcessor.
// Thread-safe.
class ZoneCounts {
 public:
  // Records `camera`'s count of `label` objects in `zone`. Returns the sum over cameras when it
  // must be published: it changed since the last publication, and a (zone, label, camera) that was
  // never seen only counts once it is non-zero (no initial 0).
  std::optional<int> Set(const std::string& zone, const std::string& label,
                         const std::string& camera, int count);
  // The current sum (0 when unknown).
  int Get(const std::string& zone, const std::string& label) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, std::string>, int> per_camera_;
  std::map<std::pair<std::string, std::string>, int> published_;  // (zone, label) -> last sum
};

}  // namespace corvette::events
