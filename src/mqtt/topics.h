#pragma once

#include <optional>
#include <string>
#include <string_view>

// Topic names of Frigate 0.8 (spec section 10). Every builder returns a topic relative to the
// topic prefix, the form MqttClient::Publish takes; WithPrefix/StripPrefix convert.
namespace corvette::mqtt {

// The three per-camera switches exposed as `<camera>/<feature>/set` and `/state`.
enum class Feature { kDetect, kClips, kSnapshots };

inline constexpr Feature kAllFeatures[] = {Feature::kDetect, Feature::kClips, Feature::kSnapshots};

// "detect", "clips" or "snapshots".
std::string_view FeatureName(Feature feature);
// The inverse of FeatureName; nullopt for any other text.
std::optional<Feature> ParseFeature(std::string_view name);

namespace topics {

inline constexpr std::string_view kAvailable = "available";
inline constexpr std::string_view kEvents = "events";
inline constexpr std::string_view kStats = "stats";

// "<camera_or_zone>/<label>": the object count topic of a camera or of a zone.
std::string ObjectCount(std::string_view camera_or_zone, std::string_view label);
// "<camera>/<label>/snapshot": the retained JPEG of the best object.
std::string Snapshot(std::string_view camera, std::string_view label);
// "<camera>/<feature>/state" (out, retained) and "<camera>/<feature>/set" (in).
std::string FeatureState(std::string_view camera, Feature feature);
std::string FeatureSet(std::string_view camera, Feature feature);

// "<prefix>/<topic>".
std::string WithPrefix(std::string_view prefix, std::string_view topic);
// The part of `full_topic` after "<prefix>/"; nullopt when the topic is not under the prefix
// (or is the prefix itself).
std::optional<std::string_view> StripPrefix(std::string_view prefix, std::string_view full_topic);

// True when `name` can be used as one topic level: not empty, and free of '/', '+', '#' and NUL
// (camera, zone and label names go into topics unescaped, spec section 13 item 5).
bool IsValidTopicLevel(std::string_view name);

}  // namespace topics
}  // namespace corvette::mqtt
