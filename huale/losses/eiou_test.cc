// "eiou": convexified extended-IoU (method doc §2.1) on hand-derived boxes,
// the frozen union multiplier's gradient, and the conformance suite.
#include "huale/losses/eiou.h"

#include <torch/torch.h>

#include "gtest/gtest.h"
#include "huale/losses/box_geometry.h"
#include "huale/losses/loss.h"
#include "huale/losses/loss_conformance.h"

namespace huale {
namespace {

using box_geometry::kUnionEps;

LossSpec Spec(bool union_multiplier = true, double s = 0.1) {
  LossSpec spec;
  spec.set_name("eiou");
  spec.mutable_eiou()->set_union_multiplier(union_multiplier);
  spec.mutable_eiou()->set_smooth_threshold(s);
  return spec;
}

INSTANTIATE_TEST_SUITE_P(
    Eiou, LossConformanceTest,
    ::testing::Values(
        LossConformanceCase{"UnionMultiplier", Spec(true), LossRole::kBoxRegression, false, true,
                            /*gradient_matches_finite_differences=*/false},
        LossConformanceCase{"NoMultiplier", Spec(false), LossRole::kBoxRegression},
        LossConformanceCase{"WideThreshold", Spec(false, 0.5), LossRole::kBoxRegression}),
    LossConformanceCaseName);

std::unique_ptr<Loss> Make(const LossSpec& spec) {
  return std::move(LossRegistry::Get().Create(spec.name(), spec)).value();
}

torch::Tensor B(std::vector<double> xyxy) {
  return torch::tensor(xyxy, torch::kDouble).reshape({-1, 4});
}

// One positive RoI p vs gt t on proposal `prop`; everything else irrelevant.
RoiLossInputs Pair(const torch::Tensor& p, const torch::Tensor& t, const torch::Tensor& prop) {
  RoiLossInputs in = MakeRandomRoiLossInputs(31, p.size(0) + 2, p.size(0), 3, torch::kDouble);
  in.pred_boxes = p.clone().requires_grad_(true);
  in.gt_boxes = t;
  in.proposals = prop;
  return in;
}

double Convexified(double eiou, double s) {
  const double d = 1 - eiou;
  return d < s ? 0.5 * d * d / s : d - 0.5 * s;
}

TEST(Eiou, HandValuesWithoutMultiplier) {
  // Pixel-unit hand values (box_geometry_test derives I_e, U_e); the proposal
  // rescales both alike, so EIoU is unchanged up to the 1e-7 guard.
  struct Case { std::vector<double> p, t; double inter, uni; };
  const std::vector<Case> cases = {
      {{0, 0, 4, 4}, {2, 2, 6, 6}, 4, 28},      // overlap
      {{0, 0, 2, 2}, {2, 0, 4, 2}, 0, 8},       // touch
      {{1, 1, 3, 3}, {0, 0, 4, 4}, 4, 16},      // nest
      {{0, 0, 2, 2}, {3, 0, 5, 2}, -2, 10},     // apart along x
      {{0, 0, 2, 2}, {3, 4, 5, 6}, -16, 24},    // apart along both
      {{0, 0, 10, 10}, {0, 0, 10, 9.5}, 95, 100},  // near the optimum: delta 0.05 < s
  };
  for (const Case& c : cases) {
    const torch::Tensor t = B(c.t);
    const double got = Make(Spec(false))->Compute(Pair(B(c.p), t, t)).item<double>();
    EXPECT_NEAR(got, Convexified(c.inter / c.uni, 0.1), 1e-6) << c.inter << "/" << c.uni;
  }
  // delta = 0.05: 0.5 * 0.05^2 / 0.1 = 0.0125; overlap: 6/7 - 0.05.
  EXPECT_NEAR(Convexified(0.95, 0.1), 0.0125, 1e-15);
  EXPECT_NEAR(Convexified(1.0 / 7, 0.1), 6.0 / 7 - 0.05, 1e-15);
}

TEST(Eiou, UnionMultiplierIsInProposalUnits) {
  // Overlap case on proposal t = (2,2,6,6) (4 x 4 px): U_e = 28 px^2 = 28/16
  // proposal areas, so l = (6/7 - 0.05) * 1.75 (the guard is now 1e-7 of a
  // proposal area: EIoU = (4/16) / (28/16 + 1e-7)).
  const torch::Tensor t = B({2, 2, 6, 6});
  const double eiou = 0.25 / (1.75 + kUnionEps);
  const double got = Make(Spec(true))->Compute(Pair(B({0, 0, 4, 4}), t, t)).item<double>();
  // 1e-8: the spec holds s as a float (0.1f - 0.1 = 1.5e-9).
  EXPECT_NEAR(got, Convexified(eiou, 0.1) * (1.75 + kUnionEps), 1e-8);
  // On a 2 x 8 proposal the multiplier is 28 / 16 as well; on an 8 x 8 one, 28 / 64.
  const double on_8x8 =
      Make(Spec(true))->Compute(Pair(B({0, 0, 4, 4}), t, B({0, 0, 8, 8}))).item<double>();
  EXPECT_NEAR(on_8x8, Convexified(1.0 / 7, 0.1) * 28.0 / 64.0, 1e-6);
}

TEST(Eiou, MeanOverPositives) {
  // Two positives (overlap: 6/7 - 0.05, apart along x: 1.2 - 0.05) among 7 RoIs.
  const torch::Tensor t = B({2, 2, 6, 6, 3, 0, 5, 2});
  RoiLossInputs in = Pair(B({0, 0, 4, 4, 0, 0, 2, 2}), t, t);
  in.labels = torch::tensor({1, 2, 0, 0, 0, 0, 0}, torch::kLong);
  EXPECT_NEAR(Make(Spec(false))->Compute(in).item<double>(),
              ((6.0 / 7 - 0.05) + (1.2 - 0.05)) / 2, 1e-6);
}

TEST(Eiou, DisjointBoxesStillGetPulledTogether) {
  // Ordinary IoU is 0 (flat) for p left of t; EIoU's gradient moves p right.
  const torch::Tensor t = B({3, 0, 5, 2});
  RoiLossInputs in = Pair(B({0, 0, 2, 2}), t, t);
  const torch::Tensor loss = Make(Spec(true))->Compute(in);
  const torch::Tensor grad = torch::autograd::grad({loss}, {in.pred_boxes})[0];
  // I_e = (p.x2 - t.x1)(c + d): moving the right edge towards t, or the whole
  // box (x1 and x2 together), lowers the loss. (Moving x1 alone only shrinks p:
  // I_e unchanged, U_e smaller, EIoU more negative, loss up.)
  EXPECT_LT(grad[0][2].item<double>(), 0);
  EXPECT_LT(grad[0][0].item<double>() + grad[0][2].item<double>(), 0);
  EXPECT_GT(grad[0][0].item<double>(), 0);
}

TEST(Eiou, ConvexifiedLossIsContinuouslyDifferentiableAtTheThreshold) {
  const double s = 0.1;
  for (double eiou : {1 - s - 1e-9, 1 - s + 1e-9}) {
    const torch::Tensor x = torch::tensor({eiou}, torch::kDouble).requires_grad_(true);
    const torch::Tensor l = ConvexifiedEiouLoss(x, s);
    EXPECT_NEAR(l.item<double>(), 0.5 * s, 1e-8);
    // d l / d EIoU = -delta / s below s, -1 above: both -1 at delta = s.
    EXPECT_NEAR(torch::autograd::grad({l}, {x})[0].item<double>(), -1.0, 1e-7);
  }
}

TEST(Eiou, MultiplierGradientEqualsFrozenUnionFiniteDifferences) {
  // With the multiplier, autograd must give d/dp sum_i stopgrad(U_i) l_i(p) / P:
  // differences of that function with U_i held at its value at p0.
  for (uint64_t seed : {41, 42, 43}) {
    RoiLossInputs in = MakeRandomRoiLossInputs(seed, 7, 4, 3, torch::kDouble);
    const torch::Tensor loss = Make(Spec(true))->Compute(in);
    const torch::Tensor autograd = torch::autograd::grad({loss}, {in.pred_boxes})[0];
    const torch::Tensor p0 = box_geometry::NormaliseToProposals(in.pred_boxes, in.proposals);
    const torch::Tensor t0 = box_geometry::NormaliseToProposals(in.gt_boxes, in.proposals);
    const torch::Tensor frozen_union =
        box_geometry::ExtendedUnion(p0, t0, box_geometry::ExtendedIntersection(p0, t0)).detach();
    EiouOptions plain;
    plain.set_union_multiplier(false);
    const torch::Tensor numeric = FiniteDifferenceGradient(
        [&](const torch::Tensor& p) {
          return (frozen_union * EiouLossPerRoi(p, in.gt_boxes, in.proposals, plain)).sum() / 4.0;
        },
        in.pred_boxes);
    EXPECT_LT((autograd - numeric).abs().max().item<double>(), 1e-6) << seed;
  }
}

TEST(Eiou, RejectsNonPositiveThreshold) {
  const absl::StatusOr<std::unique_ptr<Loss>> loss =
      LossRegistry::Get().Create("eiou", Spec(true, 0.0));
  EXPECT_EQ(loss.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(loss.status().message().find("eiou.smooth_threshold"), std::string::npos);
}

}  // namespace
}  // namespace huale
