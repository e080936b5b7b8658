#include "http/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "../support/wait_for.h"
#include "http/router.h"
#include "util/strings.h"

namespace corvette::http {
namespace {

using corvette::testing::WaitFor;

// A blocking test client on a raw socket; every read gives up after 10 s so a broken server
// fails the test instead of hanging it.
class Client {
 public:
  explicit Client(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval timeout{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~Client() { Close(); }
  void Close() {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = -1;
  }
  bool connected() const { return connected_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0)
        return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Reads until `delimiter` has arrived; false on EOF, error or timeout.
  bool ReadUntil(std::string_view delimiter) {
    while (pending_.find(delimiter) == std::string::npos) {
      if (!ReadMore())
        return false;
    }
    return true;
  }
  bool ReadBytes(std::size_t count) {
    while (pending_.size() < count) {
      if (!ReadMore())
        return false;
    }
    return true;
  }
  // True when the server closed the connection (EOF or reset) before the 10 s timeout.
  bool WaitForClose() {
    char buffer[4096];
    while (true) {
      ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n == 0)
        return true;
      if (n < 0)
        return errno == ECONNRESET;
    }
  }

  struct Reply {
    int status = 0;
    std::string head;  // status line and headers
    std::string body;
  };
  // Reads one complete response (Content-Length bodies only). status 0 when none came.
  Reply ReadReply(bool head_request = false) {
    Reply reply;
    if (!ReadUntil("\r\n\r\n"))
      return reply;
    std::size_t end = pending_.find("\r\n\r\n");
    reply.head = pending_.substr(0, end + 2);
    pending_.erase(0, end + 4);
    reply.status = std::stoi(reply.head.substr(9, 3));
    std::size_t length = 0;
    std::size_t at = util::ToLower(reply.head).find("content-length: ");
    if (at != std::string::npos)
      length = std::stoul(reply.head.substr(at + 16));
    if (head_request)
      length = 0;
    if (!ReadBytes(length))
      return Reply{};
    reply.body = pending_.substr(0, length);
    pending_.erase(0, length);
    return reply;
  }

  std::string& pending() { return pending_; }
  bool ReadMoreForTest() { return ReadMore(); }

 private:
  bool ReadMore() {
    char buffer[65536];
    ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0)
      return false;
    pending_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string pending_;
};

std::string Get(std::string_view path, std::string_view extra_headers = "") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) +
         "\r\n";
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Get("/api/version", [](const Request&) { return Response::Text(200, "1.2.3"); });
    router_.Get("/big", [](const Request&) {
      return Response::Bytes("image/jpg", std::make_shared<const std::string>(300000, 'x'));
    });
  }
  void StartServer(ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<HttpServer>(options, router_);
    auto error = server_->Start();
    ASSERT_FALSE(error.has_value()) << *error;
    ASSERT_NE(server_->port(), 0);
  }
  void TearDown() override {
    if (server_)
      server_->Stop();
  }

  Router router_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  StartServer();
  Client client(server_->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(Get("/api/version")));
  Client::Reply first = client.ReadReply();
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body, "1.2.3");
  EXPECT_NE(util::ToLower(first.head).find("content-type: text/plain"), std::string::npos);
  ASSERT_TRUE(client.Send(Get("/big")));
  Client::Reply second = client.ReadReply();
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.body.size(), 300000u);
}

TEST_F(ServerTest, HandlersRunAtTheIoThreadNiceness) {
  router_.Get("/nice", [](const Request&) {
    errno = 0;
    const int nice = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
    return Response::Text(200, std::to_string(nice));
  });
  errno = 0;
  const int ours = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
  ServerOptions options;
  options.io_thread_niceness = 5;
  StartServer(options);
  Client client(server_->port());
  ASSERT_TRUE(client.Send(Get("/nice")));
  Client::Reply reply = client.ReadReply();
  EXPECT_EQ(reply.body, std::to_string(std::min(ours + 5, 19)));
  // The test's own thread keeps its nice value.
  EXPECT_EQ(::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid())), ours);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  Client client(server_->port());
  ASSERT_TRUE(client.Send(Get("/api/version") + Get("/nothing") + Get("/api/version")));
  EXPECT_EQ(client.ReadReply().status, 200);
  EXPECT_EQ(client.ReadReply().status, 404);
  EXPECT_EQ(client.ReadReply().body, "1.2.3");
}

