#pragma once

#include <functional>
#include <span>
#include <vector>

#include "detect/detection.h"

namespace corvette::detect {

// Region arithmetic and the per-frame region pipeline of sections 4.1 to 4.4 of the behaviour spec.
// Boxes and regions are in frame pixels; frames are frame_width x frame_height.

// Frigate's calculate_region: a square of side (max(w, h) // 4 * 4 * multiplier) (at least 300)
// centred on the box, moved inside the frame where it fits; it extends past the right/bottom edge
// when larger than the frame.
PixelBox CalculateRegion(int frame_width, int frame_height, const PixelBox& box, double multiplier);

// Frigate's intersection test: boxes that only touch count as intersecting.
bool Intersects(const PixelBox& a, const PixelBox& b);

// True when `inner` lies inside `outer` (edges may coincide).
bool Contains(const PixelBox& outer, const PixelBox& inner);

// Merges boxes into groups (the role of Frigate's reduce_boxes; not bit-exact): boxes that
// intersect are merged transitively and each group becomes the box bounding it. Every input box
// lies inside one output box.
std::vector<PixelBox> GroupBoxes(std::span<const PixelBox> boxes);

// Merges regions that mostly overlap (the smaller has more than `overlap` of its area inside the
// other), transitively, into their bounding boxes; regions that overlap less stay apart so a frame
// with people far apart keeps small regions. Every input region lies inside one output box.
std::vector<PixelBox> GroupRegions(std::span<const PixelBox> regions, double overlap = 0.5);

// The tracked boxes (any label) that intersect at least one motion box (section 4.3 step 2).
std::vector<PixelBox> TrackedBoxesTouchingMotion(std::span<const PixelBox> tracked,
                                                 std::span<const PixelBox> motion);

// The regions to run detection on for one frame (section 4.3): motion boxes and tracked boxes
// touching motion are grouped, each group becomes calculate_region(.., 1.2), overlapping regions
// are grouped again and become calculate_region(.., 1.0). Guarantees every motion box lies inside
// some region. No motion, no regions.
//
// With `plan.model_size` and `plan.min_object_pixels` set, regions are then merged further while
// the objects stay large enough for the model (corvette's extension, see RegionPlan).
struct RegionPlan {
  int model_size = 0;  // the detector's square input side; 0 = Frigate 0.8's plan, no further merge
  // Smallest size, in model input pixels, that a tracked object (by its larger side) may be scaled
  // down to. Two regions become one, calculate_region(.., 1.2) around the boxes of both, when that
  // is no larger than model_size * (the object's larger side) / min_object_pixels for every tracked
  // object touching their motion, and no larger than model_size where motion touches no tracked
  // object (something not yet seen, whose size is unknown): one detector call instead of two,
  // every known object still at least this large.
  int min_object_pixels = 0;
};
std::vector<PixelBox> PlanRegions(int frame_width, int frame_height,
                                  std::span<const PixelBox> motion,
                                  std::span<const PixelBox> tracked, const RegionPlan& plan = {});

// The side a region may have for `object` to stay at least `min_object_pixels` large in a
// `model_size` model input; INT_MAX when the plan does not merge.
int LargestRegionSide(const PixelBox& object, const RegionPlan& plan);

// Section 4.4's clipped test: the detection's box lies within 5 px of an edge of its region that is
// not itself within 5 px of the frame edge.
bool IsClipped(const Detection& detection, int frame_width, int frame_height);

// Per-label NMS over frame detections (IoU above iou_threshold suppresses the lower score). Unlike
// Frigate 0.8 there is no score threshold here: the filters' min_score decides (weakness 9).
std::vector<Detection> NmsPerLabel(std::vector<Detection> detections, float iou_threshold);

// Runs detection on one region; returns its detections (already filtered).
using RegionDetectFn = std::function<std::vector<Detection>(const PixelBox& region)>;

// Section 4.4: up to max_rounds rounds of NMS per label (IoU 0.4), then each clipped detection is
// replaced by the detections of a new region calculate_region(box, 2.0) around it. New regions are
// appended to *regions (for the debug overlay). Returns the refined detections (the last round's
// results are not NMS'd, as Frigate).
std::vector<Detection> RefineClippedDetections(std::vector<Detection> detections, int frame_width,
                                               int frame_height, const RegionDetectFn& detect,
                                               std::vector<PixelBox>* regions, int max_rounds = 4);

// The detections whose box intersects at least one motion box (Frigate's "detections_with_motion")
// or at least one tracked box: a tracked object lying in a region run this frame counts as looked
// at, so what the detector found in its place must reach the tracker, moving or not.
std::vector<Detection> DetectionsTouchingMotionOrTracked(std::vector<Detection> detections,
                                                         std::span<const PixelBox> motion,
                                                         std::span<const PixelBox> tracked);

}  // namespace corvette::detect
