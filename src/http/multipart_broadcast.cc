#include "http/multipart_broadcast.h"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <utility>

#include "http/log.h"

namespace corvette::http {
namespace {

namespace net = boost::asio;

constexpr std::string_view kPartSuffix = "\r\n\r\n";

}  // namespace

MultipartBroadcast::MultipartBroadcast(net::io_context& io, std::shared_ptr<MultipartStream> source,
                                       std::shared_ptr<StreamCounters> counters)
    : strand_(net::make_strand(io.get_executor())),
      timer_(strand_),
      source_(std::move(source)),
      counters_(std::move(counters)),
      prefix_(fmt::format("--{}\r\nContent-Type: {}\r\n\r\n", source_->boundary,
                          source_->part_content_type)) {}

void MultipartBroadcast::Subscribe(std::weak_ptr<PartSubscriber> subscriber) {
  net::dispatch(strand_, [self = shared_from_this(), subscriber = std::move(subscriber)] {
    if (self->ended()) {
      if (auto alive = subscriber.lock())
        alive->EndOfParts();
      return;
    }
    self->subscribers_.push_back(subscriber);
    self->counters_->viewers.fetch_add(1, std::memory_order_relaxed);
    if (!self->running_) {
      self->Start();
    } else if (self->last_part_) {
      if (auto alive = subscriber.lock())
        alive->OfferPart(self->last_part_);
    }
  });
}

void MultipartBroadcast::Unsubscribe(const PartSubscriber* subscriber) {
  net::dispatch(strand_, [self = shared_from_this(), subscriber] {
    const std::size_t before = self->subscribers_.size();
    std::erase_if(self->subscribers_, [subscriber](const std::weak_ptr<PartSubscriber>& weak) {
      auto alive = weak.lock();
      return alive == nullptr || alive.get() == subscriber;
    });
    self->counters_->viewers.fetch_sub(before - self->subscribers_.size(),
                                       std::memory_order_relaxed);
    if (self->subscribers_.empty() && self->running_)
      self->Stop();
  });
}

void MultipartBroadcast::Start() {
  running_ = true;
  ++generation_;
  counters_->broadcasts.fetch_add(1, std::memory_order_relaxed);
  next_due_ = std::chrono::steady_clock::now();
  Tick(generation_);
}

void MultipartBroadcast::Stop() {
  running_ = false;
  counters_->broadcasts.fetch_sub(1, std::memory_order_relaxed);
  timer_.cancel();
  last_body_.reset();
  last_part_.reset();
}

void MultipartBroadcast::Tick(std::uint64_t generation) {
  if (!running_ || generation != generation_)
    return;
  std::shared_ptr<const std::string> body;
  try {
    if (source_->next_part)
      body = source_->next_part();
  } catch (const std::exception& error) {
    Log().error("stream part failed: {}", error.what());
  }
  if (!body) {
    End();
    return;
  }
  counters_->parts_made.fetch_add(1, std::memory_order_relaxed);
  if (body != last_body_) {
    std::string part;
    part.reserve(prefix_.size() + body->size() + kPartSuffix.size());
    part.append(prefix_).append(*body).append(kPartSuffix);
    last_part_ = std::make_shared<const std::string>(std::move(part));
    last_body_ = std::move(body);
  }
  // Offer from a copy: a subscriber may unsubscribe (inline, on this strand) while offered.
  offering_.clear();
  const std::size_t before = subscribers_.size();
  std::erase_if(subscribers_, [this](const std::weak_ptr<PartSubscriber>& weak) {
    auto alive = weak.lock();
    if (alive == nullptr)
      return true;
    offering_.push_back(std::move(alive));
    return false;
  });
  counters_->viewers.fetch_sub(before - subscribers_.size(), std::memory_order_relaxed);
  const std::shared_ptr<const std::string> part = last_part_;
  for (const auto& subscriber : offering_)
    subscriber->OfferPart(part);
  offering_.clear();
  if (!running_)
    return;  // the last subscriber left while offered
  if (subscribers_.empty()) {
    Stop();
    return;
  }
  ScheduleTick();
}

void MultipartBroadcast::ScheduleTick() {
  next_due_ += source_->interval;
  const auto now = std::chrono::steady_clock::now();
  if (next_due_ < now)
    next_due_ = now;  // late: no catching up with a burst
  timer_.expires_at(next_due_);
  timer_.async_wait(
      [self = shared_from_this(), generation = generation_](boost::system::error_code ec) {
        if (!ec)
          self->Tick(generation);
      });
}

void MultipartBroadcast::End() {
  ended_.store(true, std::memory_order_relaxed);
  if (running_)
    Stop();
  std::vector<std::weak_ptr<PartSubscriber>> subscribers = std::move(subscribers_);
  subscribers_.clear();
  counters_->viewers.fetch_sub(subscribers.size(), std::memory_order_relaxed);
  source_->next_part = nullptr;  // releases what the callback captured, now
  for (const auto& weak : subscribers) {
    if (auto alive = weak.lock())
      alive->EndOfParts();
  }
}

std::shared_ptr<MultipartBroadcast> MultipartBroadcasts::Join(
    net::io_context& io, std::shared_ptr<MultipartStream> stream) {
  if (stream->shared_key.empty())
    return std::make_shared<MultipartBroadcast>(io, std::move(stream), counters_);
  const std::string key = fmt::format("{}\n{}\n{}\n{}", stream->shared_key, stream->boundary,
                                      stream->part_content_type, stream->interval.count());
  std::lock_guard lock(mutex_);
  std::erase_if(live_, [](const auto& entry) { return entry.second.expired(); });
  std::weak_ptr<MultipartBroadcast>& slot = live_[key];
  if (auto running = slot.lock(); running && !running->ended())
    return running;
  auto broadcast = std::make_shared<MultipartBroadcast>(io, std::move(stream), counters_);
  slot = broadcast;
  return broadcast;
}

StreamStats MultipartBroadcasts::Stats() const {
  StreamStats stats;
  stats.broadcasts = counters_->broadcasts.load(std::memory_order_relaxed);
  stats.viewers = counters_->viewers.load(std::memory_order_relaxed);
  stats.parts_made = counters_->parts_made.load(std::memory_order_relaxed);
  stats.parts_sent = counters_->parts_sent.load(std::memory_order_relaxed);
  stats.parts_skipped = counters_->parts_skipped.load(std::memory_order_relaxed);
  return stats;
}

std::shared_ptr<const std::string> PartWriteSlot::Offer(std::shared_ptr<const std::string> part) {
  if (!writing_) {
    writing_ = true;
    return part;
  }
  if (waiting_)
    ++skipped_;
  waiting_ = std::move(part);
  return nullptr;
}

std::shared_ptr<const std::string> PartWriteSlot::Written() {
  if (waiting_)
    return std::exchange(waiting_, nullptr);  // still writing: this one next
  writing_ = false;
  return nullptr;
}

void PartWriteSlot::Clear() {
  writing_ = false;
  waiting_.reset();
}

}  // namespace corvette::http
