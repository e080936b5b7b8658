#include "track/tracked_object.h"

#include <algorithm>
#include <array>

namespace corvette::track {

double CameraObjectSettings::ThresholdFor(const std::string& label) const {
  auto it = thresholds.find(label);
  return it == thresholds.end() ? default_threshold : it->second;
}

bool IsBetterThumbnail(const ThumbnailData& current, const ThumbnailData& candidate,
                       int frame_width, int frame_height) {
  if (TouchesFrameEdge(candidate.box, frame_width, frame_height) &&
      !TouchesFrameEdge(current.box, frame_width, frame_height)) {
    return false;
  }
  if (candidate.score > current.score + 0.05)
    return true;
  if (candidate.area > current.area * 1.1)
    return true;
  return false;
}

double ComputeScore(const std::vector<double>& history) {
  // Callers keep at most kHistoryLength values; longer histories use their last values.
  constexpr size_t kMax = TrackedObject::kHistoryLength;
  std::array<double, kMax> values{};  // zero padding
  const size_t n = std::min(history.size(), kMax);
  std::copy(history.end() - static_cast<std::ptrdiff_t>(n), history.end(), values.begin());
  const size_t length = std::max<size_t>(n, 3);
  std::sort(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(length));
  if (length % 2 == 1)
    return values[length / 2];
  return (values[length / 2 - 1] + values[length / 2]) / 2.0;
}

nlohmann::json EventMessage::ToJson() const {
  return nlohmann::json{{"before", before}, {"after", after}, {"type", type}};
}

TrackedObject::TrackedObject(std::string camera, const TrackedRecord& first,
                             std::shared_ptr<const CameraObjectSettings> settings)
    : camera_(std::move(camera)),
      settings_(std::move(settings)),
      threshold_(settings_->ThresholdFor(first.label)),
      record_(first) {
  score_history_.reserve(kHistoryLength + 1);
  score_history_.push_back(first.score);
  previous_ = ToJson();
}

bool TrackedObject::PassesZoneFilter(const Zone& zone) const {
  auto it = zone.filters.find(record_.label);
  if (it == zone.filters.end())
    return true;
  const ZoneFilter& filter = it->second;
  if (filter.min_area > record_.area)
    return false;
  if (filter.max_area < record_.area)
    return false;
  if (filter.threshold > computed_score_)
    return false;
  return true;
}

bool TrackedObject::Update(double frame_time, const TrackedRecord& record) {
  bool significant = false;
  thumbnail_changed_ = false;
  record_ = record;
  const bool matched = record_.frame_time == frame_time;

  // §5.1 score history and the sticky true-positive decision.
  if (matched || record_.examined) {
    score_history_.push_back(matched ? record_.score : 0.0);
    if (score_history_.size() > kHistoryLength)
      score_history_.erase(score_history_.begin());
  }
  computed_score_ = ComputeScore(score_history_);
  top_score_ = std::max(top_score_, computed_score_);
  if (false_positive_ && computed_score_ >= threshold_)
    false_positive_ = false;

  // §7.2 thumbnail, for true positives on frames where they were seen.
  if (!false_positive_ && matched) {
    ThumbnailData candidate{record_.frame_time, record_.box, record_.area, record_.region,
                            record_.score};
    if (!thumbnail_ || IsBetterThumbnail(*thumbnail_, candidate, settings_->frame_width,
                                         settings_->frame_height)) {
      thumbnail_ = candidate;
      thumbnail_changed_ = true;
      significant = true;
    }
  }

  // §6.2 zones: bottom centre inside the polygon (boundary included), filters applied on entry
  // only.
  const Point bottom_centre{record_.centroid.x, record_.box.y2};
  scratch_zones_.clear();
  for (const Zone& zone : settings_->zones) {
    if (!PointInPolygon(bottom_centre, zone.polygon))
      continue;
    const bool already_in =
        std::find(current_zones_.begin(), current_zones_.end(), zone.name) != current_zones_.end();
    if (already_in || PassesZoneFilter(zone)) {
      scratch_zones_.push_back(zone.name);
      if (std::find(entered_zones_.begin(), entered_zones_.end(), zone.name) ==
          entered_zones_.end()) {
        entered_zones_.push_back(zone.name);
      }
    }
  }
  // Zones come out in config order, so equal sets are equal sequences.
  if (!false_positive_ && scratch_zones_ != current_zones_)
    significant = true;
  current_zones_.swap(scratch_zones_);

  if (significant)
    last_updated_ = frame_time;
  return significant;
}

std::optional<EventMessage> TrackedObject::TakeDueMessage(double frame_time) {
  if (false_positive_ || ended())
    return std::nullopt;
  if (!(frame_time - last_published_ > kPublishInterval && last_updated_ > last_published_)) {
    return std::nullopt;
  }
  EventMessage message;
  message.type = previous_.value("false_positive", true) ? "new" : "update";
  message.before = std::move(previous_);
  message.after = ToJson();
  previous_ = message.after;
  last_published_ = frame_time;
  return message;
}

std::optional<EventMessage> TrackedObject::End() {
  if (ended())
    return std::nullopt;
  end_time_ = record_.frame_time;
  if (false_positive_)
    return std::nullopt;
  EventMessage message;
  message.type = "end";
  message.before = previous_;
  message.after = ToJson();
  return message;
}

namespace {

nlohmann::json BoxJson(const Box& box) {
  return nlohmann::json::array({box.x1, box.y1, box.x2, box.y2});
}

}  // namespace

nlohmann::json TrackedObject::ToJson() const {
  nlohmann::json j;
  j["id"] = record_.id;
  j["camera"] = camera_;
  j["frame_time"] = record_.frame_time;
  j["label"] = record_.label;
  j["top_score"] = top_score_;
  j["false_positive"] = false_positive_;
  j["start_time"] = record_.start_time;
  j["end_time"] = end_time_ ? nlohmann::json(*end_time_) : nlohmann::json(nullptr);
  j["score"] = record_.score;
  j["box"] = BoxJson(record_.box);
  j["area"] = record_.area;
  j["region"] = BoxJson(record_.region);
  j["current_zones"] = current_zones_;
  j["entered_zones"] = entered_zones_;
  j["thumbnail"] = nullptr;
  return j;
}

}  // namespace corvette::track
