#include "http/server.h"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "http/beast.h"
#include "http/file_body.h"
// After beast.h (which includes <utility> first for Boost 1.74).
#include <boost/beast/websocket.hpp>

#include "http/log.h"
#include "http/multipart_broadcast.h"
#include "http/router.h"

namespace corvette::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;

class Connection;

// Statuses whose responses carry no body and no Content-Length (RFC 9110 8.6, 15.3.5, 15.4.5).
bool NoBodyAllowed(int status) {
  return status < 200 || status == 204 || status == 304;
}

// What a WebSocketHandler holds of a WebSocket connection: a weak link (so that it keeps no socket
// alive) and the count of messages waiting, which bounds the connection's queue.
class WebSocketSessionImpl final : public WebSocketSession {
 public:
  WebSocketSessionImpl(std::weak_ptr<Connection> connection, std::string peer, std::size_t limit)
      : connection_(std::move(connection)), peer_(std::move(peer)), limit_(limit) {}

  bool SendText(std::string text) override;  // defined after Connection
  void Close() override;
  const std::string& peer() const override { return peer_; }
  std::size_t dropped() const override { return dropped_.load(std::memory_order_relaxed); }

  // On the connection's strand: the connection closed / one queued message is done with.
  void MarkClosed() { closed_.store(true, std::memory_order_relaxed); }
  void MessageDone() { queued_.fetch_sub(1, std::memory_order_relaxed); }

 private:
  const std::weak_ptr<Connection> connection_;
  const std::string peer_;
  const std::size_t limit_;
  std::atomic<std::size_t> queued_{0};
  std::atomic<std::size_t> dropped_{0};
  std::atomic<bool> closed_{false};
};

// State the server and its connections share; either may outlive the other briefly.
struct SharedState {
  SharedState(ServerOptions server_options, const Router& server_router)
      : options(std::move(server_options)), router(server_router) {}

  // Registers a new connection; false once the server is stopping or full (the caller drops
  // it, which closes its socket).
  bool Add(const std::shared_ptr<Connection>& connection);
  void Remove(const Connection* connection);
  std::vector<std::shared_ptr<Connection>> BeginStop();
  bool stopping() const { return stopping_flag.load(std::memory_order_relaxed); }

  const ServerOptions options;
  const Router& router;
  std::mutex mutex;
  std::unordered_map<const Connection*, std::weak_ptr<Connection>> live;
  std::atomic<bool> stopping_flag{false};
  net::io_context* io = nullptr;  // the server's, set before it starts
  MultipartBroadcasts broadcasts;
};

// How long a WebSocket client has to answer the server's close frame before the socket closes.
constexpr std::chrono::milliseconds kWebSocketCloseGrace{200};

// One client connection. Every member function runs on the connection's strand.
class Connection : public std::enable_shared_from_this<Connection>, public PartSubscriber {
 public:
  Connection(tcp::socket socket, std::shared_ptr<SharedState> shared)
      : stream_(std::move(socket)),
        timer_(stream_.get_executor()),
        shared_(std::move(shared)),
        buffer_(shared_->options.max_header_bytes + shared_->options.max_body_bytes + 4096) {}

