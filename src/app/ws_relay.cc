#include "app/ws_relay.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>

#include "mqtt/topics.h"
#include "mqtt/ws_relay_policy.h"

namespace corvette::app {

void WsRelay::Attach(MqttBridge& bridge) {
  {
    std::lock_guard lock(mutex_);
    bridge_ = &bridge;
  }
  bridge.AddMessageHandler(
      [self = shared_from_this()](const mqtt::IncomingMessage& message) { self->Relay(message); });
}

void WsRelay::AttachLocal(std::vector<std::string> cameras,
                          std::function<void(const mqtt::SetCommand&)> apply) {
  std::lock_guard lock(mutex_);
  local_commands_.emplace(std::move(cameras));
  apply_ = std::move(apply);
}

void WsRelay::Broadcast(std::string_view topic, std::string_view payload) {
  Relay(mqtt::IncomingMessage{std::string(topic), std::string(payload)});
}

void WsRelay::OnOpen(const std::shared_ptr<http::WebSocketSession>& session) {
  std::lock_guard lock(mutex_);
  sessions_.push_back(session);
}

void WsRelay::OnClose(const std::shared_ptr<http::WebSocketSession>& session) {
  std::lock_guard lock(mutex_);
  std::erase(sessions_, session);
  if (session->dropped() > 0)
    spdlog::info("websocket client {} left; {} messages were dropped for it", session->peer(),
                 session->dropped());
}

std::size_t WsRelay::session_count() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

void WsRelay::Relay(const mqtt::IncomingMessage& message) {
  std::optional<std::string> json = mqtt::RelayMessageJson(message);
  if (!json)
    return;
  std::lock_guard lock(mutex_);
  for (const auto& session : sessions_)
    session->SendText(*json);  // never blocks; drops for a slow client
}

void WsRelay::OnText(const std::shared_ptr<http::WebSocketSession>& session,
                     std::string_view text) {
  MqttBridge* bridge = nullptr;
  const mqtt::SetCommandParser* local_commands = nullptr;
  std::function<void(const mqtt::SetCommand&)> apply;
  {
    std::lock_guard lock(mutex_);
    bridge = bridge_;
    if (local_commands_) {
      local_commands = &*local_commands_;  // never reset once set
      apply = apply_;
    }
  }
  if (bridge == nullptr && local_commands != nullptr) {
    mqtt::ClientPublishDecision decision = mqtt::DecideClientPublish(text, *local_commands);
    mqtt::SetParseResult parsed;
    if (decision.publish)
      parsed = local_commands->Parse(decision.publish->topic, decision.publish->payload);
    if (!decision.publish || parsed.status != mqtt::SetStatus::kApply) {
      spdlog::warn("websocket client {}: refused a message: {}", session->peer(),
                   decision.publish ? "not a switch command" : decision.error);
      return;
    }
    spdlog::info("websocket client {} sets {} = {}", session->peer(), decision.publish->topic,
                 decision.publish->payload);
    apply(*parsed.command);
    return;
  }
  if (bridge == nullptr) {
    spdlog::warn("websocket client {}: refused a message: MQTT is not running", session->peer());
    return;
  }
  mqtt::ClientPublishDecision decision = mqtt::DecideClientPublish(text, bridge->commands());
  if (!decision.publish) {
    spdlog::warn("websocket client {}: refused a message: {}", session->peer(), decision.error);
    return;
  }
  spdlog::info("websocket client {} publishes {} = {}", session->peer(), decision.publish->topic,
               decision.publish->payload);
  bridge->Publish(decision.publish->topic, std::move(decision.publish->payload),
                  decision.publish->retain);
}

void WsEventPublisher::OnEventMessage(const track::EventMessage& message) {
  relay_->Broadcast(mqtt::topics::kEvents, message.ToJson().dump());
}

void WsEventPublisher::OnCountChanged(const std::string& name, const std::string& label,
                                      int count) {
  relay_->Broadcast(mqtt::topics::ObjectCount(name, label), std::to_string(count));
}

}  // namespace corvette::app
