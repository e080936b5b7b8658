#pragma once

// Multipart streams (http/response.h MultipartStream) shared by their viewers: one pacing timer and
// one call of next_part per interval for every connection watching the same thing, each part
// framed once into a single immutable buffer that every connection writes as it is.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "http/beast.h"
#include "http/response.h"
#include "http/server.h"  // StreamStats

namespace corvette::http {

// What a broadcast delivers to: a streaming connection. Both calls come from the broadcast's
// strand and must not block (a connection hands the part to its own strand).
class PartSubscriber {
 public:
  virtual ~PartSubscriber() = default;
  // `part` is one complete part: "--<boundary>\r\nContent-Type: <type>\r\n\r\n<body>\r\n\r\n",
  // shared read-only with every other subscriber.
  virtual void OfferPart(std::shared_ptr<const std::string> part) = 0;
  // The producer has no more parts (next_part gave nullptr or threw): end the stream.
  virtual void EndOfParts() = 0;
};

// Counters shared by the broadcasts of one server and its connections (thread-safe).
struct StreamCounters {
  std::atomic<std::size_t> broadcasts{0};
  std::atomic<std::size_t> viewers{0};
  std::atomic<std::uint64_t> parts_made{0};
  std::atomic<std::uint64_t> parts_sent{0};
  std::atomic<std::uint64_t> parts_skipped{0};
};

// One MultipartStream's producer and its subscribers, on a strand of its own. While it has
// subscribers, a timer calls next_part every `interval` (starting at once when the first one
// joins; late ticks do not catch up), frames the part once (the same body returned again is not
// framed again) and offers it to every subscriber. A subscriber that joins a running broadcast is
// offered the latest part at once. When the last subscriber leaves, the timer stops and the
// broadcast lets go of its part; it is destroyed (releasing the MultipartStream and what its
// callback captured) once nothing holds it. Thread-safe public interface.
class MultipartBroadcast : public std::enable_shared_from_this<MultipartBroadcast> {
 public:
  MultipartBroadcast(boost::asio::io_context& io, std::shared_ptr<MultipartStream> source,
                     std::shared_ptr<StreamCounters> counters);
  MultipartBroadcast(const MultipartBroadcast&) = delete;
  MultipartBroadcast& operator=(const MultipartBroadcast&) = delete;

  // Adds a subscriber (held weakly: one that is destroyed simply stops being offered parts).
  // Joining a broadcast that has ended gets EndOfParts.
  void Subscribe(std::weak_ptr<PartSubscriber> subscriber);
  // Removes `subscriber`; it is offered nothing once the broadcast's strand has run this, which
  // is the next thing the strand does.
  void Unsubscribe(const PartSubscriber* subscriber);

  bool ended() const { return ended_.load(std::memory_order_relaxed); }

 private:
  void Start();
  void Stop();
  void Tick(std::uint64_t generation);
  void ScheduleTick();
  void End();

  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  Strand strand_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<MultipartStream> source_;
  const std::shared_ptr<StreamCounters> counters_;
  const std::string prefix_;
  // Strand only:
  std::vector<std::weak_ptr<PartSubscriber>> subscribers_;
  std::vector<std::shared_ptr<PartSubscriber>> offering_;  // reused each tick
  std::shared_ptr<const std::string> last_body_;
  std::shared_ptr<const std::string> last_part_;
  std::chrono::steady_clock::time_point next_due_;
  std::uint64_t generation_ = 0;  // bumped by Start(): a tick of an earlier run is stale
  bool running_ = false;
  std::atomic<bool> ended_{false};
};

// The live broadcasts of one server, by MultipartStream::shared_key (with boundary, part type and
// interval): streams with the same non-empty key share one broadcast, the one started by the first
// of them (later streams' callbacks are dropped unused). An empty key gets a broadcast of its own.
// Thread-safe.
class MultipartBroadcasts {
 public:
  MultipartBroadcasts() : counters_(std::make_shared<StreamCounters>()) {}

  // The broadcast `stream` belongs to, created on `io` if none is running.
  std::shared_ptr<MultipartBroadcast> Join(boost::asio::io_context& io,
                                           std::shared_ptr<MultipartStream> stream);
  StreamStats Stats() const;
  StreamCounters& counters() const { return *counters_; }

 private:
  const std::shared_ptr<StreamCounters> counters_;
  mutable std::mutex mutex_;
  std::map<std::string, std::weak_ptr<MultipartBroadcast>, std::less<>> live_;
};

// The part a streaming connection writes and the one waiting behind it: at most one of each, so a
// slow viewer skips parts (a newer part replaces the waiting one) instead of queueing them. Not
// thread-safe (a connection's strand).
class PartWriteSlot {
 public:
  // Returns the part to write now (nothing is being written), or nullptr when `part` has to wait
  // (it replaces a waiting part, which is then skipped).
  std::shared_ptr<const std::string> Offer(std::shared_ptr<const std::string> part);
  // The write in progress is done; returns the waiting part to write next, or nullptr.
  std::shared_ptr<const std::string> Written();
  void Clear();

  bool writing() const { return writing_; }
  bool waiting() const { return waiting_ != nullptr; }
  std::uint64_t skipped() const { return skipped_; }

 private:
  bool writing_ = false;
  std::shared_ptr<const std::string> waiting_;
  std::uint64_t skipped_ = 0;
};

}  // namespace corvette::http
