#include "mqtt/topics.h"

#include <gtest/gtest.h>

namespace corvette::mqtt {
namespace {

TEST(TopicsTest, BuildsTheTopicsOfFrigate08) {
  EXPECT_EQ(topics::ObjectCount("front_door", "person"), "front_door/person");
  EXPECT_EQ(topics::ObjectCount("driveway_zone", "car"), "driveway_zone/car");
  EXPECT_EQ(topics::Snapshot("front_door", "person"), "front_door/person/snapshot");
  EXPECT_EQ(topics::FeatureState("back", Feature::kDetect), "back/detect/state");
  EXPECT_EQ(topics::FeatureState("back", Feature::kClips), "back/clips/state");
  EXPECT_EQ(topics::FeatureSet("back", Feature::kSnapshots), "back/snapshots/set");
  EXPECT_EQ(topics::kAvailable, "available");
  EXPECT_EQ(topics::kEvents, "events");
  EXPECT_EQ(topics::kStats, "stats");
  EXPECT_EQ(topics::WithPrefix("frigate", "front/person"), "frigate/front/person");
}

TEST(TopicsTest, FeatureNamesRoundTrip) {
  for (Feature feature : kAllFeatures) {
    EXPECT_EQ(ParseFeature(FeatureName(feature)), feature);
  }
  EXPECT_EQ(ParseFeature("Detect"), std::nullopt);
  EXPECT_EQ(ParseFeature("motion"), std::nullopt);
  EXPECT_EQ(ParseFeature(""), std::nullopt);
}

TEST(TopicsTest, StripPrefixKeepsOnlyTopicsUnderThePrefix) {
  EXPECT_EQ(topics::StripPrefix("frigate", "frigate/front/detect/set"), "front/detect/set");
  EXPECT_EQ(topics::StripPrefix("frigate", "frigate/available"), "available");
  EXPECT_EQ(topics::StripPrefix("frigate", "frigate"), std::nullopt);
  EXPECT_EQ(topics::StripPrefix("frigate", "frigate/"), std::nullopt);
  EXPECT_EQ(topics::StripPrefix("frigate", "frigatex/available"), std::nullopt);
  EXPECT_EQ(topics::StripPrefix("frigate", "other/frigate/available"), std::nullopt);
  EXPECT_EQ(topics::StripPrefix("home/nvr", "home/nvr/stats"), "stats");
}

TEST(TopicsTest, TopicLevelRejectsSeparatorsAndWildcards) {
  EXPECT_TRUE(topics::IsValidTopicLevel("front_door"));
  EXPECT_TRUE(topics::IsValidTopicLevel("Zone 1"));
  EXPECT_FALSE(topics::IsValidTopicLevel(""));
  EXPECT_FALSE(topics::IsValidTopicLevel("a/b"));
  EXPECT_FALSE(topics::IsValidTopicLevel("cam+"));
  EXPECT_FALSE(topics::IsValidTopicLevel("#"));
  EXPECT_FALSE(topics::IsValidTopicLevel(std::string_view("a\0b", 3)));
}

}  // namespace
}  // namespace corvette::mqtt
