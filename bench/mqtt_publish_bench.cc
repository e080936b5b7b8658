// MqttClient::Publish cost seen by a caller (camera and event threads), and what one client
// pushes through a local mosquitto. Needs /usr/sbin/mosquitto for the broker cases.
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>
#include <thread>

#include "../tests/mqtt/test_broker.h"
#include "mqtt/mqtt_client.h"

namespace {

using corvette::mqtt::MqttClient;
using corvette::mqtt::MqttOptions;
using corvette::mqtt::testing::TestBroker;

// Publish into the queue of a client that has no connection: steady state of a full queue that
// evicts its oldest message on every call (the worst case while the broker is away).
void BM_PublishWhileDisconnected(benchmark::State& state) {
  MqttOptions options;
  options.port = corvette::mqtt::testing::FindFreeLoopbackPort();  // nobody listens
  options.queue_capacity = 1000;
  MqttClient client(options);  // not started: no retries in the background
  const std::string payload(static_cast<std::size_t>(state.range(0)), 'x');
  for (auto _ : state) {
    client.Publish("front/person", payload);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PublishWhileDisconnected)->Arg(16)->Arg(1024);

// A retained state re-published while disconnected: coalesced in place.
void BM_PublishRetainedCoalesced(benchmark::State& state) {
  MqttOptions options;
  options.port = corvette::mqtt::testing::FindFreeLoopbackPort();
  MqttClient client(options);
  for (int i = 0; i < 100; ++i) {  // other states ahead of it in the queue
    client.Publish("cam" + std::to_string(i) + "/detect/state", "ON", true);
  }
  for (auto _ : state) {
    client.Publish("cam99/detect/state", "OFF", true);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PublishRetainedCoalesced);

// Messages per second from Publish to the socket through a real broker (QoS 0). Each iteration
// publishes a batch and waits until the client has handed all of it to the connection.
void BM_PublishThroughBroker(benchmark::State& state) {
  TestBroker broker;
  broker.Start();
  MqttOptions options;
  options.port = broker.port();
  options.client_id = "bench-publisher";
  options.queue_capacity = 100000;
  MqttClient client(options);
  client.Start();
  while (!client.Stats().connected) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::string payload(static_cast<std::size_t>(state.range(0)), 'x');
  constexpr int kBatch = 1000;
  for (auto _ : state) {
    const std::uint64_t target = client.Stats().published + kBatch;
    for (int i = 0; i < kBatch; ++i) {
      client.Publish("front/person", payload);
    }
    while (client.Stats().published < target) {
      std::this_thread::yield();
    }
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.SetBytesProcessed(state.iterations() * kBatch * state.range(0));
  state.counters["dropped"] = static_cast<double>(client.Stats().dropped);
}
BENCHMARK(BM_PublishThroughBroker)->Arg(100)->Arg(64 * 1024)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
