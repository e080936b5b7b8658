// WebSocket endpoints of HttpServer (ServerOptions::websocket_handlers), with Beast's own
// synchronous client on loopback.

// clang-format off
#include "http/beast.h"
#include <boost/beast/websocket.hpp>
// clang-format on

#include "http/websocket.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/router.h"
#include "http/server.h"

namespace corvette::http {
namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;

// Records what the server reports and answers every text with "echo:<text>".
class RecordingHandler : public WebSocketHandler {
 public:
  void OnOpen(const std::shared_ptr<WebSocketSession>& session) override {
    std::lock_guard lock(mutex_);
    sessions_.push_back(session);
    ++opened_;
    changed_.notify_all();
  }
  void OnText(const std::shared_ptr<WebSocketSession>& session, std::string_view text) override {
    {
      std::lock_guard lock(mutex_);
      texts_.emplace_back(text);
    }
    session->SendText("echo:" + std::string(text));
  }
  void OnClose(const std::shared_ptr<WebSocketSession>&) override {
    std::lock_guard lock(mutex_);
    ++closed_;
    changed_.notify_all();
  }

  // Waits (at most 10 s) until `opened` sessions opened and `closed` closed.
  bool WaitFor(int opened, int closed) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(10),
                             [&] { return opened_ >= opened && closed_ >= closed; });
  }
  std::shared_ptr<WebSocketSession> session(std::size_t i) {
    std::lock_guard lock(mutex_);
    return sessions_.at(i);
  }
  std::vector<std::string> texts() {
    std::lock_guard lock(mutex_);
    return texts_;
  }
  int closed() {
    std::lock_guard lock(mutex_);
    return closed_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::shared_ptr<WebSocketSession>> sessions_;
  std::vector<std::string> texts_;
  int opened_ = 0;
  int closed_ = 0;
};

class WebSocketTest : public testing::Test {
 protected:
  void StartServer(ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    options.websocket_handlers.emplace("/ws", handler_);
    server_ = std::make_unique<HttpServer>(options, router_);
    auto error = server_->Start();
    ASSERT_FALSE(error.has_value()) << *error;
  }
  void TearDown() override {
    if (server_)
      server_->Stop();
  }
  // A connected client; the handshake has completed.
  std::unique_ptr<websocket::stream<tcp::socket>> Connect(const std::string& target = "/ws") {
    auto client = std::make_unique<websocket::stream<tcp::socket>>(io_);
    client->next_layer().connect({net::ip::make_address("127.0.0.1"), server_->port()});
    client->handshake("127.0.0.1", target);
    return client;
  }
  std::string Read(websocket::stream<tcp::socket>& client) {
    beast::flat_buffer buffer;
    client.read(buffer);
    return beast::buffers_to_string(buffer.data());
  }

  net::io_context io_;
  Router router_;
  std::shared_ptr<RecordingHandler> handler_ = std::make_shared<RecordingHandler>();
  std::unique_ptr<HttpServer> server_;
};

TEST_F(WebSocketTest, TextGoesToTheHandlerAndSessionMessagesToTheClient) {
  StartServer();
  auto client = Connect("/ws?x=1");  // the query does not matter
  ASSERT_TRUE(handler_->WaitFor(1, 0));
  client->binary(true);
  client->write(net::buffer(std::string("ignored")));
  client->text(true);
  client->write(net::buffer(std::string("hello")));
  EXPECT_EQ(Read(*client), "echo:hello");
  EXPECT_TRUE(handler_->session(0)->SendText("pushed"));
  EXPECT_EQ(Read(*client), "pushed");
  EXPECT_EQ(handler_->texts(), std::vector<std::string>{"hello"});  // binary: ignored

  client->close(websocket::close_code::normal);
  ASSERT_TRUE(handler_->WaitFor(1, 1));
  EXPECT_FALSE(handler_->session(0)->SendText("too late"));
}

