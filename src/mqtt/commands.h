#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "mqtt/message.h"
#include "mqtt/topics.h"

// The `<camera>/{detect,clips,snapshots}/set` commands and `/state` reports of spec section 10, as
// pure functions: the app owns the switches, applies what Parse returns and publishes the states.
namespace corvette::mqtt {

// The three switches of one camera.
struct FeatureStates {
  bool detect = true;
  bool clips = false;
  bool snapshots = false;

  bool Get(Feature feature) const;
  void Set(Feature feature, bool enabled);
  friend bool operator==(const FeatureStates&, const FeatureStates&) = default;
};

// A validated request to turn one switch of one camera on or off.
struct SetCommand {
  std::string camera;
  Feature feature = Feature::kDetect;
  bool enabled = false;
  friend bool operator==(const SetCommand&, const SetCommand&) = default;
};

enum class SetStatus {
  kApply,           // a valid command: apply it, then publish its /state (retained)
  kNotASetTopic,    // any other topic under the prefix (counts, events, states...): not for us
  kUnknownCamera,   // `<x>/<feature>/set` for a camera not in the config: ignored (debug log)
  kUnknownFeature,  // `<camera>/<x>/set` with x not detect/clips/snapshots: ignored (debug log)
  kInvalidPayload,  // payload not exactly "ON" or "OFF": warning logged, state unchanged, and
                    // nothing is echoed to /state (0.8 echoed it, spec section 13 item 18)
};

struct SetParseResult {
  SetStatus status = SetStatus::kNotASetTopic;
  std::optional<SetCommand> command;  // set only for kApply
};

// Recognises /set messages for a fixed list of cameras. Immutable after construction, so it can be
// shared by threads.
class SetCommandParser {
 public:
  explicit SetCommandParser(std::vector<std::string> cameras);

  // `topic` is relative to the prefix ("front/detect/set"), as MqttClient delivers it. Logs the
  // rejections described in SetStatus.
  SetParseResult Parse(std::string_view topic, std::string_view payload) const;

  // The topic half of Parse, without logging: kApply when `topic` is the /set topic of a known
  // camera and switch (then *camera and *feature are filled; *camera points into `topic`).
  SetStatus MatchTopic(std::string_view topic, std::string_view* camera, Feature* feature) const;

  bool IsKnownCamera(std::string_view camera) const;

 private:
  std::set<std::string, std::less<>> cameras_;
};

// The retained `<camera>/<feature>/state` message ("ON"/"OFF") for one switch.
OutgoingMessage StateMessage(std::string_view camera, Feature feature, bool enabled);
// The three state messages of one camera, in the order detect, clips, snapshots.
std::vector<OutgoingMessage> StateMessages(std::string_view camera, const FeatureStates& states);
// Every camera's state messages: what to publish at startup and again after each reconnect.
std::vector<OutgoingMessage> StateMessages(
    const std::map<std::string, FeatureStates, std::less<>>& states);

}  // namespace corvette::mqtt