TEST_F(ServerTest, HeadSendsHeadersWithGetLengthAndNoBody) {
  StartServer();
  Client client(server_->port());
  ASSERT_TRUE(client.Send("HEAD /big HTTP/1.1\r\nHost: t\r\n\r\n"));
  Client::Reply head = client.ReadReply(/*head_request=*/true);
  EXPECT_EQ(head.status, 200);
  EXPECT_NE(util::ToLower(head.head).find("content-length: 300000"), std::string::npos);
  // Had a body been sent, it would be read here instead of the next status line.
  ASSERT_TRUE(client.Send(Get("/api/version")));
  Client::Reply next = client.ReadReply();
  EXPECT_EQ(next.status, 200);
  EXPECT_EQ(next.body, "1.2.3");
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  StartServer();
  Client client(server_->port());
  ASSERT_TRUE(client.Send(Get("/api/version", "Connection: close\r\n")));
  EXPECT_EQ(client.ReadReply().status, 200);
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(ServerTest, MalformedRequestGets400AndTheServerServesOthers) {
  StartServer();
  for (const char* garbage : {"GARBAGE\r\n\r\n", "GET /x HTTP/9\r\n\r\n", "GET  HTTP/1.1\r\n\r\n",
                              "GET / HTTP/1.1\r\nBad Header\r\n\r\n", "\x01\x02\x03\r\n\r\n"}) {
    Client bad(server_->port());
    ASSERT_TRUE(bad.Send(garbage));
    Client::Reply reply = bad.ReadReply();
    EXPECT_EQ(reply.status, 400) << garbage;
    EXPECT_TRUE(bad.WaitForClose()) << garbage;
  }
  Client good(server_->port());
  ASSERT_TRUE(good.Send(Get("/api/version")));
  EXPECT_EQ(good.ReadReply().status, 200);
}

TEST_F(ServerTest, OversizeHeadersGet431AndOversizeBodies413) {
  ServerOptions options;
  options.max_header_bytes = 1024;
  options.max_body_bytes = 1024;
  StartServer(options);
  {
    Client client(server_->port());
    ASSERT_TRUE(
        client.Send("GET /api/version HTTP/1.1\r\nX-Long: " + std::string(4000, 'a') + "\r\n\r\n"));
    EXPECT_EQ(client.ReadReply().status, 431);
    EXPECT_TRUE(client.WaitForClose());
  }
  {
    Client client(server_->port());
    ASSERT_TRUE(client.Send("POST /api/version HTTP/1.1\r\nContent-Length: 100000\r\n\r\n" +
                            std::string(2000, 'b')));
    EXPECT_EQ(client.ReadReply().status, 413);
    EXPECT_TRUE(client.WaitForClose());
  }
}

TEST_F(ServerTest, IdleAndSlowClientsAreClosedWithoutHoldingUpOthers) {
  ServerOptions options;
  options.io_threads = 1;  // a slow client must not occupy the only thread
  options.read_timeout = std::chrono::milliseconds(300);
  options.idle_timeout = std::chrono::milliseconds(300);
  StartServer(options);
  Client idle(server_->port());
  Client slow(server_->port());
  ASSERT_TRUE(slow.Send("GET /api/version HTTP/1.1\r\nHo"));
  Client kept_alive(server_->port());
  ASSERT_TRUE(kept_alive.Send(Get("/api/version")));
  EXPECT_EQ(kept_alive.ReadReply().status, 200);

  Client other(server_->port());
  ASSERT_TRUE(other.Send(Get("/api/version")));
  EXPECT_EQ(other.ReadReply().status, 200);

  EXPECT_TRUE(idle.WaitForClose());
  EXPECT_TRUE(slow.WaitForClose());
  EXPECT_TRUE(kept_alive.WaitForClose());
}

TEST_F(ServerTest, SecondServerOnTheSamePortReportsAddressInUse) {
  StartServer();
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = server_->port();
  HttpServer second(options, router_);
  auto error = second.Start();
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("cannot listen on 127.0.0.1:"), std::string::npos) << *error;
  EXPECT_NE(error->find("in use"), std::string::npos) << *error;
}

