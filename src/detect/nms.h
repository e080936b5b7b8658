#pragma once

#include <vector>

#include "detect/detection.h"

namespace corvette::detect {

// Intersection over union of two boxes in model pixels (areas without +1); 0 when either is empty.
float IntersectionOverUnion(const ModelDetection& a, const ModelDetection& b);

// Greedy non-maximum suppression within each class: keeps the highest-scoring detection and drops
// every other detection of the same class whose IoU with a kept one exceeds iou_threshold.
// Detections of different classes never suppress each other. Leaves *detections sorted by
// descending score. Allocation-free once the vector has been through it (sorts in place).
void PerClassNms(std::vector<ModelDetection>* detections, float iou_threshold);

}  // namespace corvette::detect
