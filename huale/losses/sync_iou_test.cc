// "sync_iou": smooth-L1 of the IoU head's output against IoU(pred, gt), target
// attached by default (method doc §2.2).
#include <cmath>

#include <torch/torch.h>

#include "gtest/gtest.h"
#include "huale/losses/box_geometry.h"
#include "huale/losses/loss.h"
#include "huale/losses/loss_conformance.h"

namespace huale {
namespace {

LossSpec Spec(bool detach = false, double beta = -1) {
  LossSpec spec;
  spec.set_name("sync_iou");
  spec.mutable_sync_iou()->set_detach_target(detach);
  if (beta > 0) spec.mutable_sync_iou()->set_beta(beta);
  return spec;
}

INSTANTIATE_TEST_SUITE_P(
    SyncIou, LossConformanceTest,
    ::testing::Values(LossConformanceCase{"Synchronic", Spec(false), LossRole::kAuxiliary,
                                          /*needs_iou_head=*/true},
                      LossConformanceCase{"DetachedTarget", Spec(true), LossRole::kAuxiliary,
                                          true, true,
                                          /*gradient_matches_finite_differences=*/false},
                      LossConformanceCase{"BetaOne", Spec(false, 1.0), LossRole::kAuxiliary,
                                          true}),
    LossConformanceCaseName);

std::unique_ptr<Loss> Make(const LossSpec& spec) {
  return std::move(LossRegistry::Get().Create(spec.name(), spec)).value();
}

double SmoothL1(double x, double beta) {
  return std::abs(x) < beta ? 0.5 * x * x / beta : std::abs(x) - 0.5 * beta;
}

RoiLossInputs HandPairs() {
  // IoUs by hand: overlap 4/28 = 1/7; nest 4/16; apart 0.
  RoiLossInputs in = MakeRandomRoiLossInputs(61, 5, 3, 3, torch::kDouble);
  in.pred_boxes = torch::tensor({{0., 0., 4., 4.}, {1., 1., 3., 3.}, {0., 0., 2., 2.}},
                                torch::kDouble)
                      .requires_grad_(true);
  in.gt_boxes = torch::tensor({{2., 2., 6., 6.}, {0., 0., 4., 4.}, {3., 4., 5., 6.}},
                              torch::kDouble);
  in.iou_pred = torch::tensor({0.2, 0.9, 0.05}, torch::kDouble).requires_grad_(true);
  return in;
}

TEST(SyncIou, HandValues) {
  const double beta = 0.11111111f;  // the spec's float default
  const double expected = (SmoothL1(0.2 - 1.0 / 7, beta) + SmoothL1(0.9 - 0.25, beta) +
                           SmoothL1(0.05 - 0.0, beta)) / 3;
  EXPECT_NEAR(Make(Spec())->Compute(HandPairs()).item<double>(), expected, 1e-12);
}

TEST(SyncIou, SynchronicTargetTrainsTheBoxesAndDetachedDoesNot) {
  RoiLossInputs in = HandPairs();
  const auto attached =
      torch::autograd::grad({Make(Spec(false))->Compute(in)}, {in.pred_boxes, in.iou_pred});
  const auto detached =
      torch::autograd::grad({Make(Spec(true))->Compute(in)}, {in.pred_boxes, in.iou_pred},
                            /*grad_outputs=*/{}, /*retain_graph=*/false,
                            /*create_graph=*/false, /*allow_unused=*/true);
  // Overlap and nest rows have a gradient through IoU; the disjoint row has none.
  EXPECT_GT(attached[0].slice(0, 0, 2).abs().sum().item<double>(), 0);
  EXPECT_EQ(attached[0][2].abs().sum().item<double>(), 0);
  EXPECT_FALSE(detached[0].defined());  // pred_boxes are not in the graph at all
  // The IoU head's own gradient is the same either way.
  EXPECT_TRUE(torch::allclose(attached[1], detached[1], 0, 1e-15));
}

TEST(SyncIou, DetachedGradientEqualsFrozenTargetDifferences) {
  RoiLossInputs in = MakeRandomRoiLossInputs(62, 7, 4, 3, torch::kDouble);
  const torch::Tensor autograd =
      torch::autograd::grad({Make(Spec(true))->Compute(in)}, {in.iou_pred})[0];
  const torch::Tensor target = box_geometry::Iou(in.pred_boxes, in.gt_boxes).detach();
  const double beta = 0.11111111f;
  const torch::Tensor numeric = FiniteDifferenceGradient(
      [&](const torch::Tensor& u) {
        double sum = 0;
        for (int64_t i = 0; i < 4; ++i) {
          sum += SmoothL1(u[i].item<double>() - target[i].item<double>(), beta);
        }
        return torch::tensor(sum / 4, torch::kDouble);
      },
      in.iou_pred);
  EXPECT_LT((autograd - numeric).abs().max().item<double>(), 1e-6);
}

}  // namespace
}  // namespace huale