TEST_F(WebSocketTest, PlainRequestsAndOtherPathsGoToTheRouter) {
  router_.Get("/ws", [](const Request&) { return Response::Text(200, "plain"); });
  StartServer();
  tcp::socket socket(io_);
  socket.connect({net::ip::make_address("127.0.0.1"), server_->port()});
  beast::http::request<beast::http::empty_body> request(beast::http::verb::get, "/ws", 11);
  beast::http::write(socket, request);
  beast::flat_buffer buffer;
  beast::http::response<beast::http::string_body> response;
  beast::http::read(socket, buffer, response);
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), "plain");

  // An upgrade to a path without a handler is an ordinary (here unknown) request.
  websocket::stream<tcp::socket> other(io_);
  other.next_layer().connect({net::ip::make_address("127.0.0.1"), server_->port()});
  beast::error_code ec;
  other.handshake("127.0.0.1", "/other", ec);
  EXPECT_EQ(ec, websocket::error::upgrade_declined);
}

TEST_F(WebSocketTest, SlowClientLosesMessagesInsteadOfBlockingTheSender) {
  ServerOptions options;
  options.websocket_queue_limit = 4;
  StartServer(options);
  auto client = Connect();  // never reads
  ASSERT_TRUE(handler_->WaitFor(1, 0));
  auto session = handler_->session(0);
  const std::string big(256 * 1024, 'x');
  int refused = 0;
  for (int i = 0; i < 2000; ++i) {  // 500 MB: far more than the socket buffers hold
    if (!session->SendText(big))
      ++refused;
  }
  EXPECT_GT(refused, 0);
  EXPECT_EQ(session->dropped(), static_cast<std::size_t>(refused));
  // The client still gets whole messages in order once it reads.
  EXPECT_EQ(Read(*client), big);
}

TEST_F(WebSocketTest, StopClosesOpenSessions) {
  StartServer();
  auto first = Connect();
  auto second = Connect();
  ASSERT_TRUE(handler_->WaitFor(2, 0));
  server_->Stop();  // neither client reads: the server waits a moment for their answers, not more
  EXPECT_EQ(handler_->closed(), 2);
  // Each got a close frame saying the server is going away, not just a dropped connection (the
  // read still fails: the client's answer to the frame finds the socket closed).
  for (auto* client : {first.get(), second.get()}) {
    beast::flat_buffer buffer;
    beast::error_code ec;
    client->read(buffer, ec);
    EXPECT_TRUE(ec);
    EXPECT_EQ(client->reason().code, websocket::close_code::going_away);
  }
}

TEST_F(WebSocketTest, StopWaitsForAClientThatAnswersTheCloseFrame) {
  StartServer();
  auto client = Connect();
  ASSERT_TRUE(handler_->WaitFor(1, 0));
  ASSERT_TRUE(handler_->session(0)->SendText("before"));
  beast::error_code ec;
  std::string first_message;
  std::thread reader([&] {
    beast::flat_buffer buffer;
    client->read(buffer, ec);
    first_message = beast::buffers_to_string(buffer.data());
    buffer.clear();
    // The read after the close frame answers it (Beast's client does), then ends.
    client->read(buffer, ec);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  server_->Stop();
  reader.join();
  EXPECT_EQ(first_message, "before");
  EXPECT_EQ(ec, websocket::error::closed) << ec.message();
  EXPECT_EQ(client->reason().code, websocket::close_code::going_away);
}

TEST_F(WebSocketTest, SessionCloseEndsTheConnection) {
  StartServer();
  auto client = Connect();
  ASSERT_TRUE(handler_->WaitFor(1, 0));
  handler_->session(0)->Close();
  beast::flat_buffer buffer;
  beast::error_code ec;
  client->read(buffer, ec);  // gets the close frame and answers it
  EXPECT_EQ(ec, websocket::error::closed) << ec.message();
  EXPECT_EQ(client->reason().code, websocket::close_code::going_away);
  ASSERT_TRUE(handler_->WaitFor(1, 1));
}

}  // namespace
}  // namespace corvette::http
