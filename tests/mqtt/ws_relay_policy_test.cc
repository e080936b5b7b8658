#include "mqtt/ws_relay_policy.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace corvette::mqtt {
namespace {

TEST(Utf8Test, AcceptsValidText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("online"));
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9"));           // é
  EXPECT_TRUE(IsValidUtf8("\xE2\x82\xAC"));          // €
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x93\xB7"));      // camera emoji
  EXPECT_TRUE(IsValidUtf8(std::string("a\0b", 3)));  // NUL is valid UTF-8
}

TEST(Utf8Test, RejectsInvalidSequences) {
  EXPECT_FALSE(IsValidUtf8("\xFF\xD8\xFF\xE0"));  // a JPEG's first bytes
  EXPECT_FALSE(IsValidUtf8("\x80"));              // stray continuation
  EXPECT_FALSE(IsValidUtf8("\xC3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xC3\x28"));          // bad continuation
}

TEST(RelayMessageJsonTest, WrapsTopicAndPayload) {
  const std::optional<std::string> text =
      RelayMessageJson(IncomingMessage{"front_door/detect/state", "ON", true});
  ASSERT_TRUE(text);
  const nlohmann::json json = nlohmann::json::parse(*text);
  EXPECT_EQ(json, (nlohmann::json{{"topic", "front_door/detect/state"}, {"payload", "ON"}}));
  // The topic comes first, as 0.8's json.dumps wrote it.
  EXPECT_EQ(text->find("\"topic\""), 1u);
}

TEST(RelayMessageJsonTest, JsonPayloadsStayStrings) {
  const std::string stats = R"({"detection_fps":13.7})";
  const std::optional<std::string> text = RelayMessageJson(IncomingMessage{"stats", stats, false});
  ASSERT_TRUE(text);
  EXPECT_EQ(nlohmann::json::parse(*text)["payload"], stats);
}

TEST(RelayMessageJsonTest, SkipsBinaryPayloads) {
  const std::string jpeg("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00", 11);
  EXPECT_FALSE(RelayMessageJson(IncomingMessage{"front_door/person/snapshot", jpeg, true}));
}

class DecideClientPublishTest : public ::testing::Test {
 protected:
  SetCommandParser cameras_{{"front_door", "back"}};
};

TEST_F(DecideClientPublishTest, AllowsSetTopicsOfKnownCameras) {
  ClientPublishDecision d =
      DecideClientPublish(R"({"topic":"front_door/detect/set","payload":"OFF"})", cameras_);
  ASSERT_TRUE(d.publish) << d.error;
  EXPECT_EQ(d.publish->topic, "front_door/detect/set");
  EXPECT_EQ(d.publish->payload, "OFF");
  EXPECT_FALSE(d.publish->retain);

  d = DecideClientPublish(R"({"topic":"back/snapshots/set","payload":"ON","retain":true})",
                          cameras_);
  ASSERT_TRUE(d.publish) << d.error;
  EXPECT_TRUE(d.publish->retain);
}

TEST_F(DecideClientPublishTest, RefusesEverythingElse) {
  for (const char* text : {
           R"({"topic":"available","payload":"offline","retain":true})",
           R"({"topic":"front_door/detect/state","payload":"OFF"})",
           R"({"topic":"front_door/person","payload":"5"})",
           R"({"topic":"garage/detect/set","payload":"OFF"})",
           R"({"topic":"front_door/motion/set","payload":"OFF"})",
           R"({"topic":"front_door/detect/set","payload":"off"})",
           R"({"topic":"front_door/detect/set","payload":1})",
           R"({"topic":"front_door/detect/set","payload":"ON","retain":"yes"})",
           R"({"topic":"front_door/detect/set"})",
           R"({"payload":"ON"})",
           R"(["front_door/detect/set","ON"])",
           R"(not json)",
           R"()",
       }) {
    const ClientPublishDecision d = DecideClientPublish(text, cameras_);
    EXPECT_FALSE(d.publish) << text;
    EXPECT_FALSE(d.error.empty()) << text;
  }
}

}  // namespace
}  // namespace corvette::mqtt
