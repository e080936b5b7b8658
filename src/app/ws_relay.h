#pragma once

#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "app/mqtt_bridge.h"
#include "http/websocket.h"
#include "mqtt/message.h"

namespace corvette::app {

// The `/ws` WebSocket relay (spec section 9.4): every MQTT message received under the topic
// prefix goes to every connected client as {"topic": ..., "payload": ...} (payloads that are not
// UTF-8, such as snapshots, are skipped, as in 0.8); a client's text message is published only
// when mqtt::DecideClientPublish allows it (`<camera>/{detect,clips,snapshots}/set` with ON/OFF),
// otherwise it is refused with a warning in the log. A client that reads too slowly loses
// messages (the server's per-session queue is bounded); the MQTT thread never waits for one.
// Thread-safe. Create it with std::make_shared.
class WsRelay final : public http::WebSocketHandler, public std::enable_shared_from_this<WsRelay> {
 public:
  // Subscribes to `bridge`'s messages and publishes clients' allowed messages through it. Call
  // once, before bridge.Start(). `bridge` must outlive every session (the app stops the HTTP
  // server before destroying it). Until then the relay relays nothing and refuses every message.
  void Attach(MqttBridge& bridge);

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
};

}  // namespace corvette::app
