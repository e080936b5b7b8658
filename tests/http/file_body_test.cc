#include "http/file_body.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <future>
#include <random>
#include <thread>

#include "../storage/test_dir.h"

namespace corvette::http {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// Sends [offset, offset+length) of a file to a real TCP client and returns what it received and
// the sender's result.
std::pair<std::string, boost::beast::error_code> SendOverTcp(const std::string& path,
                                                             std::uint64_t offset,
                                                             std::uint64_t length) {
  net::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(net::ip::address_v4::loopback(), 0));
  std::promise<boost::beast::error_code> sent;
  std::shared_ptr<boost::beast::tcp_stream> stream;
  acceptor.async_accept([&](boost::beast::error_code ec, tcp::socket socket) {
    ASSERT_FALSE(ec);
    stream = std::make_shared<boost::beast::tcp_stream>(std::move(socket));
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    auto body = std::make_shared<const FileBody>(fd, offset, length);
    AsyncSendFileBody(*stream, body, std::chrono::seconds(5),
                      [&, keep = stream](boost::beast::error_code result) {
                        boost::beast::error_code ignored;
                        keep->socket().shutdown(tcp::socket::shutdown_send, ignored);
                        sent.set_value(result);
                      });
  });
  std::thread runner([&] { io.run(); });
  tcp::socket client(io);
  client.connect(acceptor.local_endpoint());
  std::string received;
  char buffer[10000];
  boost::system::error_code ec;
  while (true) {
    std::size_t n = client.read_some(net::buffer(buffer), ec);
    received.append(buffer, n);
    if (ec)
      break;
  }
  auto result = sent.get_future().get();
  runner.join();
  return {received, result};
}

TEST(FileBodyTest, SendsExactlyTheRangeInChunks) {
  storage::testing::TestDir dir;
  std::string path = dir.File("data.bin");
  std::string content(300'000, '\0');
  std::mt19937 random(3);
  for (char& c : content)
    c = static_cast<char>(random());
  std::ofstream(path, std::ios::binary) << content;

  auto [whole, ok] = SendOverTcp(path, 0, content.size());
  EXPECT_FALSE(ok);
  EXPECT_EQ(whole, content);
  auto [part, ok2] = SendOverTcp(path, 1234, 200'000);
  EXPECT_FALSE(ok2);
  EXPECT_EQ(part, content.substr(1234, 200'000));
  auto [empty, ok3] = SendOverTcp(path, 10, 0);
  EXPECT_FALSE(ok3);
  EXPECT_EQ(empty, "");
}

TEST(FileBodyTest, FileShorterThanPromisedIsAnError) {
  storage::testing::TestDir dir;
  std::string path = dir.File("short.bin");
  std::ofstream(path) << std::string(1000, 'x');
  auto [received, result] = SendOverTcp(path, 0, 5000);
  EXPECT_TRUE(result);
  EXPECT_EQ(received.size(), 1000u);
}

}  // namespace
}  // namespace corvette::http
