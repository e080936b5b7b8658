#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/mqtt_bridge.h"
#include "events/event_listener.h"
#include "http/websocket.h"
#include "mqtt/commands.h"
#include "mqtt/message.h"

namespace corvette::app {

// The `/ws` WebSocket (spec section 9.4, and docs/api.md), with or without a broker.
// - With MQTT (Attach): every MQTT message received under the topic prefix goes to every connected
//   client as {"topic": ..., "payload": ...} (payloads that are not UTF-8, such as snapshots, are
//   skipped, as in 0.8); a client's text message is published only when
//   mqtt::DecideClientPublish allows it (`<camera>/{detect,clips,snapshots}/set` with ON/OFF),
//   otherwise it is refused with a warning in the log.
// - Without MQTT (AttachLocal): clients get what corvette would have published (the app calls
//   Broadcast: switch states, events, counts), and an allowed `/set` message is applied at once.
// A client that reads too slowly loses messages (the server's per-session queue is bounded);
// neither the MQTT thread nor a camera ever waits for one. Thread-safe. Create it with
// std::make_shared.
class WsRelay final : public http::WebSocketHandler, public std::enable_shared_from_this<WsRelay> {
 public:
  // Subscribes to `bridge`'s messages and publishes clients' allowed messages through it. Call
  // once, before bridge.Start(). `bridge` must outlive every session (the app stops the HTTP
  // server before destroying it). Until then the relay relays nothing and refuses every message.
  void Attach(MqttBridge& bridge);
  // Without a broker: an allowed `/set` message of one of `cameras` is handed to `apply`, on the
  // io thread that read it. Call once, instead of Attach, before the HTTP server starts.
  void AttachLocal(std::vector<std::string> cameras,
                   std::function<void(const mqtt::SetCommand&)> apply);

  // Sends {"topic": topic, "payload": payload} to every client (nothing when `payload` is not
  // UTF-8). Never blocks.
  void Broadcast(std::string_view topic, std::string_view payload);

  void OnOpen(const std::shared_ptr<http::WebSocketSession>& session) override;
  void OnText(const std::shared_ptr<http::WebSocketSession>& session,
              std::string_view text) override;
  void OnClose(const std::shared_ptr<http::WebSocketSession>& session) override;

  std::size_t session_count() const;

 private:
  // On the MQTT network thread.
  void Relay(const mqtt::IncomingMessage& message);

  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<http::WebSocketSession>> sessions_;
  MqttBridge* bridge_ = nullptr;  // set once by Attach
  // Set once by AttachLocal.
  std::optional<mqtt::SetCommandParser> local_commands_;
  std::function<void(const mqtt::SetCommand&)> apply_;
};

// Without a broker, what MqttEventPublisher would publish (`events` and the counts) goes to the
// WebSocket clients instead. Snapshots are not sent (they are not text).
class WsEventPublisher final : public events::EventListener {
 public:
  explicit WsEventPublisher(std::shared_ptr<WsRelay> relay) : relay_(std::move(relay)) {}
  void OnEventMessage(const track::EventMessage& message) override;
  void OnCountChanged(const std::string& name, const std::string& label, int count) override;
  void OnBestSnapshot(const std::string&, const std::string&,
                      std::shared_ptr<const std::string>) override {}

 private:
  std::shared_ptr<WsRelay> relay_;
};

}  // namespace corvette::app
