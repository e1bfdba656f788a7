// "focal_eiou" against a direct scalar transcription of Zhang et al. (2021):
// L = IoU^gamma (1 - IoU + rho^2(centres)/c^2 + rho^2(w)/C_w^2 + rho^2(h)/C_h^2).
#include "huale/losses/focal_eiou.h"

#include <algorithm>
#include <cmath>

#include <torch/torch.h>

#include "gtest/gtest.h"
#include "huale/losses/loss.h"
#include "huale/losses/loss_conformance.h"

namespace huale {
namespace {

LossSpec Spec(double gamma = 0.5, bool detach_weight = false) {
  LossSpec spec;
  spec.set_name("focal_eiou");
  spec.mutable_focal_eiou()->set_gamma(gamma);
  spec.mutable_focal_eiou()->set_detach_weight(detach_weight);
  return spec;
}

INSTANTIATE_TEST_SUITE_P(
    FocalEiou, LossConformanceTest,
    ::testing::Values(
        // 1 - IoU has a kink at the optimum: no zero-gradient claim there.
        LossConformanceCase{"Default", Spec(), LossRole::kBoxRegression, false,
                            /*zero_gradient_at_optimum=*/false},
        LossConformanceCase{"GammaZero", Spec(0.0), LossRole::kBoxRegression, false, false},
        LossConformanceCase{"DetachedWeight", Spec(0.5, true), LossRole::kBoxRegression, false,
                            false, /*gradient_matches_finite_differences=*/false}),
    LossConformanceCaseName);

struct Xyxy { double x1, y1, x2, y2; };

// The paper's formula, written out for one pair.
double ZhangFocalEiou(Xyxy p, Xyxy t, double gamma) {
  const double iw = std::max(0.0, std::min(p.x2, t.x2) - std::max(p.x1, t.x1));
  const double ih = std::max(0.0, std::min(p.y2, t.y2) - std::max(p.y1, t.y1));
  const double wp = p.x2 - p.x1, hp = p.y2 - p.y1, wt = t.x2 - t.x1, ht = t.y2 - t.y1;
  const double iou = iw * ih / (wp * hp + wt * ht - iw * ih);
  const double cw = std::max(p.x2, t.x2) - std::min(p.x1, t.x1);
  const double ch = std::max(p.y2, t.y2) - std::min(p.y1, t.y1);
  const double rho2 = std::pow((p.x1 + p.x2) / 2 - (t.x1 + t.x2) / 2, 2) +
                      std::pow((p.y1 + p.y2) / 2 - (t.y1 + t.y2) / 2, 2);
  const double eiou = 1 - iou + rho2 / (cw * cw + ch * ch) + std::pow(wp - wt, 2) / (cw * cw) +
                      std::pow(hp - ht, 2) / (ch * ch);
  return std::pow(iou, gamma) * eiou;
}

TEST(FocalEiou, EqualsTheFormulaOnHandBoxes) {
  const std::vector<std::pair<Xyxy, Xyxy>> pairs = {
      {{0, 0, 4, 4}, {2, 2, 6, 6}},      // overlap
      {{1, 1, 3, 3}, {0, 0, 4, 4}},      // nest
      {{0, 0, 10, 10}, {1, 2, 12, 9}},   // shifted and resized
      {{5, 5, 25, 15}, {5, 5, 25, 15}},  // identical: 0
  };
  std::vector<double> p_flat, t_flat;
  double mean = 0;
  for (const auto& [p, t] : pairs) {
    p_flat.insert(p_flat.end(), {p.x1, p.y1, p.x2, p.y2});
    t_flat.insert(t_flat.end(), {t.x1, t.y1, t.x2, t.y2});
    mean += ZhangFocalEiou(p, t, 0.5) / pairs.size();
  }
  RoiLossInputs in = MakeRandomRoiLossInputs(51, 9, 4, 3, torch::kDouble);
  in.pred_boxes = torch::tensor(p_flat, torch::kDouble).reshape({-1, 4}).requires_grad_(true);
  in.gt_boxes = torch::tensor(t_flat, torch::kDouble).reshape({-1, 4});
  const torch::Tensor per_roi = FocalEiouPerRoi(in.pred_boxes, in.gt_boxes, 0.5, false);
  for (size_t i = 0; i < pairs.size(); ++i) {
    EXPECT_NEAR(per_roi[i].item<double>(),
                ZhangFocalEiou(pairs[i].first, pairs[i].second, 0.5), 1e-6) << i;
  }
  std::unique_ptr<Loss> loss = std::move(LossRegistry::Get().Create("focal_eiou", Spec())).value();
  EXPECT_NEAR(loss->Compute(in).item<double>(), mean, 1e-6);
  // Overlap pair by hand: IoU 1/7; centres 2 apart in x and y, enclosing 6 x 6:
  // 8 / 72; equal sizes. (1/7)^0.5 * (6/7 + 1/9).
  EXPECT_NEAR(per_roi[0].item<double>(), std::sqrt(1.0 / 7) * (6.0 / 7 + 1.0 / 9), 1e-6);
}

TEST(FocalEiou, DisjointBoxesKeepTheDistanceTermsButLoseTheFocalWeight) {
  // IoU 0: the weight is clamped at 1e-7^gamma, gradient finite, value tiny.
  RoiLossInputs in = MakeRandomRoiLossInputs(52, 3, 1, 3, torch::kDouble);
  in.pred_boxes = torch::tensor({{0., 0., 2., 2.}}, torch::kDouble).requires_grad_(true);
  in.gt_boxes = torch::tensor({{3., 4., 5., 6.}}, torch::kDouble);
  const torch::Tensor l = FocalEiouPerRoi(in.pred_boxes, in.gt_boxes, 0.5, false).sum();
  // Unweighted: 1 + (3^2 + 4^2) / (5^2 + 6^2) = 1 + 25/61.
  EXPECT_NEAR(ZhangEiouPerRoi(in.pred_boxes, in.gt_boxes).item<double>(), 1 + 25.0 / 61, 1e-6);
  EXPECT_NEAR(l.item<double>(), std::sqrt(1e-7) * (1 + 25.0 / 61), 1e-9);
  EXPECT_TRUE(torch::isfinite(torch::autograd::grad({l}, {in.pred_boxes})[0]).all().item<bool>());
}

TEST(FocalEiou, DetachedWeightGradientEqualsFrozenWeightDifferences) {
  RoiLossInputs in = MakeRandomRoiLossInputs(53, 7, 4, 3, torch::kDouble);
  std::unique_ptr<Loss> loss =
      std::move(LossRegistry::Get().Create("focal_eiou", Spec(0.5, true))).value();
  const torch::Tensor autograd =
      torch::autograd::grad({loss->Compute(in)}, {in.pred_boxes})[0];
  // Weight at p0 from the scalar transcription with gamma = 0.5 divided by the
  // unweighted term with gamma = 0: IoU^0.5.
  std::vector<double> w;
  for (int64_t i = 0; i < 4; ++i) {
    auto row = [&](const torch::Tensor& b) {
      return Xyxy{b[i][0].item<double>(), b[i][1].item<double>(), b[i][2].item<double>(),
                  b[i][3].item<double>()};
    };
    const Xyxy p = row(in.pred_boxes), t = row(in.gt_boxes);
    w.push_back(std::max(1e-7, std::pow(ZhangFocalEiou(p, t, 0.5) / ZhangFocalEiou(p, t, 0), 2)));
    w.back() = std::sqrt(w.back());
  }
  const torch::Tensor frozen = torch::tensor(w, torch::kDouble);
  const torch::Tensor numeric = FiniteDifferenceGradient(
      [&](const torch::Tensor& p) { return (frozen * ZhangEiouPerRoi(p, in.gt_boxes)).sum() / 4; },
      in.pred_boxes);
  EXPECT_LT((autograd - numeric).abs().max().item<double>(), 1e-6);
}

TEST(FocalEiou, RejectsNegativeGamma) {
  EXPECT_EQ(LossRegistry::Get().Create("focal_eiou", Spec(-1)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace huale
