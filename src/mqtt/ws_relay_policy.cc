#include "mqtt/ws_relay_policy.h"

#include <fmt/format.h>

#include <cstdint>
#include <nlohmann/json.hpp>

namespace corvette::mqtt {

bool IsValidUtf8(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const unsigned char* const end = p + bytes.size();
  while (p < end) {
    const unsigned char lead = *p;
    if (lead < 0x80) {
      ++p;
      continue;
    }
    int continuation;
    std::uint32_t code_point;
    std::uint32_t minimum;
    if ((lead & 0xE0) == 0xC0) {
      continuation = 1;
      code_point = lead & 0x1F;
      minimum = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      continuation = 2;
      code_point = lead & 0x0F;
      minimum = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      continuation = 3;
      code_point = lead & 0x07;
      minimum = 0x10000;
    } else {
      return false;  // a stray continuation byte or 0xF8..0xFF
    }
    if (end - p <= continuation) {
      return false;
    }
    for (int i = 1; i <= continuation; ++i) {
      if ((p[i] & 0xC0) != 0x80) {
        return false;
      }
      code_point = (code_point << 6) | (p[i] & 0x3F);
    }
    if (code_point < minimum || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return false;
    }
    p += continuation + 1;
  }
  return true;
}

std::optional<std::string> RelayMessageJson(const IncomingMessage& message) {
  if (!IsValidUtf8(message.payload) || !IsValidUtf8(message.topic)) {
    return std::nullopt;
  }
  nlohmann::ordered_json json;
  json["topic"] = message.topic;
  json["payload"] = message.payload;
  return json.dump();
}

ClientPublishDecision DecideClientPublish(std::string_view text, const SetCommandParser& cameras) {
  constexpr std::size_t kMaxQuoted = 64;
  const auto refuse = [](std::string error) {
    return ClientPublishDecision{std::nullopt, std::move(error)};
  };
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return refuse(fmt::format("not a JSON object: '{}'", text.substr(0, kMaxQuoted)));
  }
  const auto topic_it = json.find("topic");
  if (topic_it == json.end() || !topic_it->is_string()) {
    return refuse("missing or non-string \"topic\"");
  }
  const std::string& topic = topic_it->get_ref<const std::string&>();
  const std::string quoted_topic = topic.substr(0, kMaxQuoted);

  const auto payload_it = json.find("payload");
  if (payload_it == json.end() || !payload_it->is_string()) {
    return refuse(fmt::format("missing or non-string \"payload\" for topic '{}'", quoted_topic));
  }
  const std::string& payload = payload_it->get_ref<const std::string&>();

  bool retain = false;
  if (const auto retain_it = json.find("retain"); retain_it != json.end()) {
    if (!retain_it->is_boolean()) {
      return refuse(fmt::format("non-boolean \"retain\" for topic '{}'", quoted_topic));
    }
    retain = retain_it->get<bool>();
  }

  std::string_view camera;
  Feature feature = Feature::kDetect;
  if (cameras.MatchTopic(topic, &camera, &feature) != SetStatus::kApply) {
    return refuse(fmt::format(
        "publishing to '{}' is not allowed: only <camera>/{{detect,clips,snapshots}}/set of "
        "configured cameras",
        quoted_topic));
  }
  if (payload != "ON" && payload != "OFF") {
    return refuse(fmt::format("payload for '{}' must be ON or OFF", quoted_topic));
  }
  return ClientPublishDecision{OutgoingMessage{topic, payload, retain, /*qos=*/0}, ""};
}

}  // namespace corvette::mqtt
