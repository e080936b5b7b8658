#include "mqtt/commands.h"

#include <gtest/gtest.h>

namespace corvette::mqtt {
namespace {

SetCommandParser Parser() {
  return SetCommandParser({"front_door", "back"});
}

TEST(SetCommandParserTest, OnAndOffForAKnownCameraAreApplied) {
  const SetCommandParser parser = Parser();
  SetParseResult result = parser.Parse("front_door/detect/set", "OFF");
  EXPECT_EQ(result.status, SetStatus::kApply);
  ASSERT_TRUE(result.command);
  EXPECT_EQ(*result.command, (SetCommand{"front_door", Feature::kDetect, false}));

  result = parser.Parse("back/clips/set", "ON");
  ASSERT_TRUE(result.command);
  EXPECT_EQ(*result.command, (SetCommand{"back", Feature::kClips, true}));

  result = parser.Parse("back/snapshots/set", "ON");
  ASSERT_TRUE(result.command);
  EXPECT_EQ(*result.command, (SetCommand{"back", Feature::kSnapshots, true}));
}

TEST(SetCommandParserTest, InvalidPayloadsChangeNothing) {
  const SetCommandParser parser = Parser();
  for (const char* payload : {"on", "Off", "", "ON ", "1", "true", "{\"state\":\"ON\"}"}) {
    const SetParseResult result = parser.Parse("front_door/detect/set", payload);
    EXPECT_EQ(result.status, SetStatus::kInvalidPayload) << payload;
    EXPECT_FALSE(result.command) << payload;
  }
}

TEST(SetCommandParserTest, UnknownCamerasAndSwitchesAreIgnored) {
  const SetCommandParser parser = Parser();
  EXPECT_EQ(parser.Parse("garage/detect/set", "ON").status, SetStatus::kUnknownCamera);
  EXPECT_EQ(parser.Parse("front_door/motion/set", "ON").status, SetStatus::kUnknownFeature);
  EXPECT_EQ(parser.Parse("front_door//set", "ON").status, SetStatus::kUnknownFeature);
  EXPECT_FALSE(parser.Parse("garage/detect/set", "ON").command);
}

TEST(SetCommandParserTest, OtherTopicsAreNotSetCommands) {
  const SetCommandParser parser = Parser();
  for (const char* topic :
       {"available", "stats", "events", "front_door/person", "front_door/person/snapshot",
        "front_door/detect/state", "front_door/detect/set/extra", "front_door/set", "set"}) {
    const SetParseResult result = parser.Parse(topic, "ON");
    EXPECT_EQ(result.status, SetStatus::kNotASetTopic) << topic;
    EXPECT_FALSE(result.command) << topic;
  }
}

TEST(StateMessagesTest, StatesAreRetainedOnOff) {
  const OutgoingMessage on = StateMessage("back", Feature::kClips, true);
  EXPECT_EQ(on.topic, "back/clips/state");
  EXPECT_EQ(on.payload, "ON");
  EXPECT_TRUE(on.retain);
  EXPECT_EQ(StateMessage("back", Feature::kDetect, false).payload, "OFF");
}

TEST(StateMessagesTest, ListsEverySwitchOfEveryCamera) {
  std::map<std::string, FeatureStates, std::less<>> states;
  states["front_door"] = FeatureStates{.detect = true, .clips = false, .snapshots = true};
  states["back"] = FeatureStates{.detect = false, .clips = true, .snapshots = false};
  const std::vector<OutgoingMessage> messages = StateMessages(states);
  ASSERT_EQ(messages.size(), 6u);
  std::map<std::string, std::string> by_topic;
  for (const OutgoingMessage& m : messages) {
    EXPECT_TRUE(m.retain);
    by_topic[m.topic] = m.payload;
  }
  EXPECT_EQ(by_topic, (std::map<std::string, std::string>{{"back/clips/state", "ON"},
                                                          {"back/detect/state", "OFF"},
                                                          {"back/snapshots/state", "OFF"},
                                                          {"front_door/clips/state", "OFF"},
                                                          {"front_door/detect/state", "ON"},
                                                          {"front_door/snapshots/state", "ON"}}));
}

TEST(StateMessagesTest, ApplyingACommandChangesTheStatePublished) {
  FeatureStates states;
  const SetParseResult result = Parser().Parse("back/snapshots/set", "ON");
  ASSERT_TRUE(result.command);
  states.Set(result.command->feature, result.command->enabled);
  EXPECT_TRUE(states.snapshots);
  EXPECT_EQ(StateMessages("back", states)[2].payload, "ON");
  EXPECT_EQ(StateMessages("back", states)[2].topic, "back/snapshots/state");
}

}  // namespace
}  // namespace corvette::mqtt
