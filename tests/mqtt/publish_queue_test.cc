#include "mqtt/publish_queue.h"

#include <gtest/gtest.h>

namespace corvette::mqtt {
namespace {

OutgoingMessage Event(std::string payload) {
  return {"events", std::move(payload), false, 0};
}
OutgoingMessage State(std::string topic, std::string payload) {
  return {std::move(topic), std::move(payload), true, 0};
}

std::vector<std::string> Drain(PublishQueue& queue) {
  std::vector<std::string> out;
  while (auto m = queue.Pop()) {
    out.push_back(m->topic + "=" + m->payload);
  }
  return out;
}

TEST(PublishQueueTest, KeepsOrderBelowCapacity) {
  PublishQueue queue(10);
  EXPECT_TRUE(queue.Push(Event("1")).accepted);
  EXPECT_TRUE(queue.Push(State("a/detect/state", "ON")).accepted);
  EXPECT_TRUE(queue.Push(Event("2")).accepted);
  EXPECT_EQ(queue.size(), 3u);
  EXPECT_EQ(Drain(queue), (std::vector<std::string>{"events=1", "a/detect/state=ON", "events=2"}));
  EXPECT_FALSE(queue.Pop());
}

TEST(PublishQueueTest, RetainedMessagesOfOneTopicCoalesce) {
  PublishQueue queue(10);
  queue.Push(State("a/detect/state", "ON"));
  queue.Push(Event("1"));
  const PublishQueue::PushResult result = queue.Push(State("a/detect/state", "OFF"));
  EXPECT_TRUE(result.coalesced);
  EXPECT_EQ(result.dropped(), 0u);
  EXPECT_EQ(Drain(queue), (std::vector<std::string>{"a/detect/state=OFF", "events=1"}));
}

TEST(PublishQueueTest, FullQueueEvictsTheOldestNonRetainedFirst) {
  PublishQueue queue(3);
  queue.Push(State("available", "online"));
  queue.Push(Event("1"));
  queue.Push(Event("2"));
  PublishQueue::PushResult result = queue.Push(Event("3"));
  EXPECT_TRUE(result.accepted);
  EXPECT_EQ(result.evicted, 1u);
  result = queue.Push(State("a/clips/state", "ON"));
  EXPECT_TRUE(result.accepted);
  EXPECT_EQ(result.evicted, 1u);
  EXPECT_EQ(queue.size(), 3u);
  EXPECT_EQ(Drain(queue),
            (std::vector<std::string>{"available=online", "events=3", "a/clips/state=ON"}));
}

TEST(PublishQueueTest, FullOfRetainedRejectsNonRetainedAndRotatesRetained) {
  PublishQueue queue(2);
  queue.Push(State("x", "1"));
  queue.Push(State("y", "1"));
  PublishQueue::PushResult result = queue.Push(Event("1"));
  EXPECT_FALSE(result.accepted);
  EXPECT_EQ(result.dropped(), 1u);
  result = queue.Push(State("z", "1"));
  EXPECT_TRUE(result.accepted);
  EXPECT_EQ(result.evicted, 1u);
  EXPECT_EQ(Drain(queue), (std::vector<std::string>{"y=1", "z=1"}));
}

TEST(PublishQueueTest, PushFrontPutsAMessageBackUnlessSomethingNewerSupersedesIt) {
  PublishQueue queue(3);
  queue.Push(Event("2"));
  EXPECT_TRUE(queue.PushFront(Event("1")).accepted);
  queue.Push(State("s", "new"));
  EXPECT_FALSE(queue.PushFront(State("s", "old")).accepted);                 // newer value queued
  EXPECT_FALSE(queue.PushFront(Event("0")).accepted);                        // full, not retained
  const PublishQueue::PushResult result = queue.PushFront(State("t", "1"));  // evicts events=1
  EXPECT_TRUE(result.accepted);
  EXPECT_EQ(result.evicted, 1u);
  EXPECT_EQ(Drain(queue), (std::vector<std::string>{"t=1", "events=2", "s=new"}));
}

TEST(PublishQueueTest, CapacityIsAtLeastOne) {
  PublishQueue queue(0);
  EXPECT_EQ(queue.capacity(), 1u);
  EXPECT_TRUE(queue.Push(Event("1")).accepted);
}

}  // namespace
}  // namespace corvette::mqtt
