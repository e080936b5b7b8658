#include "detect/region_planner.h"

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>

#include "image/geometry.h"

namespace corvette::detect {
namespace {

PixelBox Union(const PixelBox& a, const PixelBox& b) {
  return {std::min(a.x1, b.x1), std::min(a.y1, b.y1), std::max(a.x2, b.x2), std::max(a.y2, b.y2)};
}

long long OverlapArea(const PixelBox& a, const PixelBox& b) {
  const long long w = std::min(a.x2, b.x2) - std::max(a.x1, b.x1);
  const long long h = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
  return w > 0 && h > 0 ? w * h : 0;
}

// Transitive closure of `joined` over the boxes; returns each group's bounding box.
template <typename Joined>
std::vector<PixelBox> MergeGroups(std::span<const PixelBox> boxes, Joined joined) {
  std::vector<PixelBox> groups(boxes.begin(), boxes.end());
  bool merged = true;
  while (merged) {
    merged = false;
    for (size_t i = 0; i < groups.size() && !merged; ++i) {
      for (size_t j = i + 1; j < groups.size(); ++j) {
        if (joined(groups[i], groups[j])) {
          groups[i] = Union(groups[i], groups[j]);
          groups.erase(groups.begin() + static_cast<long>(j));
          merged = true;
          break;
        }
      }
    }
  }
  return groups;
}

float BoxIou(const PixelBox& a, const PixelBox& b) {
  const long long inter = OverlapArea(a, b);
  const long long uni = static_cast<long long>(a.area()) + b.area() - inter;
  return uni > 0 ? static_cast<float>(inter) / static_cast<float>(uni) : 0.0f;
}

// The side a region holding `group` may reach: what its smallest tracked object allows; the model's
// input side when it holds none (motion of something not yet seen: it may be small, so it is not
// scaled down).
int GroupLimit(const PixelBox& group, std::span<const PixelBox> tracked, const RegionPlan& plan) {
  int limit = std::numeric_limits<int>::max();
  bool holds_tracked = false;
  for (const PixelBox& object : tracked) {
    if (Contains(group, object)) {
      holds_tracked = true;
      limit = std::min(limit, LargestRegionSide(object, plan));
    }
  }
  return holds_tracked ? limit : plan.model_size;
}

// RegionPlan's merge. Each region holds the groups of boxes it was made for (its content); two
// regions can become calculate_region(.., 1.2) of their contents' union when that is no larger than
// every group inside them allows (GroupLimit). The pair giving the smallest such region is merged,
// until no pair can be.
void MergeWhileObjectsStayLarge(int frame_width, int frame_height, std::span<const PixelBox> groups,
                                std::span<const PixelBox> tracked, const RegionPlan& plan,
                                std::vector<PixelBox>& regions) {
  if (plan.model_size <= 0 || plan.min_object_pixels <= 0 || regions.size() < 2)
    return;
  std::vector<PixelBox> contents(regions.size());
  std::vector<int> limits(regions.size(), std::numeric_limits<int>::max());
  std::vector<char> has_content(regions.size(), 0);
  for (const PixelBox& group : groups) {
    for (size_t i = 0; i < regions.size(); ++i) {
      if (Contains(regions[i], group)) {
        contents[i] = has_content[i] ? Union(contents[i], group) : group;
        has_content[i] = 1;
        limits[i] = std::min(limits[i], GroupLimit(group, tracked, plan));
        break;
      }
    }
  }
  // A region holding no whole group (calculate_region's rounding can cut one by a pixel): what it
  // holds is unknown, so it is not scaled below the model's input.
  for (size_t i = 0; i < regions.size(); ++i) {
    if (!has_content[i]) {
      contents[i] = regions[i];
      limits[i] = plan.model_size;
    }
  }
  while (regions.size() >= 2) {
    size_t best_i = 0;
    size_t best_j = 0;
    PixelBox best;
    int best_side = std::numeric_limits<int>::max();
    for (size_t i = 0; i < regions.size(); ++i) {
      for (size_t j = i + 1; j < regions.size(); ++j) {
        const PixelBox merged =
            CalculateRegion(frame_width, frame_height, Union(contents[i], contents[j]), 1.2);
        const int side = std::max(merged.width(), merged.height());
        if (side <= std::min(limits[i], limits[j]) && side < best_side) {
          best_i = i;
          best_j = j;
          best = merged;
          best_side = side;
        }
      }
    }
    if (best_side == std::numeric_limits<int>::max())
      return;
    regions[best_i] = best;
    contents[best_i] = Union(contents[best_i], contents[best_j]);
    limits[best_i] = std::min(limits[best_i], limits[best_j]);
    regions.erase(regions.begin() + static_cast<long>(best_j));
    contents.erase(contents.begin() + static_cast<long>(best_j));
    limits.erase(limits.begin() + static_cast<long>(best_j));
  }
}

}  // namespace

PixelBox CalculateRegion(int frame_width, int frame_height, const PixelBox& box,
                         double multiplier) {
  return image::CalculateRegion(frame_width, frame_height, box, multiplier);
}

bool Intersects(const PixelBox& a, const PixelBox& b) {
  return !(a.x2 < b.x1 || a.x1 > b.x2 || a.y1 > b.y2 || a.y2 < b.y1);
}

bool Contains(const PixelBox& outer, const PixelBox& inner) {
  return inner.x1 >= outer.x1 && inner.y1 >= outer.y1 && inner.x2 <= outer.x2 &&
         inner.y2 <= outer.y2;
}

std::vector<PixelBox> GroupBoxes(std::span<const PixelBox> boxes) {
  return MergeGroups(boxes, [](const PixelBox& a, const PixelBox& b) { return Intersects(a, b); });
}

std::vector<PixelBox> GroupRegions(std::span<const PixelBox> regions, double overlap) {
  return MergeGroups(regions, [overlap](const PixelBox& a, const PixelBox& b) {
    const double smaller = std::min(a.area(), b.area());
    return smaller <= 0 ? Contains(a, b) || Contains(b, a)
                        : static_cast<double>(OverlapArea(a, b)) > overlap * smaller;
  });
}

std::vector<PixelBox> TrackedBoxesTouchingMotion(std::span<const PixelBox> tracked,
                                                 std::span<const PixelBox> motion) {
  std::vector<PixelBox> out;
  for (const auto& t : tracked) {
    if (std::any_of(motion.begin(), motion.end(),
                    [&](const PixelBox& m) { return Intersects(t, m); })) {
      out.push_back(t);
    }
  }
  return out;
}

int LargestRegionSide(const PixelBox& object, const RegionPlan& plan) {
  if (plan.model_size <= 0 || plan.min_object_pixels <= 0)
    return std::numeric_limits<int>::max();
  const long long side = static_cast<long long>(std::max(object.width(), object.height())) *
                         plan.model_size / plan.min_object_pixels;
  return static_cast<int>(std::min<long long>(side, std::numeric_limits<int>::max()));
}

std::vector<PixelBox> PlanRegions(int frame_width, int frame_height,
                                  std::span<const PixelBox> motion,
                                  std::span<const PixelBox> tracked, const RegionPlan& plan) {
  if (motion.empty())
    return {};
  std::vector<PixelBox> combined(motion.begin(), motion.end());
  const auto touching = TrackedBoxesTouchingMotion(tracked, motion);
  combined.insert(combined.end(), touching.begin(), touching.end());
  const std::vector<PixelBox> groups = GroupBoxes(combined);
  std::vector<PixelBox> first;
  for (const auto& group : groups) {
    first.push_back(CalculateRegion(frame_width, frame_height, group, 1.2));
  }
  std::vector<PixelBox> regions;
  for (const auto& group : GroupRegions(first)) {
    regions.push_back(CalculateRegion(frame_width, frame_height, group, 1.0));
  }
  MergeWhileObjectsStayLarge(frame_width, frame_height, groups, touching, plan, regions);
  // calculate_region rounds the side down to a multiple of 4: make sure no motion box fell off an
  // edge.
  for (const auto& m : motion) {
    if (std::none_of(regions.begin(), regions.end(),
                     [&](const PixelBox& r) { return Contains(r, m); })) {
      regions.push_back(CalculateRegion(frame_width, frame_height, m, 1.2));
    }
  }
  return regions;
}

bool IsClipped(const Detection& d, int frame_width, int frame_height) {
  const PixelBox& r = d.region;
  const PixelBox& b = d.box;
  return (r.x1 > 5 && b.x1 - r.x1 <= 5) || (r.y1 > 5 && b.y1 - r.y1 <= 5) ||
         (frame_width - r.x2 > 5 && r.x2 - b.x2 <= 5) ||
         (frame_height - r.y2 > 5 && r.y2 - b.y2 <= 5);
}

std::vector<Detection> NmsPerLabel(std::vector<Detection> detections, float iou_threshold) {
  std::stable_sort(detections.begin(), detections.end(),
                   [](const Detection& a, const Detection& b) { return a.score > b.score; });
  std::vector<Detection> kept;
  for (auto& d : detections) {
    const bool suppressed = std::any_of(kept.begin(), kept.end(), [&](const Detection& k) {
      return k.label == d.label && BoxIou(k.box, d.box) > iou_threshold;
    });
    if (!suppressed)
      kept.push_back(std::move(d));
  }
  return kept;
}

std::vector<Detection> RefineClippedDetections(std::vector<Detection> detections, int frame_width,
                                               int frame_height, const RegionDetectFn& detect,
                                               std::vector<PixelBox>* regions, int max_rounds) {
  for (int round = 0; round < max_rounds; ++round) {
    bool refining = false;
    std::vector<Detection> next;
    for (auto& d : NmsPerLabel(std::move(detections), 0.4f)) {
      if (IsClipped(d, frame_width, frame_height)) {
        const PixelBox region = CalculateRegion(frame_width, frame_height, d.box, 2.0);
        if (regions != nullptr)
          regions->push_back(region);
        auto found = detect(region);
        next.insert(next.end(), std::make_move_iterator(found.begin()),
                    std::make_move_iterator(found.end()));
        refining = true;
      } else {
        next.push_back(std::move(d));
      }
    }
    detections = std::move(next);
    if (!refining)
      break;
  }
  return detections;
}

std::vector<Detection> DetectionsTouchingMotionOrTracked(std::vector<Detection> detections,
                                                         std::span<const PixelBox> motion,
                                                         std::span<const PixelBox> tracked) {
  const auto touches = [](const Detection& d, std::span<const PixelBox> boxes) {
    return std::any_of(boxes.begin(), boxes.end(),
                       [&](const PixelBox& box) { return Intersects(d.box, box); });
  };
  std::erase_if(detections,
                [&](const Detection& d) { return !touches(d, motion) && !touches(d, tracked); });
  return detections;
}

}  // namespace corvette::detect
