#pragma once

// Test and bench helper (issue 14): how many of the people an exhaustive detector finds on a frame
// the camera's pipeline also reports on it. The reference runs the detector on every model-size
// tile of an overlapping grid over the whole frame, every frame.

#include <algorithm>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "detect/detector_pool.h"
#include "detect/object_filter.h"
#include "detect/region_planner.h"

namespace corvette::testing {

// Intersection over union of two frame boxes (0 when either is empty).
inline double BoxIou(const detect::PixelBox& a, const detect::PixelBox& b) {
  const long long w = std::min(a.x2, b.x2) - std::max(a.x1, b.x1);
  const long long h = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
  if (w <= 0 || h <= 0)
    return 0.0;
  const long long inter = w * h;
  const long long uni = static_cast<long long>(a.area()) + b.area() - inter;
  return uni > 0 ? static_cast<double>(inter) / uni : 0.0;
}

// Starts of `tile`-long spans covering [0, length), consecutive spans overlapping by at least
// `min_overlap`: the first at 0, the last ending at `length`, evenly spread in between. One span
// at 0 when length <= tile.
inline std::vector<int> TileStarts(int length, int tile, int min_overlap) {
  if (tile <= 0 || min_overlap < 0 || min_overlap >= tile)
    throw std::invalid_argument("TileStarts: needs 0 <= min_overlap < tile");
  if (length <= tile)
    return {0};
  const int stride = tile - min_overlap;
  const int last = length - tile;
  const int steps = (last + stride - 1) / stride;  // spans after the first
  std::vector<int> starts;
  for (int i = 0; i <= steps; ++i)
    starts.push_back(static_cast<int>(static_cast<long long>(last) * i / steps));
  return starts;
}

// The tiles (squares of side `tile`) of the grid over a width x height frame, consecutive tiles
// overlapping by at least `min_overlap` pixels on both axes; every pixel lies in some tile, and
// every box of the frame at most min_overlap - 10 on either axis lies inside some tile at least 5
// px from the tile's edges inside the frame (so that tile does not see it clipped). Row by row.
inline std::vector<detect::PixelBox> OverlappingTiles(int width, int height, int tile,
                                                      int min_overlap) {
  std::vector<detect::PixelBox> tiles;
  for (int y : TileStarts(height, tile, min_overlap)) {
    for (int x : TileStarts(width, tile, min_overlap))
      tiles.push_back({x, y, x + tile, y + tile});
  }
  return tiles;
}

// The reference detections of one frame from the tiles' raw detections (frame pixels, each with
// the tile it was found in as its region): those `filter` keeps, less those cut by a tile edge
// inside the frame (detect::IsClipped; the overlap puts such an object wholly inside another tile),
// then per-label NMS at IoU 0.5 across tiles (the same object found in several tiles).
inline std::vector<detect::Detection> MergeTileDetections(
    std::span<const detect::Detection> tile_detections, const detect::ObjectFilter& filter,
    int frame_width, int frame_height) {
  std::vector<detect::Detection> kept;
  for (const detect::Detection& d : tile_detections) {
    if (filter.Keep(d) && !detect::IsClipped(d, frame_width, frame_height))
      kept.push_back(d);
  }
  return detect::NmsPerLabel(std::move(kept), 0.5f);
}

// Runs every tile of `tiles` on `frame` through `pool` and merges the results
// (MergeTileDetections). Throws std::runtime_error when a tile gets no answer.
inline std::vector<detect::Detection> ExhaustiveDetections(
    detect::DetectorPool& pool, const detect::ObjectFilter& filter,
    std::shared_ptr<const void> frame_owner, const detect::I420View& frame,
    std::span<const detect::PixelBox> tiles) {
  std::vector<detect::Detection> found;
  for (const detect::RegionResult& r : pool.DetectRegions("reference", frame_owner, frame, tiles)) {
    if (!r.ok)
      throw std::runtime_error("exhaustive reference: a tile got no answer: " + r.error);
    found.insert(found.end(), r.detections.begin(), r.detections.end());
  }
  return MergeTileDetections(found, filter, frame.width, frame.height);
}

// How many of `reference`'s detections labelled `label` have a detection of `reported` with the
// same label at IoU >= min_iou, each reported detection matching one reference detection at most
// (greedily, highest IoU first).
inline int MatchedReferenceCount(std::span<const detect::Detection> reference,
                                 std::span<const detect::Detection> reported,
                                 const std::string& label, double min_iou = 0.5) {
  struct Pair {
    double iou;
    size_t ref;
    size_t rep;
  };
  std::vector<Pair> pairs;
  for (size_t i = 0; i < reference.size(); ++i) {
    if (reference[i].label != label)
      continue;
    for (size_t j = 0; j < reported.size(); ++j) {
      if (reported[j].label != label)
        continue;
      const double iou = BoxIou(reference[i].box, reported[j].box);
      if (iou >= min_iou)
        pairs.push_back({iou, i, j});
    }
  }
  std::stable_sort(pairs.begin(), pairs.end(),
                   [](const Pair& a, const Pair& b) { return a.iou > b.iou; });
  std::vector<char> ref_taken(reference.size(), 0);
  std::vector<char> rep_taken(reported.size(), 0);
  int matched = 0;
  for (const Pair& p : pairs) {
    if (ref_taken[p.ref] || rep_taken[p.rep])
      continue;
    ref_taken[p.ref] = rep_taken[p.rep] = 1;
    ++matched;
  }
  return matched;
}

// The number of detections labelled `label`.
inline int CountLabel(std::span<const detect::Detection> detections, const std::string& label) {
  return static_cast<int>(
      std::count_if(detections.begin(), detections.end(),
                    [&](const detect::Detection& d) { return d.label == label; }));
}

}  // namespace corvette::testing