TEST_F(ServerTest, BadHostReportsAnError) {
  ServerOptions options;
  options.host = "no.such.host.invalid";
  options.port = 0;
  HttpServer server(options, router_);
  EXPECT_TRUE(server.Start().has_value());
}

// A stream producer that counts its calls; `alive` expires once the connection has let go of it.
struct Producer {
  std::atomic<int> calls{0};
  std::shared_ptr<int> token = std::make_shared<int>(0);
};

MultipartStream CountingStream(Producer& producer, int parts_before_end = -1) {
  MultipartStream stream;
  stream.interval = std::chrono::milliseconds(10);
  stream.next_part = [&producer, token = producer.token,
                      parts_before_end]() -> std::shared_ptr<const std::string> {
    int call = ++producer.calls;
    if (parts_before_end >= 0 && call > parts_before_end)
      return nullptr;
    return std::make_shared<const std::string>("JPEG" + std::to_string(call));
  };
  return stream;
}

TEST_F(ServerTest, MultipartStreamWritesFramedPartsAndStopsWhenTheClientLeaves) {
  auto producer = std::make_shared<Producer>();
  router_.Get("/api/<camera>",
              [producer](const Request&) { return Response::Stream(CountingStream(*producer)); });
  std::weak_ptr<int> token = producer->token;
  producer->token.reset();
  StartServer();
  Client client(server_->port());
  ASSERT_TRUE(client.Send(Get("/api/demo?fps=5")));
  ASSERT_TRUE(client.ReadUntil("\r\n\r\n"));
  std::string head = util::ToLower(client.pending().substr(0, client.pending().find("\r\n\r\n")));
  EXPECT_NE(head.find("content-type: multipart/x-mixed-replace; boundary=frame"),
            std::string::npos);
  EXPECT_EQ(head.find("content-length"), std::string::npos);
  client.pending().erase(0, client.pending().find("\r\n\r\n") + 4);
  ASSERT_TRUE(client.ReadUntil("JPEG3\r\n\r\n"));
  const std::string expected =
      "--frame\r\nContent-Type: image/jpeg\r\n\r\nJPEG1\r\n\r\n"
      "--frame\r\nContent-Type: image/jpeg\r\n\r\nJPEG2\r\n\r\n";
  EXPECT_EQ(client.pending().substr(0, expected.size()), expected);
  client.Close();
  EXPECT_TRUE(WaitFor([&] { return token.expired(); }));
  int calls_after_close = producer->calls;
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(producer->calls, calls_after_close);
}

