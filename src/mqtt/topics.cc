#include "mqtt/topics.h"

#include <fmt/format.h>

namespace corvette::mqtt {

std::string_view FeatureName(Feature feature) {
  switch (feature) {
    case Feature::kDetect:
      return "detect";
    case Feature::kClips:
      return "clips";
    case Feature::kSnapshots:
      return "snapshots";
  }
  return "";
}

std::optional<Feature> ParseFeature(std::string_view name) {
  for (Feature feature : kAllFeatures) {
    if (FeatureName(feature) == name) {
      return feature;
    }
  }
  return std::nullopt;
}

namespace topics {

std::string ObjectCount(std::string_view camera_or_zone, std::string_view label) {
  return fmt::format("{}/{}", camera_or_zone, label);
}

std::string Snapshot(std::string_view camera, std::string_view label) {
  return fmt::format("{}/{}/snapshot", camera, label);
}

std::string FeatureState(std::string_view camera, Feature feature) {
  return fmt::format("{}/{}/state", camera, FeatureName(feature));
}

std::string FeatureSet(std::string_view camera, Feature feature) {
  return fmt::format("{}/{}/set", camera, FeatureName(feature));
}

std::string WithPrefix(std::string_view prefix, std::string_view topic) {
  return fmt::format("{}/{}", prefix, topic);
}

std::optional<std::string_view> StripPrefix(std::string_view prefix, std::string_view full_topic) {
  if (full_topic.size() <= prefix.size() + 1 || !full_topic.starts_with(prefix) ||
      full_topic[prefix.size()] != '/') {
    return std::nullopt;
  }
  return full_topic.substr(prefix.size() + 1);
}

bool IsValidTopicLevel(std::string_view name) {
  return !name.empty() &&
         name.find_first_of(std::string_view("/+#\0", 4)) == std::string_view::npos;
}

}  // namespace topics
}  // namespace corvette::mqtt
