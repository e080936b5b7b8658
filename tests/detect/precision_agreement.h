#pragma once

// Shared by the int8 model's test and runtime_bench: how far a reduced-precision model's people
// agree with the float model's on the same inputs (issue 13's accuracy check).

#include <algorithm>
#include <vector>

#include "../support/vtest_frames.h"
#include "detect/detector.h"
#include "detect/nms.h"
#include "detect/region_crop.h"

namespace corvette::testing {

// COCO's person.
inline constexpr int kPersonClass = 0;
// How far below the threshold a float person still counts as "seen" (see PrecisionAgreement).
inline constexpr float kNewPersonMargin = 0.1f;

struct PrecisionAgreement {
  int frames = 0;
  int regions = 0;
  int reference_people = 0;  // people the float model found (score > threshold)
  int found_people = 0;      // of those, found by the other model in the same region (IoU 0.5)
  // Frames where the other model found a person (score > threshold) that the float model does not
  // see: none of the two kinds below.
  int frames_with_new_person = 0;
  // Frames where the other model found a person above the threshold that the float model scored
  // just below it (above threshold - kNewPersonMargin, IoU 0.5): the same person, crossing the
  // threshold. Any change of arithmetic moves scores by a few hundredths.
  int frames_with_threshold_crossing = 0;
  // Frames where the other model kept a second box on a person: it overlaps one of its own people
  // and one of the float model's (above threshold - kNewPersonMargin) at IoU 0.3 or more, but
  // neither at 0.5 (the NMS threshold), so NMS kept both.
  int frames_with_near_duplicate = 0;
  // Frames with any person of the other model that the float model has not above the threshold at
  // IoU 0.5: the three kinds together.
  int frames_with_unmatched_person = 0;

  double recall() const {
    return reference_people == 0 ? 1.0 : static_cast<double>(found_people) / reference_people;
  }
  double new_person_frame_share() const {
    return frames == 0 ? 0.0 : static_cast<double>(frames_with_new_person) / frames;
  }
};

// The regions of a vtest frame the check runs: the whole width (as one square) and the left and
// right squares of the frame's height, each scaled to the model's input.
inline std::vector<detect::PixelBox> AgreementRegions() {
  return {{0, 0, kVtestWidth, kVtestWidth},
          {0, 0, kVtestHeight, kVtestHeight},
          {kVtestWidth - kVtestHeight, 0, kVtestWidth, kVtestHeight}};
}

// Adds to *agreement the people of `reference` (float) and `other` on `regions` of each I420
// vtest frame, at score > `threshold` (see PrecisionAgreement for the margin), NMS 0.5, IoU 0.5.
inline void AddPrecisionAgreement(
    const std::vector<std::vector<uint8_t>>& frames, detect::Detector& reference,
    detect::Detector& other, float threshold, PrecisionAgreement* agreement,
    const std::vector<detect::PixelBox>& regions = AgreementRegions()) {
  detect::RegionCropper cropper(reference.input_size());
  cv::Mat rgb;
  std::vector<detect::ModelDetection> want, want_low, got;
  const auto matches = [](const detect::ModelDetection& p,
                          const std::vector<detect::ModelDetection>& in, float min_score) {
    return std::any_of(in.begin(), in.end(), [&](const detect::ModelDetection& q) {
      return q.class_id == kPersonClass && q.score > min_score &&
             detect::IntersectionOverUnion(p, q) >= 0.5f;
    });
  };
  for (const auto& frame : frames) {
    bool new_person = false;
    bool crossing = false;
    bool near_duplicate = false;
    bool unmatched = false;
    for (const detect::PixelBox& region : regions) {
      cropper.Crop(detect::I420View::Packed(frame.data(), kVtestWidth, kVtestHeight), region, &rgb);
      // Below the threshold too (NMS is per class, so the people above it are the same).
      reference.Detect(rgb, threshold - kNewPersonMargin, 0.5f, &want_low);
      want.clear();
      for (const auto& p : want_low) {
        if (p.score > threshold)
          want.push_back(p);
      }
      other.Detect(rgb, threshold, 0.5f, &got);
      for (const auto& p : want) {
        if (p.class_id != kPersonClass)
          continue;
        ++agreement->reference_people;
        agreement->found_people += matches(p, got, threshold) ? 1 : 0;
      }
      for (const auto& p : got) {
        if (p.class_id != kPersonClass || matches(p, want, threshold))
          continue;
        unmatched = true;
        const auto overlaps = [&](const std::vector<detect::ModelDetection>& in) {
          return std::any_of(in.begin(), in.end(), [&](const detect::ModelDetection& q) {
            return &q != &p && q.class_id == kPersonClass &&
                   q.score > threshold - kNewPersonMargin &&
                   detect::IntersectionOverUnion(p, q) >= 0.3f;
          });
        };
        if (matches(p, want_low, threshold - kNewPersonMargin))
          crossing = true;
        else if (overlaps(want_low) && overlaps(got))
          near_duplicate = true;
        else
          new_person = true;
      }
      ++agreement->regions;
    }
    ++agreement->frames;
    agreement->frames_with_new_person += new_person ? 1 : 0;
    agreement->frames_with_threshold_crossing += crossing ? 1 : 0;
    agreement->frames_with_near_duplicate += near_duplicate ? 1 : 0;
    agreement->frames_with_unmatched_person += unmatched ? 1 : 0;
  }
}

}  // namespace corvette::testing