  ~Connection() { shared_->Remove(this); }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadRequest(); });
  }

  // Closes the connection from another thread (server stop, WebSocketSession::Close). An open
  // WebSocket is told first with a close frame (1001, going away).
  void Shutdown() {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->CloseGracefully(); });
  }

 private:
  const ServerOptions& options() const { return shared_->options; }

  void ReadRequest() {
    if (closed_)
      return;
    if (shared_->stopping()) {
      Close();
      return;
    }
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(options().max_header_bytes));
    parser_->body_limit(options().max_body_bytes);
    stream_.expires_after(requests_served_ == 0 ? options().read_timeout : options().idle_timeout);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (closed_)
      return;
    if (ec == bhttp::error::header_limit) {
      SendError(431, "Request Header Fields Too Large");
    } else if (ec == bhttp::error::body_limit || ec == bhttp::error::buffer_overflow) {
      SendError(413, "Payload Too Large");
    } else if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
               ec == beast::error::timeout || ec == net::error::operation_aborted) {
      Close();
    } else if (ec && ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) {
      // Anything else the parser rejects (bad method, target, version, header or chunk).
      Log().debug("bad request from {}: {}", PeerText(), ec.message());
      SendError(400, "Bad Request");
    } else if (ec) {
      Close();
    } else {
      HandleRequest(parser_->release());
    }
  }

  void HandleRequest(bhttp::request<bhttp::string_body> request) {
    ++requests_served_;
    if (websocket::is_upgrade(request) && !options().websocket_handlers.empty()) {
      const std::string_view target = ToStringView(request.target());
      const auto handler = options().websocket_handlers.find(target.substr(0, target.find('?')));
      if (handler != options().websocket_handlers.end()) {
        StartWebSocket(std::move(request), handler->second);
        return;
      }
    }
    std::vector<std::pair<std::string, std::string>> headers;
    for (const auto& field : request) {
      headers.emplace_back(ToStringView(field.name_string()), ToStringView(field.value()));
    }
    const bool head = request.method() == bhttp::verb::head;
    Response response = shared_->router.Handle(ToStringView(request.method_string()),
                                               ToStringView(request.target()), std::move(headers),
                                               std::move(request.body()));
    Log().debug("{} {} {}", ToStringView(request.method_string()), ToStringView(request.target()),
                response.status);
    const bool keep_alive =
        request.keep_alive() && !shared_->stopping() && response.stream == nullptr;
    if (response.stream && !head && response.status == 200) {
      StartStream(std::move(response), request.version());
    } else {
      SendResponse(std::move(response), request.version(), keep_alive, head);
    }
  }

  template <class Body>
  static void FillHeader(bhttp::response<Body>& message, const Response& response, unsigned version,
                         bool keep_alive) {
    message.version(version);
    message.result(static_cast<unsigned>(response.status));
    message.set(bhttp::field::server, "corvette");
    if (!NoBodyAllowed(response.status))
      message.set(bhttp::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) {
      message.insert(name, value);
    }
    message.keep_alive(keep_alive);
  }

  void SendResponse(Response response, unsigned version, bool keep_alive, bool head) {
    if (response.file) {
      SendFile(std::move(response), version, keep_alive, head);
      return;
    }
    std::shared_ptr<const std::string> body =
        response.shared_body ? response.shared_body
                             : std::make_shared<const std::string>(std::move(response.body));
    if (NoBodyAllowed(response.status)) {  // 204, 304: neither a body nor a Content-Length
      auto message = std::make_shared<bhttp::response<bhttp::empty_body>>();
      FillHeader(*message, response, version, keep_alive);
      Write(std::move(message), keep_alive, nullptr);
      return;
    }
    if (head) {
      auto message = std::make_shared<bhttp::response<bhttp::empty_body>>();
      FillHeader(*message, response, version, keep_alive);
      message->content_length(response.stream ? 0 : body->size());
      Write(std::move(message), keep_alive, nullptr);
      return;
    }
    auto message = std::make_shared<bhttp::response<bhttp::buffer_body>>();
    FillHeader(*message, response, version, keep_alive);
    message->body().data = const_cast<char*>(body->data());
    message->body().size = body->size();
    message->body().more = false;
    message->content_length(body->size());
    Write(std::move(message), keep_alive, std::move(body));
  }

  // The header, then the file range in chunks (http/file_body.h); HEAD: the header only.
  void SendFile(Response response, unsigned version, bool keep_alive, bool head) {
    auto message = std::make_shared<bhttp::response<bhttp::empty_body>>();
    FillHeader(*message, response, version, keep_alive);
    message->content_length(response.file->length());
    auto serializer = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*message);
    std::shared_ptr<const FileBody> file = head ? nullptr : std::move(response.file);
    stream_.expires_after(options().write_timeout);
    bhttp::async_write_header(stream_, *serializer,
                              [self = shared_from_this(), message, serializer, file, keep_alive](
                                  beast::error_code ec, std::size_t) {
                                auto finish = [self, keep_alive](beast::error_code result) {
                                  if (result) {
                                    self->Close();
                                  } else if (keep_alive) {
                                    self->ReadRequest();
                                  } else {
                                    self->Linger();
                                  }
                                };
                                if (ec || !file) {
                                  finish(ec);
                                  return;
                                }
                                AsyncSendFileBody(self->stream_, file,
                                                  self->options().write_timeout, finish);
                              });
  }

  void SendError(int status, std::string text) {
    Response response = Response::Text(status, std::move(text));
    SendResponse(std::move(response), 11, /*keep_alive=*/false, /*head=*/false);
  }

  // Writes `message` (which, with `body`, stays alive until the write completes).
  template <class Message>
  void Write(std::shared_ptr<Message> message, bool keep_alive,
             std::shared_ptr<const std::string> body) {
    stream_.expires_after(options().write_timeout);
    bhttp::async_write(
        stream_, *message,
        [self = shared_from_this(), message, body, keep_alive](beast::error_code ec, std::size_t) {
          if (ec) {
            self->Close();
          } else if (keep_alive) {
            self->ReadRequest();
          } else {
            self->Linger();
          }
        });
  }

  // Ends a connection after a final response: stop sending, then read (and drop) whatever the
  // client still sends for a moment, so that closing does not reset the connection before the
  // client has read the response.
  void Linger() {
    if (closed_)
      return;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::seconds(1));
    stream_.async_read_some(net::buffer(drain_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) {
                                self->Close();
                              } else {
                                self->Linger();
                              }
                            });
  }

  // --- multipart streams ---

  void StartStream(Response response, unsigned version) {
    // No Content-Length: the body ends when the connection closes.
    auto message = std::make_shared<bhttp::response<bhttp::empty_body>>();
    FillHeader(*message, response, version, /*keep_alive=*/false);
    stream_.expires_after(options().write_timeout);
    bhttp::async_write(stream_, *message,
                       [self = shared_from_this(), message, source = std::move(response.stream)](
                           beast::error_code ec, std::size_t) {
                         if (ec) {
                           self->Close();
                           return;
                         }
                         self->Subscribe(source);
                       });
  }

  void Subscribe(const std::shared_ptr<MultipartStream>& source) {
    if (closed_)
      return;
    stream_.expires_never();
    WatchForDisconnect();
    // Parts are first tried with one non-blocking write (no completion handler when it takes the
    // whole part, the usual case); async_write only finishes what the socket did not take.
    beast::error_code ignored;
    stream_.socket().non_blocking(true, ignored);
    broadcast_ = shared_->broadcasts.Join(*shared_->io, source);
    broadcast_->Subscribe(weak_from_this());
  }

  // A read that stays pending while the stream runs: it fails the moment the client closes.
  void WatchForDisconnect() {
    if (closed_)
      return;
    stream_.async_read_some(net::buffer(drain_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) {
                                self->Close();
                              } else {
                                self->WatchForDisconnect();  // ignore what the client sends
                              }
                            });
  }

 public:
  // PartSubscriber, from the broadcast's strand: runs on this connection's strand, inline when
  // the strand is free (the broadcast's tick then writes to every viewer in one go).
  void OfferPart(std::shared_ptr<const std::string> part) override {
    net::dispatch(stream_.get_executor(),
                  [self = shared_from_this(), part = std::move(part)] { self->TakePart(part); });
  }
  void EndOfParts() override {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->EndStream(); });
  }

 private:
  void TakePart(const std::shared_ptr<const std::string>& part) {
    if (closed_ || stream_ended_)
      return;
    if (part_slot_.writing() &&
        std::chrono::steady_clock::now() - part_write_started_ > options().write_timeout) {
      Log().debug("stream client {} took too long to read a part", PeerText());
      Close();
      return;
    }
    const bool replaces_waiting = part_slot_.waiting();
    if (auto now = part_slot_.Offer(part)) {
      WritePart(std::move(now));
    } else if (replaces_waiting) {
      shared_->broadcasts.counters().parts_skipped.fetch_add(1, std::memory_order_relaxed);
    }
  }

  void WritePart(std::shared_ptr<const std::string> part) {
    beast::error_code ec;
    const std::size_t written = stream_.socket().write_some(net::buffer(*part), ec);
    if (!ec && written == part->size()) {
      OnPartWritten({});
      return;
    }
    if (ec && ec != net::error::would_block && ec != net::error::try_again) {
      Close();
      return;
    }
    const std::size_t done = ec ? 0 : written;
    part_write_started_ = std::chrono::steady_clock::now();
    net::async_write(stream_.socket(), net::buffer(part->data() + done, part->size() - done),
                     [self = shared_from_this(), part](beast::error_code write_ec, std::size_t) {
                       self->OnPartWritten(write_ec);
                     });
  }

  void OnPartWritten(beast::error_code ec) {
    if (ec) {
      Close();
      return;
    }
    if (closed_)
      return;
    shared_->broadcasts.counters().parts_sent.fetch_add(1, std::memory_order_relaxed);
    if (auto next = part_slot_.Written()) {
      WritePart(std::move(next));
    } else if (stream_ended_) {
      FinishStream();
    }
  }

  // No more parts: after the part being written, if any, the connection ends.
  void EndStream() {
    if (closed_ || stream_ended_)
      return;
    stream_ended_ = true;
    LeaveBroadcast();
    if (!part_slot_.writing()) {
      FinishStream();
      return;
    }
    // No later part will check the write in progress: it gets what is left of the write timeout.
    timer_.expires_at(part_write_started_ + options().write_timeout);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->Close();
    });
  }

  // Stops sending; the pending read closes the connection when the client closes its end, and
  // the timer a moment later if it does not.
  void FinishStream() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    timer_.expires_after(std::chrono::seconds(1));
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->Close();
    });
  }

  void LeaveBroadcast() {
    if (broadcast_) {
      broadcast_->Unsubscribe(this);
      broadcast_.reset();
    }
  }

  // --- WebSocket sessions (ServerOptions::websocket_handlers) ---

 public:
  // From any thread: queues `text` on the strand (the session has counted it already).
  void PostWebSocketText(std::string text) {
    net::post(timer_.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
      self->QueueWebSocketText(std::move(text));
    });
  }
  void PostClose() { Shutdown(); }

 private:
  void StartWebSocket(bhttp::request<bhttp::string_body> request,
                      std::shared_ptr<WebSocketHandler> handler) {
    ws_session_ = std::make_shared<WebSocketSessionImpl>(weak_from_this(), PeerText(),
                                                         options().websocket_queue_limit);
    ws_handler_ = std::move(handler);
    ws_request_ = std::move(request);
    stream_.expires_never();  // the websocket stream keeps its own timeouts
    ws_.emplace(std::move(stream_));
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = options().write_timeout;
    timeouts.idle_timeout = options().websocket_idle_timeout;
    timeouts.keep_alive_pings = true;
    ws_->set_option(timeouts);
    ws_->set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
      response.set(bhttp::field::server, "corvette");
    }));
    ws_->read_message_max(options().max_body_bytes);
    ws_->async_accept(ws_request_, [self = shared_from_this()](beast::error_code ec) {
      self->OnWebSocketAccepted(ec);
    });
  }

  void OnWebSocketAccepted(beast::error_code ec) {
    if (ec || closed_) {
      Log().debug("websocket handshake with {} failed: {}", ws_session_->peer(), ec.message());
      Close();
      return;
    }
    Log().info("websocket {} opened by {}", ToStringView(ws_request_.target()),
               ws_session_->peer());
    ws_open_ = true;
    try {
      ws_handler_->OnOpen(ws_session_);
    } catch (const std::exception& error) {
      Log().error("websocket open handler failed: {}", error.what());
    }
    ReadWebSocket();
  }

  void ReadWebSocket() {
    if (closed_)
      return;
    ws_->async_read(ws_read_buffer_,
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->OnWebSocketRead(ec);
                    });
  }

  void OnWebSocketRead(beast::error_code ec) {
    if (ec) {
      if (ec != websocket::error::closed && ec != net::error::operation_aborted)
        Log().debug("websocket {}: {}", ws_session_->peer(), ec.message());
      Close();
      return;
    }
    if (closed_)
      return;
    if (ws_->got_text()) {
      const std::string text = beast::buffers_to_string(ws_read_buffer_.data());
      try {
        ws_handler_->OnText(ws_session_, text);
      } catch (const std::exception& error) {
        Log().error("websocket message handler failed: {}", error.what());
      }
    } else {
      Log().debug("websocket {}: ignoring a binary message", ws_session_->peer());
    }
    ws_read_buffer_.consume(ws_read_buffer_.size());
    ReadWebSocket();
  }

  void QueueWebSocketText(std::string text) {
    if (closed_ || ws_close_requested_) {
      ws_session_->MessageDone();
      return;
    }
    ws_queue_.push_back(std::move(text));
    if (!ws_writing_)
      WriteNextWebSocketMessage();
  }

  void WriteNextWebSocketMessage() {
    if (!closed_ && ws_close_requested_) {
      SendWebSocketClose();
      return;
    }
    if (closed_ || ws_queue_.empty()) {
      ws_writing_ = false;
      return;
    }
    ws_writing_ = true;
    ws_->text(true);
    ws_->async_write(net::buffer(ws_queue_.front()),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       self->ws_queue_.pop_front();
                       self->ws_session_->MessageDone();
                       if (ec) {
                         self->Close();
                         return;
                       }
                       self->WriteNextWebSocketMessage();
                     });
  }

  // Closes at once, except an open WebSocket: it gets a close frame (after the message being
  // written, if any; messages still queued are dropped), and the socket closes when the client
  // answers or after kWebSocketCloseGrace.
  void CloseGracefully() {
    if (closed_)
      return;
    if (!ws_ || !ws_open_) {
      Close();
      return;
    }
    if (ws_close_requested_)
      return;
    ws_close_requested_ = true;
    timer_.expires_after(kWebSocketCloseGrace);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->Close();
    });
    if (!ws_writing_)
      SendWebSocketClose();
  }

  void SendWebSocketClose() {
    for (std::size_t i = 0; i < ws_queue_.size(); ++i)
      ws_session_->MessageDone();
    ws_queue_.clear();
    ws_writing_ = true;  // a close is a write: no message may start after it
    ws_->async_close(websocket::close_code::going_away,
                     [self = shared_from_this()](beast::error_code) { self->Close(); });
  }

  void Close() {
    if (closed_)
      return;
    closed_ = true;
    timer_.cancel();
    LeaveBroadcast();  // nothing more is offered; the last viewer's leaving stops the producer
    part_slot_.Clear();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    if (ws_) {
      ws_session_->MarkClosed();
      // Messages queued but not written are done with too (their writes never start).
      for (std::size_t i = ws_writing_ ? 1 : 0; i < ws_queue_.size(); ++i)
        ws_session_->MessageDone();
      ws_queue_.erase(ws_queue_.begin() + (ws_writing_ && !ws_queue_.empty() ? 1 : 0),
                      ws_queue_.end());
      beast::get_lowest_layer(*ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
      beast::get_lowest_layer(*ws_).close();
      if (ws_open_) {
        ws_open_ = false;
        Log().info("websocket closed by or for {}", ws_session_->peer());
        try {
          ws_handler_->OnClose(ws_session_);
        } catch (const std::exception& error) {
          Log().error("websocket close handler failed: {}", error.what());
        }
      }
    }
  }

  std::string PeerText() {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    return ec ? std::string("?")
              : fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
  }

  beast::tcp_stream stream_;
  net::steady_timer timer_;
  std::shared_ptr<SharedState> shared_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::array<char, 512> drain_{};
  std::size_t requests_served_ = 0;
  bool closed_ = false;
  // Multipart streams only:
  std::shared_ptr<MultipartBroadcast> broadcast_;
  PartWriteSlot part_slot_;
  std::chrono::steady_clock::time_point part_write_started_;  // of a write left to async_write
  bool stream_ended_ = false;
  // WebSocket sessions only: the stream takes over stream_'s socket after the upgrade.
  std::optional<websocket::stream<beast::tcp_stream>> ws_;
  std::shared_ptr<WebSocketSessionImpl> ws_session_;
  std::shared_ptr<WebSocketHandler> ws_handler_;
  bhttp::request<bhttp::string_body> ws_request_;
  beast::flat_buffer ws_read_buffer_;
  std::deque<std::string> ws_queue_;  // front() is being written while ws_writing_
  bool ws_writing_ = false;
  bool ws_open_ = false;
  bool ws_close_requested_ = false;
};