TEST_F(ServerTest, MultipartStreamEndsWhenTheProducerHasNoMoreParts) {
  auto producer = std::make_shared<Producer>();
  router_.Get("/api/<camera>", [producer](const Request&) {
    return Response::Stream(CountingStream(*producer, 2));
  });
  StartServer();
  Client client(server_->port());
  ASSERT_TRUE(client.Send(Get("/api/demo")));
  ASSERT_TRUE(client.ReadUntil("JPEG2\r\n\r\n"));
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(ServerTest, StopEndsStreamsAndKeptAliveConnectionsPromptly) {
  auto producer = std::make_shared<Producer>();
  router_.Get("/api/<camera>",
              [producer](const Request&) { return Response::Stream(CountingStream(*producer)); });
  StartServer();
  Client streaming(server_->port());
  ASSERT_TRUE(streaming.Send(Get("/api/demo")));
  ASSERT_TRUE(streaming.ReadUntil("JPEG1"));
  Client kept_alive(server_->port());
  ASSERT_TRUE(kept_alive.Send(Get("/api/version")));
  EXPECT_EQ(kept_alive.ReadReply().status, 200);
  server_->Stop();
  EXPECT_TRUE(kept_alive.WaitForClose());
  EXPECT_TRUE(streaming.WaitForClose());
  Client after(server_->port());
  EXPECT_FALSE(after.connected());
}

// Big numbered parts ("PART<n>|xxxx..."), shared by every viewer of /live.
struct BigParts {
  std::atomic<int> calls{0};
  std::size_t size = 256 * 1024;
};

MultipartStream SharedBigStream(BigParts& parts, std::chrono::milliseconds interval) {
  MultipartStream stream;
  stream.interval = interval;
  stream.shared_key = "live";
  stream.next_part = [&parts]() -> std::shared_ptr<const std::string> {
    std::string part = "PART" + std::to_string(++parts.calls) + "|";
    part.resize(parts.size, 'x');
    return std::make_shared<const std::string>(std::move(part));
  };
  return stream;
}

// The part numbers in what a client has read so far.
std::vector<int> PartNumbers(const std::string& received) {
  std::vector<int> numbers;
  for (std::size_t at = received.find("PART"); at != std::string::npos;
       at = received.find("PART", at + 4)) {
    const std::size_t bar = received.find('|', at);
    if (bar == std::string::npos)
      break;
    numbers.push_back(std::stoi(received.substr(at + 4, bar - at - 4)));
  }
  return numbers;
}

// Reads until a part numbered `number` or higher has arrived; false on EOF, error or timeout.
bool ReadUntilPartAtLeast(Client& client, int number) {
  std::size_t scanned = 0;
  while (true) {
    const std::string& received = client.pending();
    const std::size_t from = scanned > 32 ? scanned - 32 : 0;
    const std::vector<int> numbers = PartNumbers(received.substr(from));
    if (!numbers.empty() && *std::max_element(numbers.begin(), numbers.end()) >= number)
      return true;
    scanned = received.size();
    if (!client.ReadMoreForTest())
      return false;
  }
}

TEST_F(ServerTest, StreamViewersWithTheSameKeyGetTheSamePartsFromOneProducer) {
  auto parts = std::make_shared<BigParts>();
  parts->size = 1000;
  router_.Get("/live", [parts](const Request&) {
    return Response::Stream(SharedBigStream(*parts, std::chrono::milliseconds(20)));
  });
  StartServer();
  Client first(server_->port());
  Client second(server_->port());
  ASSERT_TRUE(first.Send(Get("/live")));
  ASSERT_TRUE(second.Send(Get("/live")));
  ASSERT_TRUE(first.ReadUntil("PART10|"));
  ASSERT_TRUE(second.ReadUntil("PART10|"));
  EXPECT_EQ(server_->stream_stats().broadcasts, 1u);
  EXPECT_EQ(server_->stream_stats().viewers, 2u);
  // Both read the same numbered parts: made once, written to both.
  const std::vector<int> a = PartNumbers(first.pending());
  const std::vector<int> b = PartNumbers(second.pending());
  ASSERT_GE(a.size(), 5u);
  ASSERT_GE(b.size(), 5u);
  for (int n = std::max(a.front(), b.front()); n <= 10; ++n) {
    EXPECT_NE(std::find(a.begin(), a.end(), n), a.end()) << n;
    EXPECT_NE(std::find(b.begin(), b.end(), n), b.end()) << n;
  }
  EXPECT_EQ(server_->stream_stats().parts_skipped, 0u);
}

TEST_F(ServerTest, AStreamViewerThatLeavesIsNoLongerWrittenTo) {
  auto parts = std::make_shared<BigParts>();
  parts->size = 1000;
  router_.Get("/live", [parts](const Request&) {
    return Response::Stream(SharedBigStream(*parts, std::chrono::milliseconds(10)));
  });
  StartServer();
  Client staying(server_->port());
  Client leaving(server_->port());
  ASSERT_TRUE(staying.Send(Get("/live")));
  ASSERT_TRUE(leaving.Send(Get("/live")));
  ASSERT_TRUE(leaving.ReadUntil("PART3|"));
  ASSERT_TRUE(WaitFor([&] { return server_->stream_stats().viewers == 2; }));
  leaving.Close();
  ASSERT_TRUE(WaitFor([&] { return server_->stream_stats().viewers == 1; }));
  const StreamStats before = server_->stream_stats();
  for (int i = 0; i < 20; ++i)
    ASSERT_TRUE(staying.ReadMoreForTest());
  ASSERT_TRUE(
      WaitFor([&] { return server_->stream_stats().parts_made >= before.parts_made + 10; }));
  const StreamStats after = server_->stream_stats();
  // One write per part made, for the one viewer left (give or take the tick in progress).
  EXPECT_LE(after.parts_sent - before.parts_sent, after.parts_made - before.parts_made + 1);
  staying.Close();
  EXPECT_TRUE(WaitFor([&] { return server_->stream_stats().broadcasts == 0; }));
  const int calls = parts->calls;
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(parts->calls, calls);
}

TEST_F(ServerTest, ASlowStreamViewerSkipsPartsInsteadOfQueueingThem) {
  auto parts = std::make_shared<BigParts>();  // 256 KiB parts every 5 ms: 50 MB/s
  router_.Get("/live", [parts](const Request&) {
    return Response::Stream(SharedBigStream(*parts, std::chrono::milliseconds(5)));
  });
  StartServer();
  Client slow(server_->port());
  ASSERT_TRUE(slow.Send(Get("/live")));
  ASSERT_TRUE(slow.ReadUntil("PART1|"));
  // The slow viewer stops reading: the socket buffers fill and the server skips parts for it.
  ASSERT_TRUE(WaitFor([&] { return server_->stream_stats().parts_skipped >= 20; }));
  // A viewer that reads is not held up by the slow one.
  Client fast(server_->port());
  ASSERT_TRUE(fast.Send(Get("/live")));
  ASSERT_TRUE(fast.ReadUntil("\r\n\r\n"));
  const int joined_at = parts->calls;
  ASSERT_TRUE(ReadUntilPartAtLeast(fast, joined_at + 10));
  EXPECT_EQ(server_->stream_stats().viewers, 2u);
  // When the slow viewer reads again it gets what the kernel buffered and then a recent part,
  // not a backlog of every part it missed.
  const int made = parts->calls;
  ASSERT_TRUE(ReadUntilPartAtLeast(slow, made + 1));
  const std::vector<int> seen = PartNumbers(slow.pending());
  ASSERT_GE(seen.size(), 2u);
  bool jumped = false;
  for (std::size_t i = 1; i < seen.size(); ++i)
    jumped = jumped || seen[i] > seen[i - 1] + 1;
  EXPECT_TRUE(jumped);
}

TEST_F(ServerTest, AStreamViewerStuckOnOnePartLongerThanTheWriteTimeoutIsClosed) {
  auto parts = std::make_shared<BigParts>();
  router_.Get("/live", [parts](const Request&) {
    return Response::Stream(SharedBigStream(*parts, std::chrono::milliseconds(5)));
  });
  ServerOptions options;
  options.write_timeout = std::chrono::milliseconds(300);
  StartServer(options);
  Client stuck(server_->port());
  ASSERT_TRUE(stuck.Send(Get("/live")));
  ASSERT_TRUE(stuck.ReadUntil("PART1|"));
  EXPECT_TRUE(WaitFor([&] { return server_->stream_stats().viewers == 0; }));
  EXPECT_TRUE(stuck.WaitForClose());
}

TEST_F(ServerTest, ConnectionsBeyondTheLimitAreClosedAndOthersStillServed) {
  ServerOptions options;
  options.max_connections = 2;
  StartServer(options);
  Client first(server_->port());
  Client second(server_->port());
  ASSERT_TRUE(first.Send(Get("/api/version")));
  ASSERT_EQ(first.ReadReply().status, 200);
  ASSERT_TRUE(second.Send(Get("/api/version")));
  ASSERT_EQ(second.ReadReply().status, 200);
  Client third(server_->port());
  EXPECT_TRUE(third.WaitForClose());
  first.Close();
  // Once a slot frees up, new connections are served again.
  bool served = false;
  for (int attempt = 0; attempt < 100 && !served; ++attempt) {
    Client again(server_->port());
    served = again.Send(Get("/api/version")) && again.ReadReply().status == 200;
    if (!served)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(served);
}

}  // namespace
}  // namespace corvette::http
