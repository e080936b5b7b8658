#include "detect/nanodet_decode.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace corvette::detect {
namespace {

// Synthetic outputs for a 64x64 input: grids 8x8, 4x4 and 2x2; every score 0 and every distribution
// flat.
struct SyntheticOutputs {
  static constexpr int kSize = 64;
  std::vector<float> scores[3];
  std::vector<float> boxes[3];

  SyntheticOutputs() {
    for (int level = 0; level < 3; ++level) {
      const int grid = kSize / kNanoDetStrides[level];
      scores[level].assign(grid * grid * kNanoDetClasses, 0.0f);
      boxes[level].assign(grid * grid * 4 * kNanoDetBins, 0.0f);
    }
  }
  // Makes cell (x, y) of `level` score `score` for `class_id` and puts its four distributions on
  // one bin each.
  void Put(int level, int x, int y, int class_id, float score, int left, int top, int right,
           int bottom) {
    const int grid = kSize / kNanoDetStrides[level];
    const int cell = y * grid + x;
    scores[level][cell * kNanoDetClasses + class_id] = score;
    const int bins[4] = {left, top, right, bottom};
    for (int side = 0; side < 4; ++side) {
      boxes[level][cell * 4 * kNanoDetBins + side * kNanoDetBins + bins[side]] = 60.0f;
    }
  }
  NanoDetOutputs View() const {
    NanoDetOutputs v;
    for (int level = 0; level < 3; ++level) {
      v.scores[level] = scores[level];
      v.boxes[level] = boxes[level];
    }
    return v;
  }
};

TEST(NanoDetDecodeTest, OneConfidentCellGivesItsBox) {
  SyntheticOutputs out;
  // Stride 8, cell x=2, y=3: centre (20, 28). Distances 2, 1, 3, 4 bins = 16, 8, 24, 32 px.
  out.Put(0, 2, 3, 7, 0.9f, 2, 1, 3, 4);
  std::vector<ModelDetection> dets;
  DecodeNanoDet(out.View(), SyntheticOutputs::kSize, 0.4f, &dets);
  ASSERT_EQ(dets.size(), 1u);
  EXPECT_EQ(dets[0].class_id, 7);
  EXPECT_FLOAT_EQ(dets[0].score, 0.9f);
  EXPECT_NEAR(dets[0].x1, 4.0f, 1e-3);
  EXPECT_NEAR(dets[0].y1, 20.0f, 1e-3);
  EXPECT_NEAR(dets[0].x2, 44.0f, 1e-3);
  EXPECT_NEAR(dets[0].y2, 60.0f, 1e-3);
}

TEST(NanoDetDecodeTest, StrideScalesTheDistancesAndCellCentres) {
  SyntheticOutputs out;
  // Stride 32, cell x=1, y=0: centre (48, 16); one bin each side = 32 px, clamped to the 64 px
  // input.
  out.Put(2, 1, 0, 0, 0.8f, 1, 0, 1, 1);
  // Stride 16, cell x=0, y=2: centre (8, 40), bins 0 = a point.
  out.Put(1, 0, 2, 2, 0.7f, 0, 0, 0, 0);
  std::vector<ModelDetection> dets;
  DecodeNanoDet(out.View(), SyntheticOutputs::kSize, 0.4f, &dets);
  ASSERT_EQ(dets.size(), 2u);
  EXPECT_EQ(dets[0].class_id, 2);  // stride 16 comes first
  EXPECT_NEAR(dets[0].x1, 8.0f, 1e-3);
  EXPECT_NEAR(dets[0].y2, 40.0f, 1e-3);
  EXPECT_EQ(dets[1].class_id, 0);
  EXPECT_NEAR(dets[1].x1, 16.0f, 1e-3);
  EXPECT_NEAR(dets[1].y1, 16.0f, 1e-3);
  EXPECT_NEAR(dets[1].x2, 64.0f, 1e-3);  // 80 clamped
  EXPECT_NEAR(dets[1].y2, 48.0f, 1e-3);
}

TEST(NanoDetDecodeTest, FlatDistributionIsTheMeanBin) {
  SyntheticOutputs out;
  const int grid = SyntheticOutputs::kSize / 8;
  out.scores[0][(1 * grid + 1) * kNanoDetClasses + 5] =
      0.6f;  // cell (1,1), centre (12,12), flat bins
  std::vector<ModelDetection> dets;
  DecodeNanoDet(out.View(), SyntheticOutputs::kSize, 0.4f, &dets);
  ASSERT_EQ(dets.size(), 1u);
  // Mean bin of 0..10 is 5: 40 px each side, clamped.
  EXPECT_NEAR(dets[0].x1, 0.0f, 1e-3);
  EXPECT_NEAR(dets[0].x2, 52.0f, 1e-3);
}

TEST(NanoDetDecodeTest, ScoresAtOrBelowThresholdAreDroppedAndBestClassWins) {
  SyntheticOutputs out;
  out.Put(0, 0, 0, 1, 0.4f, 1, 1, 1, 1);
  const int grid = SyntheticOutputs::kSize / 8;
  const int cell = 5 * grid + 5;
  out.scores[0][cell * kNanoDetClasses + 3] = 0.5f;
  out.scores[0][cell * kNanoDetClasses + 9] = 0.55f;
  std::vector<ModelDetection> dets;
  DecodeNanoDet(out.View(), SyntheticOutputs::kSize, 0.4f, &dets);
  ASSERT_EQ(dets.size(), 1u);
  EXPECT_EQ(dets[0].class_id, 9);
  EXPECT_FLOAT_EQ(dets[0].score, 0.55f);
}

TEST(NanoDetDecodeTest, AppendsWithoutClearing) {
  SyntheticOutputs out;
  out.Put(0, 0, 0, 1, 0.9f, 1, 1, 1, 1);
  std::vector<ModelDetection> dets(2);
  DecodeNanoDet(out.View(), SyntheticOutputs::kSize, 0.4f, &dets);
  EXPECT_EQ(dets.size(), 3u);
}

// The same synthetic outputs transposed to [values][cells] decode to the same detections.
TEST(NanoDetDecodeTest, ChannelMajorLayoutDecodesTheSame) {
  SyntheticOutputs out;
  out.Put(0, 2, 3, 7, 0.9f, 2, 1, 3, 4);
  out.Put(1, 3, 1, 4, 0.6f, 0, 5, 2, 1);
  out.Put(2, 1, 1, 79, 0.8f, 1, 1, 1, 1);
  std::vector<ModelDetection> want;
  DecodeNanoDet(out.View(), SyntheticOutputs::kSize, 0.4f, &want);
  ASSERT_EQ(want.size(), 3u);

  std::vector<float> scores[3], boxes[3];
  NanoDetOutputs view;
  view.channel_major = true;
  for (int level = 0; level < 3; ++level) {
    const size_t cells = out.scores[level].size() / kNanoDetClasses;
    const auto transpose = [cells](const std::vector<float>& in, int values) {
      std::vector<float> t(in.size());
      for (size_t c = 0; c < cells; ++c) {
        for (int v = 0; v < values; ++v)
          t[v * cells + c] = in[c * values + v];
      }
      return t;
    };
    scores[level] = transpose(out.scores[level], kNanoDetClasses);
    boxes[level] = transpose(out.boxes[level], 4 * kNanoDetBins);
    view.scores[level] = scores[level];
    view.boxes[level] = boxes[level];
  }
  std::vector<ModelDetection> got;
  DecodeNanoDet(view, SyntheticOutputs::kSize, 0.4f, &got);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].class_id, want[i].class_id);
    EXPECT_FLOAT_EQ(got[i].score, want[i].score);
    EXPECT_FLOAT_EQ(got[i].x1, want[i].x1);
    EXPECT_FLOAT_EQ(got[i].y1, want[i].y1);
    EXPECT_FLOAT_EQ(got[i].x2, want[i].x2);
    EXPECT_FLOAT_EQ(got[i].y2, want[i].y2);
  }
}

TEST(NanoDetDecodeTest, OutputsOfAnotherSizeAreRejected) {
  SyntheticOutputs out;
  std::vector<ModelDetection> dets;
  EXPECT_THROW(DecodeNanoDet(out.View(), 96, 0.4f, &dets), std::invalid_argument);
}

}  // namespace
}  // namespace corvette::detect
