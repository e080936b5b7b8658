#include "app/ws_relay.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>

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
  {
    std::lock_guard lock(mutex_);
    bridge = bridge_;
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

}  // namespace corvette::app
