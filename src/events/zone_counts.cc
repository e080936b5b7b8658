#include "events/zone_counts.h"

namespace corvette::events {

std::optional<int> ZoneCounts::Set(const std::string& zone, const std::string& label,
                                   const std::string& camera, int count) {
  std::lock_guard lock(mutex_);
  auto key = std::make_tuple(zone, label, camera);
  auto it = per_camera_.find(key);
  if (it == per_camera_.end()) {
    if (count == 0)
      return std::nullopt;
    it = per_camera_.emplace(std::move(key), count).first;
  } else if (it->second == count) {
    return std::nullopt;
  } else {
    it->second = count;
  }
  int sum = 0;
  for (auto c = per_camera_.lower_bound(std::make_tuple(zone, label, std::string()));
       c != per_camera_.end() && std::get<0>(c->first) == zone && std::get<1>(c->first) == label;
       ++c) {
    sum += c->second;
  }
  auto [pub, inserted] = published_.try_emplace({zone, label}, sum);
  if (!inserted && pub->second == sum)
    return std::nullopt;
  pub->second = sum;
  return sum;
}

int ZoneCounts::Get(const std::string& zone, const std::string& label) const {
  std::lock_guard lock(mutex_);
  auto it = published_.find({zone, label});
  return it == published_.end() ? 0 : it->second;
}

}  // namespace corvette::events
