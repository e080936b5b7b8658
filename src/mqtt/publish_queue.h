#pragma once

#include <cstddef>
#include <deque>
#include <optional>

#include "mqtt/message.h"

namespace corvette::mqtt {

// The bounded FIFO between publishers and the MQTT connection. Not thread-safe: MqttClient guards
// it with its mutex.
//
// Drop policy, chosen so that what a subscriber sees after an outage is right even when messages
// were lost: retained messages are state (availability, /state switches, snapshots) whose last
// value is all that matters, non-retained ones are momentary (counts, events, stats).
// - A retained message replaces the queued retained message of the same topic in place (the broker
//   would keep only the newer one anyway); this is not a drop.
// - When full, the oldest non-retained message is evicted to make room. Only when every queued
//   message is retained: a new non-retained message is rejected, a new retained one evicts the
//   oldest retained message.
class PublishQueue {
 public:
  explicit PublishQueue(std::size_t capacity);

  struct PushResult {
    bool accepted = true;     // false: the new message itself was dropped
    bool coalesced = false;   // replaced a queued retained message of the same topic
    std::size_t evicted = 0;  // queued messages dropped to make room (0 or 1)
    std::size_t dropped() const { return evicted + (accepted ? 0 : 1); }
  };

  // Appends `message` under the policy above.
  PushResult Push(OutgoingMessage message);

  // Puts back at the front a message that was popped but could not be sent (the connection went
  // away). It is dropped when a newer retained value of its topic is queued, or when the queue is
  // full and it is not retained; a retained message evicts the oldest non-retained one.
  PushResult PushFront(OutgoingMessage message);

  std::optional<OutgoingMessage> Pop();

  std::size_t size() const { return messages_.size(); }
  bool empty() const { return messages_.empty(); }
  std::size_t capacity() const { return capacity_; }

 private:
  // Index of the queued retained message with this topic, or size().
  std::size_t FindRetained(const std::string& topic) const;
  bool EvictOldestNonRetained();

  std::size_t capacity_;
  std::deque<OutgoingMessage> messages_;
};

}  // namespace corvette::mqtt
