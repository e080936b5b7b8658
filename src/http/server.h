#pragma once

// The HTTP/1.1 server (Boost.Beast on Asio): a few io threads, one strand per connection,
// keep-alive, request size limits, timeouts for slow and idle clients. It answers every request
// through a Router.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "http/websocket.h"

namespace corvette::http {

class Router;

// Figures of the server's multipart streams (http/multipart_broadcast.h), since it started.
struct StreamStats {
  std::size_t broadcasts = 0;       // broadcasts running (with at least one viewer)
  std::size_t viewers = 0;          // connections subscribed to a broadcast
  std::uint64_t parts_made = 0;     // next_part calls that gave a part (one per broadcast tick)
  std::uint64_t parts_sent = 0;     // parts written whole to a viewer's socket
  std::uint64_t parts_skipped = 0;  // parts a slow viewer never got (a newer one replaced them)
};

struct ServerOptions {
  std::string host = "0.0.0.0";  // an IPv4/IPv6 address or a resolvable name
  std::uint16_t port = 5000;     // 0 = an ephemeral port (see HttpServer::port())
  int io_threads = 2;
  // Added to each io thread's nice value (0: unchanged). With a positive value, serving yields the
  // CPU to the threads that must keep up (cameras, detection) when the machine is saturated;
  // requests and live views then slow down first.
  int io_thread_niceness = 0;
  // Requests whose header block exceeds this get 431 and the connection closes.
  std::size_t max_header_bytes = 16 * 1024;
  // Requests whose body exceeds this get 413 and the connection closes (0.8's API is GET only).
  std::size_t max_body_bytes = 64 * 1024;
  // Time a client has to send a complete request on a fresh connection.
  std::chrono::milliseconds read_timeout{15'000};
  // Time a kept-alive connection may wait for (and send) its next request before it is closed.
  std::chrono::milliseconds idle_timeout{30'000};
  // Time one write (a response, or one part of a stream) may take; slower clients are dropped.
  std::chrono::milliseconds write_timeout{30'000};
  // Time Stop() lets connections close cleanly before abandoning them.
  std::chrono::milliseconds stop_grace{1'000};
  // Connections beyond this many are closed as soon as they are accepted (protects the file
  // descriptors that cameras, clips and the database need).
  std::size_t max_connections = 512;
  // Paths (e.g. "/ws", no query) served as WebSocket endpoints: an upgrade request to one of them
  // becomes a WebSocket session reported to its handler; any other request to it goes to the
  // router as usual. WebSocket sessions count against max_connections; a client message larger
  // than max_body_bytes closes its session.
  std::map<std::string, std::shared_ptr<WebSocketHandler>, std::less<>> websocket_handlers;
  // Messages a WebSocket session may have waiting to be written; WebSocketSession::SendText drops
  // (and counts) messages beyond this, so a slow client never holds up the sender.
  std::size_t websocket_queue_limit = 256;
  // A WebSocket client that answers no ping for this long is closed (pings go out at half of it).
  std::chrono::milliseconds websocket_idle_timeout{60'000};
};

class HttpServer {
 public:
  // `router` must outlive the server and stay unchanged while it runs.
  HttpServer(ServerOptions options, const Router& router);
  ~HttpServer();  // Stop()s

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the io threads. Returns an error message (e.g.
  // "cannot listen on 0.0.0.0:5000: Address already in use") and starts nothing on failure.
  // Call at most once.
  std::optional<std::string> Start();
  // Stops accepting, closes every connection (ending streams) and joins the io threads; returns
  // within about stop_grace. Idempotent; safe to call from any thread except an io thread.
  void Stop();

  // The port actually bound (the ephemeral one when options.port was 0); 0 before Start().
  std::uint16_t port() const;
  // Thread-safe.
  StreamStats stream_stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace corvette::http
