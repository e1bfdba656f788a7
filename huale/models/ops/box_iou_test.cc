#include "huale/models/ops/box_iou.h"

#include <ATen/ATen.h>

#include "gtest/gtest.h"
#include "huale/models/ops/test_fixtures.h"

namespace huale {
namespace ops {
namespace {

TEST(BoxIou, MatchesTorchvisionFixture) {
  const auto fixtures = testing::LoadOpsFixtures();
  ASSERT_TRUE(fixtures.ok()) << fixtures.status();
  const at::Tensor& expected = fixtures->at("iou");
  const at::Tensor actual = BoxIou(fixtures->at("iou_boxes1"), fixtures->at("iou_boxes2"));
  ASSERT_EQ(actual.sizes(), expected.sizes());
  // NaN where both boxes are empty, like torchvision (0 / 0).
  EXPECT_TRUE(at::equal(actual.isnan(), expected.isnan()));
  EXPECT_TRUE(at::allclose(actual.nan_to_num(), expected.nan_to_num(), 0, 0));
}

TEST(BoxIou, HandDerivedOverlaps) {
  // [0,10]^2 vs [5,15]x[0,10]: intersection 50, union 150. Disjoint: 0.
  // Contained [2,4]^2 (area 4) in [0,10]^2 (area 100): 4 / 100.
  const at::Tensor a = at::tensor({0., 0., 10., 10.}, at::kDouble).view({1, 4});
  const at::Tensor b = at::tensor({5., 0., 15., 10., 20., 20., 30., 30., 2., 2., 4., 4.},
                                  at::kDouble).view({3, 4});
  const at::Tensor iou = BoxIou(a, b);
  EXPECT_DOUBLE_EQ(iou[0][0].item<double>(), 50.0 / 150.0);
  EXPECT_DOUBLE_EQ(iou[0][1].item<double>(), 0.0);
  EXPECT_DOUBLE_EQ(iou[0][2].item<double>(), 4.0 / 100.0);
  EXPECT_DOUBLE_EQ(BoxArea(b)[2].item<double>(), 4.0);
}

TEST(BoxIou, EmptySetsGiveEmptyMatrix) {
  EXPECT_EQ(BoxIou(at::zeros({0, 4}), at::zeros({3, 4})).sizes(), (at::IntArrayRef{0, 3}));
  EXPECT_EQ(BoxIou(at::zeros({2, 4}), at::zeros({0, 4})).sizes(), (at::IntArrayRef{2, 0}));
}

TEST(BoxIou, RejectsBadShape) {
  EXPECT_THROW(BoxIou(at::zeros({2, 5}), at::zeros({3, 4})), c10::Error);
}

}  // namespace
}  // namespace ops
}  // namespace huale
