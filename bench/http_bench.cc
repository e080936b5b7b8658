// The HTTP path's fixed costs: routing, query parsing, rate marking and a loopback keep-alive
// request/response round trip through the real server.

#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "http/router.h"
#include "http/server.h"
#include "stats/rate_meter.h"

namespace corvette {
namespace {

http::Router MakeRouter() {
  http::Router router;
  router.Get("/api/", [](const http::Request&) { return http::Response::Text(200, "ok"); });
  router.Get("/api/stats", [](const http::Request&) { return http::Response::Text(200, "{}"); });
  router.Get("/api/events", [](const http::Request&) { return http::Response::Text(200, "[]"); });
  router.Get("/api/events/<id>",
             [](const http::Request&) { return http::Response::Text(200, ""); });
  router.Get("/api/<camera>", [](const http::Request&) { return http::Response::Text(200, ""); });
  router.Get("/api/<camera>/latest.jpg", [](const http::Request& request) {
    return http::Response::Text(200, request.Param("camera"));
  });
  router.Get("/api/<camera>/<label>/best.jpg",
             [](const http::Request&) { return http::Response::Text(200, ""); });
  return router;
}

void BM_RouterHandle(benchmark::State& state) {
  http::Router router = MakeRouter();
  for (auto _ : state) {
    benchmark::DoNotOptimize(router.Handle("GET", "/api/front_door/latest.jpg?h=277&bbox=1"));
  }
}
BENCHMARK(BM_RouterHandle);

void BM_QueryParse(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(http::QueryParams::Parse(
        "camera=front_door&label=person&zone=&after=1623643750&limit=50&has_clip=1"));
  }
}
BENCHMARK(BM_QueryParse);

void BM_RateMeterMark(benchmark::State& state) {
  stats::RateMeter meter;
  for (auto _ : state) {
    meter.Mark();
  }
}
BENCHMARK(BM_RateMeterMark);

// One keep-alive GET /api/stats round trip over loopback (client and server on this machine).
void BM_LoopbackKeepAliveRequest(benchmark::State& state) {
  http::Router router = MakeRouter();
  http::ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  http::HttpServer server(options, router);
  if (auto error = server.Start()) {
    state.SkipWithError(error->c_str());
    return;
  }
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(server.port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    state.SkipWithError("connect failed");
    return;
  }
  const std::string request = "GET /api/stats HTTP/1.1\r\nHost: bench\r\n\r\n";
  char buffer[4096];
  for (auto _ : state) {
    if (::send(fd, request.data(), request.size(), 0) != static_cast<ssize_t>(request.size())) {
      state.SkipWithError("send failed");
      break;
    }
    // The whole response ends with the 2-byte body "{}".
    std::string response;
    while (response.size() < 2 || response.compare(response.size() - 2, 2, "{}") != 0) {
      ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) {
        state.SkipWithError("recv failed");
        break;
      }
      response.append(buffer, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  server.Stop();
}
BENCHMARK(BM_LoopbackKeepAliveRequest)->UseRealTime();

}  // namespace
}  // namespace corvette

BENCHMARK_MAIN();
