#include "mqtt/publish_queue.h"

#include <algorithm>

namespace corvette::mqtt {

PublishQueue::PublishQueue(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

std::size_t PublishQueue::FindRetained(const std::string& topic) const {
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    if (messages_[i].retain && messages_[i].topic == topic) {
      return i;
    }
  }
  return messages_.size();
}

bool PublishQueue::EvictOldestNonRetained() {
  const auto it = std::find_if(messages_.begin(), messages_.end(),
                               [](const OutgoingMessage& m) { return !m.retain; });
  if (it == messages_.end()) {
    return false;
  }
  messages_.erase(it);
  return true;
}

PublishQueue::PushResult PublishQueue::Push(OutgoingMessage message) {
  PushResult result;
  if (message.retain) {
    if (const std::size_t i = FindRetained(message.topic); i < messages_.size()) {
      messages_[i] = std::move(message);
      result.coalesced = true;
      return result;
    }
  }
  if (messages_.size() >= capacity_) {
    if (EvictOldestNonRetained()) {
      result.evicted = 1;
    } else if (message.retain) {
      messages_.pop_front();
      result.evicted = 1;
    } else {
      result.accepted = false;
      return result;
    }
  }
  messages_.push_back(std::move(message));
  return result;
}

PublishQueue::PushResult PublishQueue::PushFront(OutgoingMessage message) {
  PushResult result;
  if (message.retain && FindRetained(message.topic) < messages_.size()) {
    result.accepted = false;  // a newer value of the same state is already queued
    return result;
  }
  if (messages_.size() >= capacity_) {
    if (!message.retain || !EvictOldestNonRetained()) {
      result.accepted = false;
      return result;
    }
    result.evicted = 1;
  }
  messages_.push_front(std::move(message));
  return result;
}

std::optional<OutgoingMessage> PublishQueue::Pop() {
  if (messages_.empty()) {
    return std::nullopt;
  }
  OutgoingMessage message = std::move(messages_.front());
  messages_.pop_front();
  return message;
}

}  // namespace corvette::mqtt
