#include "huale/models/ops/nms.h"

#include <ATen/ATen.h>

#include <tuple>

#include "gtest/gtest.h"
#include "huale/models/ops/test_fixtures.h"
#include "huale/models/ops/torchvision_reference.h"

namespace huale {
namespace ops {
namespace {

class NmsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const absl::Status loaded = reference::LoadTorchvision();
    ASSERT_TRUE(loaded.ok()) << loaded.message();
    reference::SetThreadsFromEnv();
  }
};

// Random boxes with many exact score ties (scores quantised to 1/16), exact
// duplicates and some zero-area boxes, so tie order and IoU == threshold matter.
std::tuple<at::Tensor, at::Tensor> RandomBoxes(int64_t n, uint64_t seed,
                                               at::ScalarType dtype) {
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const at::Tensor xy = at::rand({n, 2}, gen, at::kDouble) * 300;
  at::Tensor wh = at::rand({n, 2}, gen, at::kDouble) * 80 + 1;
  wh.slice(0, 0, n / 50).select(1, 0).zero_();  // 2% zero-width boxes
  at::Tensor boxes = at::cat({xy, xy + wh}, 1).round();  // integer corners: more ties in IoU
  boxes.slice(0, n - n / 20, n).copy_(boxes.slice(0, 0, n / 20));  // 5% duplicates
  const at::Tensor scores = (at::rand({n}, gen, at::kDouble) * 16).floor() / 16;
  return {boxes.to(dtype), scores.to(dtype)};
}

TEST_F(NmsTest, KeepsTorchvisionIndicesWithTiesFloat) {
  for (const int64_t n : {1000, 3000}) {
    const auto [boxes, scores] = RandomBoxes(n, 7 + n, at::kFloat);
    for (const double threshold : {0.0, 0.3, 0.5, 0.7, 1.0}) {
      const at::Tensor expected = reference::TorchvisionNms(boxes, scores, threshold);
      const at::Tensor actual = Nms(boxes, scores, threshold);
      ASSERT_TRUE(at::equal(actual, expected))
          << "n=" << n << " threshold=" << threshold << ": kept " << actual.numel()
          << " vs torchvision " << expected.numel();
    }
  }
}

TEST_F(NmsTest, KeepsTorchvisionIndicesWithTiesDouble) {
  const auto [boxes, scores] = RandomBoxes(2000, 11, at::kDouble);
  for (const double threshold : {0.25, 0.5, 0.6}) {
    EXPECT_TRUE(at::equal(Nms(boxes, scores, threshold),
                          reference::TorchvisionNms(boxes, scores, threshold)))
        << "threshold=" << threshold;
  }
}

TEST_F(NmsTest, SuppressesOnlyAboveThresholdByHand) {
  // Box 1 overlaps box 0 with IoU 50/150 = 1/3; box 2 is disjoint.
  const at::Tensor boxes = at::tensor({0.f, 0.f, 10.f, 10.f, 5.f, 0.f, 15.f, 10.f,
                                       20.f, 20.f, 30.f, 30.f}).view({3, 4});
  const at::Tensor scores = at::tensor({0.9f, 0.8f, 0.7f});
  EXPECT_TRUE(at::equal(Nms(boxes, scores, 0.3), at::tensor({0, 2}, at::kLong)));
  EXPECT_TRUE(at::equal(Nms(boxes, scores, 0.34), at::tensor({0, 1, 2}, at::kLong)));
}

TEST_F(NmsTest, EmptyInputGivesEmptyKeep) {
  const at::Tensor keep = Nms(at::zeros({0, 4}), at::zeros({0}), 0.5);
  EXPECT_EQ(keep.numel(), 0);
  EXPECT_EQ(keep.scalar_type(), at::kLong);
  EXPECT_EQ(BatchedNms(at::zeros({0, 4}), at::zeros({0}),
                       at::zeros({0}, at::kLong), 0.5).numel(), 0);
}

TEST_F(NmsTest, RejectsBadShapes) {
  EXPECT_THROW(Nms(at::zeros({3, 5}), at::zeros({3}), 0.5), c10::Error);
  EXPECT_THROW(Nms(at::zeros({3, 4}), at::zeros({4}), 0.5), c10::Error);
  EXPECT_THROW(Nms(at::zeros({3, 4}), at::zeros({3}, at::kDouble), 0.5), c10::Error);
}

// Batched NMS by its definition: torchvision's nms on each class on its own,
// the union ordered by decreasing score (torchvision's _batched_nms_vanilla).
at::Tensor BatchedByDefinition(const at::Tensor& boxes, const at::Tensor& scores,
                               const at::Tensor& idxs, double threshold) {
  at::Tensor mask = at::zeros({boxes.size(0)}, at::kBool);
  const at::Tensor classes = std::get<0>(at::_unique(idxs, true));
  for (int64_t c = 0; c < classes.numel(); ++c) {
    const at::Tensor members = at::where(idxs == classes[c])[0];
    const at::Tensor keep = reference::TorchvisionNms(
        boxes.index_select(0, members), scores.index_select(0, members), threshold);
    mask.index_fill_(0, members.index_select(0, keep), true);
  }
  const at::Tensor kept = at::where(mask)[0];
  return kept.index_select(
      0, std::get<1>(scores.index_select(0, kept).sort(0, /*descending=*/true)));
}

TEST_F(NmsTest, BatchedMatchesPerClassTorchvisionNms) {
  // 800 boxes take torchvision's coordinate-offset path, 3000 its per-class loop.
  for (const int64_t n : {800, 3000}) {
    const auto [boxes, scores] = RandomBoxes(n, 100 + n, at::kFloat);
    at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(5);
    const at::Tensor idxs = at::randint(0, 7, {n}, gen, at::kLong);
    for (const double threshold : {0.3, 0.5, 0.7}) {
      const at::Tensor actual = BatchedNms(boxes, scores, idxs, threshold);
      const at::Tensor expected = BatchedByDefinition(boxes, scores, idxs, threshold);
      // Tied scores may be ordered differently by the final sort; the kept set
      // and the score sequence must agree exactly.
      EXPECT_TRUE(at::equal(std::get<0>(actual.sort()), std::get<0>(expected.sort())))
          << "n=" << n << " threshold=" << threshold;
      EXPECT_TRUE(at::equal(scores.index_select(0, actual),
                            scores.index_select(0, expected)));
    }
  }
}

// Exact keep order of torchvision.ops.batched_nms (its Python dispatch between
// the coordinate trick and the per-class loop), from the committed fixture.
TEST(BatchedNms, MatchesTorchvisionFixtureExactly) {
  reference::SetThreadsFromEnv();
  const auto f = testing::LoadOpsFixtures();
  ASSERT_TRUE(f.ok()) << f.status();
  int checked = 0;
  for (const std::string n : {"800", "3000"}) {
    for (const int tenths : {3, 5, 7}) {
      const std::string key = "bnms" + n + "_keep_" + std::to_string(tenths);
      if (f->count(key) == 0) continue;
      const at::Tensor keep =
          BatchedNms(f->at("bnms" + n + "_boxes"), f->at("bnms" + n + "_scores"),
                     f->at("bnms" + n + "_idxs"), tenths / 10.0);
      EXPECT_TRUE(at::equal(keep, f->at(key).to(at::kLong))) << key;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 4);
}

}  // namespace
}  // namespace ops
}  // namespace huale