bool WebSocketSessionImpl::SendText(std::string text) {
  if (closed_.load(std::memory_order_relaxed))
    return false;
  if (queued_.fetch_add(1, std::memory_order_relaxed) >= limit_) {
    queued_.fetch_sub(1, std::memory_order_relaxed);
    const std::size_t dropped = dropped_.fetch_add(1, std::memory_order_relaxed) + 1;
    if (dropped == 1 || dropped % 1000 == 0)
      Log().warn("websocket client {} reads too slowly: {} messages dropped", peer_, dropped);
    return false;
  }
  std::shared_ptr<Connection> connection = connection_.lock();
  if (!connection) {
    queued_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  connection->PostWebSocketText(std::move(text));
  return true;
}

void WebSocketSessionImpl::Close() {
  if (std::shared_ptr<Connection> connection = connection_.lock())
    connection->PostClose();
}

bool SharedState::Add(const std::shared_ptr<Connection>& connection) {
  std::lock_guard lock(mutex);
  if (stopping()) {
    return false;
  }
  if (live.size() >= options.max_connections) {
    Log().warn("too many connections ({}): refusing one", live.size());
    return false;
  }
  live.emplace(connection.get(), connection);
  return true;
}

void SharedState::Remove(const Connection* connection) {
  std::lock_guard lock(mutex);
  live.erase(connection);
}

std::vector<std::shared_ptr<Connection>> SharedState::BeginStop() {
  std::lock_guard lock(mutex);
  stopping_flag = true;
  std::vector<std::shared_ptr<Connection>> connections;
  for (auto& [key, weak] : live) {
    if (auto connection = weak.lock())
      connections.push_back(std::move(connection));
  }
  return connections;
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(ServerOptions options, const Router& router)
      : shared_(std::make_shared<SharedState>(std::move(options), router)),
        acceptor_(net::make_strand(io_)),
        accept_retry_(acceptor_.get_executor()) {
    shared_->io = &io_;
  }

  ~Impl() { Stop(); }

  std::optional<std::string> Start() {
    const ServerOptions& options = shared_->options;
    auto failure = [&options](const beast::error_code& ec) {
      return fmt::format("cannot listen on {}:{}: {}", options.host, options.port, ec.message());
    };
    beast::error_code ec;
    tcp::resolver resolver(io_);
    auto endpoints = resolver.resolve(options.host, std::to_string(options.port),
                                      tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec)
      return failure(ec);
    if (endpoints.empty())
      return failure(net::error::host_not_found);
    const tcp::endpoint endpoint = endpoints.begin()->endpoint();
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec)
      acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec)
      acceptor_.bind(endpoint, ec);
    if (!ec)
      acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      beast::error_code ignored;
      acceptor_.close(ignored);
      return failure(ec);
    }
    port_ = acceptor_.local_endpoint(ec).port();
    Log().info("listening on {}:{}", endpoint.address().to_string(), port_.load());

    work_.emplace(io_.get_executor());
    Accept();
    const int thread_count = std::max(1, options.io_threads);
    {
      std::lock_guard lock(run_mutex_);
      running_threads_ = thread_count;
      started_ = true;
    }
    for (int i = 0; i < thread_count; ++i) {
      threads_.emplace_back([this] { RunIoThread(); });
    }
    return std::nullopt;
  }

  void Stop() {
    {
      std::lock_guard lock(run_mutex_);
      if (!started_ || stopped_)
        return;
      stopped_ = true;
    }
    std::vector<std::shared_ptr<Connection>> connections = shared_->BeginStop();
    net::post(acceptor_.get_executor(), [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
      accept_retry_.cancel();
    });
    for (auto& connection : connections)
      connection->Shutdown();
    connections.clear();
    work_.reset();
    {
      std::unique_lock lock(run_mutex_);
      if (!run_done_.wait_for(lock, shared_->options.stop_grace,
                              [this] { return running_threads_ == 0; })) {
        Log().warn("connections did not close within {} ms; abandoning them",
                   shared_->options.stop_grace.count());
        io_.stop();
      }
    }
    for (auto& thread : threads_)
      thread.join();
    threads_.clear();
  }

  std::uint16_t port() const { return port_; }
  StreamStats stream_stats() const { return shared_->broadcasts.Stats(); }

 private:
  void Accept() {
    acceptor_.async_accept(net::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted || !acceptor_.is_open())
        return;
      if (ec) {
        // E.g. out of file descriptors: try again shortly rather than spin.
        Log().warn("accept failed: {}", ec.message());
        accept_retry_.expires_after(std::chrono::milliseconds(100));
        accept_retry_.async_wait([this](beast::error_code wait_ec) {
          if (!wait_ec && acceptor_.is_open())
            Accept();
        });
        return;
      }
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      auto connection = std::make_shared<Connection>(std::move(socket), shared_);
      if (shared_->Add(connection))
        connection->Start();
      Accept();
    });
  }

  void RunIoThread() {
    if (shared_->options.io_thread_niceness != 0) {
      // Linux: PRIO_PROCESS with a thread id sets that thread's nice value only.
      const auto tid = static_cast<id_t>(::gettid());
      errno = 0;
      const int current = ::getpriority(PRIO_PROCESS, tid);
      if (errno == 0 &&
          ::setpriority(PRIO_PROCESS, tid, current + shared_->options.io_thread_niceness) != 0)
        Log().warn("io thread: cannot change its nice value: {}", std::strerror(errno));
    }
    while (true) {
      try {
        io_.run();
        break;
      } catch (const std::exception& error) {
        Log().error("io thread: {}", error.what());
      }
    }
    std::lock_guard lock(run_mutex_);
    --running_threads_;
    run_done_.notify_all();
  }

  std::shared_ptr<SharedState> shared_;
  net::io_context io_;  // before the I/O objects: they must be destroyed first
  tcp::acceptor acceptor_;
  net::steady_timer accept_retry_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  std::atomic<std::uint16_t> port_{0};
  std::mutex run_mutex_;
  std::condition_variable run_done_;
  int running_threads_ = 0;
  bool started_ = false;
  bool stopped_ = false;
};

HttpServer::HttpServer(ServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}

HttpServer::~HttpServer() = default;

std::optional<std::string> HttpServer::Start() {
  return impl_->Start();
}

void HttpServer::Stop() {
  impl_->Stop();
}

std::uint16_t HttpServer::port() const {
  return impl_->port();
}

StreamStats HttpServer::stream_stats() const {
  return impl_->stream_stats();
}

}  // namespace corvette::http
