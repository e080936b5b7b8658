#pragma once

// WebSocket endpoints of the HTTP server, kept generic: the server accepts an upgrade request on a
// path that has a WebSocketHandler (ServerOptions::websocket_handlers) and reports the session's
// life to it; what the messages mean is the handler's business (the app's /ws MQTT relay).

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace corvette::http {

// One accepted WebSocket connection, as handlers see it. Thread-safe.
class WebSocketSession {
 public:
  virtual ~WebSocketSession() = default;

  // Queues a text message for the client and returns at once (safe on any thread, including a
  // thread that must not block, such as the MQTT network thread). Returns false when the message
  // was dropped: the session is closed, or its queue is full because the client reads slower
  // than messages come (see ServerOptions::websocket_queue_limit).
  virtual bool SendText(std::string text) = 0;
  // Closes the connection (a close frame, then the socket); idempotent.
  virtual void Close() = 0;
  // "address:port" of the client, for logs.
  virtual const std::string& peer() const = 0;
  // Messages dropped so far because the queue was full.
  virtual std::size_t dropped() const = 0;
};

// What a WebSocket path does. Its functions run on the server's io threads (one session's calls
// never overlap) and must not block. It must outlive the server.
class WebSocketHandler {
 public:
  virtual ~WebSocketHandler() = default;
  // The handshake completed. The handler may keep `session` (for instance to send it messages
  // from other threads) until OnClose.
  virtual void OnOpen(const std::shared_ptr<WebSocketSession>& session) = 0;
  // The client sent a text message (binary messages are ignored, with a debug log).
  virtual void OnText(const std::shared_ptr<WebSocketSession>& session, std::string_view text) = 0;
  // The connection ended (either side, or server stop). Called once per opened session.
  virtual void OnClose(const std::shared_ptr<WebSocketSession>& session) = 0;
};

}  // namespace corvette::http
