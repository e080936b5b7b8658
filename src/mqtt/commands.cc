#include "mqtt/commands.h"

#include <spdlog/spdlog.h>

namespace corvette::mqtt {

bool FeatureStates::Get(Feature feature) const {
  switch (feature) {
    case Feature::kDetect:
      return detect;
    case Feature::kClips:
      return clips;
    case Feature::kSnapshots:
      return snapshots;
  }
  return false;
}

void FeatureStates::Set(Feature feature, bool enabled) {
  switch (feature) {
    case Feature::kDetect:
      detect = enabled;
      break;
    case Feature::kClips:
      clips = enabled;
      break;
    case Feature::kSnapshots:
      snapshots = enabled;
      break;
  }
}

SetCommandParser::SetCommandParser(std::vector<std::string> cameras)
    : cameras_(std::make_move_iterator(cameras.begin()), std::make_move_iterator(cameras.end())) {}

bool SetCommandParser::IsKnownCamera(std::string_view camera) const {
  return cameras_.find(camera) != cameras_.end();
}

SetStatus SetCommandParser::MatchTopic(std::string_view topic, std::string_view* camera,
                                       Feature* feature) const {
  // Exactly three levels: <camera>/<feature>/set.
  const std::size_t first = topic.find('/');
  if (first == std::string_view::npos) {
    return SetStatus::kNotASetTopic;
  }
  const std::size_t second = topic.find('/', first + 1);
  if (second == std::string_view::npos || topic.substr(second + 1) != "set") {
    return SetStatus::kNotASetTopic;
  }
  const std::string_view camera_name = topic.substr(0, first);
  if (!IsKnownCamera(camera_name)) {
    return SetStatus::kUnknownCamera;
  }
  const std::optional<Feature> parsed = ParseFeature(topic.substr(first + 1, second - first - 1));
  if (!parsed) {
    return SetStatus::kUnknownFeature;
  }
  *camera = camera_name;
  *feature = *parsed;
  return SetStatus::kApply;
}

SetParseResult SetCommandParser::Parse(std::string_view topic, std::string_view payload) const {
  std::string_view camera;
  Feature feature = Feature::kDetect;
  switch (MatchTopic(topic, &camera, &feature)) {
    case SetStatus::kApply:
      break;
    case SetStatus::kUnknownCamera:
      spdlog::debug("MQTT: ignoring {}: unknown camera", topic);
      return {SetStatus::kUnknownCamera, std::nullopt};
    case SetStatus::kUnknownFeature:
      spdlog::debug("MQTT: ignoring {}: unknown switch (detect, clips or snapshots)", topic);
      return {SetStatus::kUnknownFeature, std::nullopt};
    case SetStatus::kNotASetTopic:
    case SetStatus::kInvalidPayload:
      return {};
  }
  bool enabled;
  if (payload == "ON") {
    enabled = true;
  } else if (payload == "OFF") {
    enabled = false;
  } else {
    // Bound what goes into the log: the payload comes from anyone who can reach the broker.
    constexpr std::size_t kMaxLogged = 64;
    spdlog::warn("MQTT: invalid payload on {}: '{}'{} (expected ON or OFF); state unchanged", topic,
                 payload.substr(0, kMaxLogged), payload.size() > kMaxLogged ? "..." : "");
    return {SetStatus::kInvalidPayload, std::nullopt};
  }
  return {SetStatus::kApply, SetCommand{std::string(camera), feature, enabled}};
}

OutgoingMessage StateMessage(std::string_view camera, Feature feature, bool enabled) {
  return OutgoingMessage{topics::FeatureState(camera, feature), enabled ? "ON" : "OFF",
                         /*retain=*/true, /*qos=*/0};
}

std::vector<OutgoingMessage> StateMessages(std::string_view camera, const FeatureStates& states) {
  std::vector<OutgoingMessage> messages;
  messages.reserve(std::size(kAllFeatures));
  for (Feature feature : kAllFeatures) {
    messages.push_back(StateMessage(camera, feature, states.Get(feature)));
  }
  return messages;
}

std::vector<OutgoingMessage> StateMessages(
    const std::map<std::string, FeatureStates, std::less<>>& states) {
  std::vector<OutgoingMessage> messages;
  messages.reserve(states.size() * std::size(kAllFeatures));
  for (const auto& [camera, camera_states] : states) {
    for (OutgoingMessage& message : StateMessages(camera, camera_states)) {
      messages.push_back(std::move(message));
    }
  }
  return messages;
}

}  // namespace corvette::mqtt
