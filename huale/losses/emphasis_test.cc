// "emphasis" (method doc §2.3) on a hand-built crowded scene, its stop-gradient
// weights, and the conformance suite.
#include "huale/losses/emphasis.h"

#include <cmath>

#include <torch/torch.h>

#include "gtest/gtest.h"
#include "huale/losses/box_geometry.h"
#include "huale/losses/cross_entropy.h"
#include "huale/losses/eiou.h"
#include "huale/losses/loss.h"
#include "huale/losses/loss_conformance.h"

namespace huale {
namespace {

LossSpec Spec(double gamma, bool density, EmphasisOptions::BoxTerm term,
              bool union_multiplier = true) {
  LossSpec spec;
  spec.set_name("emphasis");
  EmphasisOptions* o = spec.mutable_emphasis();
  o->set_gamma(gamma);
  o->set_density_term(density);
  o->set_box_term(term);
  o->mutable_eiou()->set_union_multiplier(union_multiplier);
  return spec;
}

LossSpec DefaultSpec() {
  LossSpec spec;
  spec.set_name("emphasis");
  spec.mutable_emphasis();
  return spec;
}

INSTANTIATE_TEST_SUITE_P(
    Emphasis, LossConformanceTest,
    ::testing::Values(
        LossConformanceCase{"Default", DefaultSpec(), LossRole::kAuxiliary, false, true,
                            /*gradient_matches_finite_differences=*/false},
        LossConformanceCase{"GammaZeroPlainEiou",
                            Spec(0, true, EmphasisOptions::EIOU, /*union_multiplier=*/false),
                            LossRole::kAuxiliary},
        LossConformanceCase{"GammaZeroSmoothL1", Spec(0, true, EmphasisOptions::SMOOTH_L1),
                            LossRole::kAuxiliary},
        LossConformanceCase{"NoBoxTerm", Spec(0.5, true, EmphasisOptions::NONE),
                            LossRole::kAuxiliary, false, true, false}),
    LossConformanceCaseName);

std::unique_ptr<Loss> Make(const LossSpec& spec) {
  return std::move(LossRegistry::Get().Create(spec.name(), spec)).value();
}

// One image, five gts: A = (0,0,10,10) overlaps B = (5,5,15,15) and
// C = (8,0,20,4); B and C do not meet; D = (50,50,60,60) is alone;
// E = (-2,0,0,10) only touches A. rho = #overlapping others / 4:
// A 0.5, B 0.25, C 0.25, D 0, E 0.
// Four positive RoIs (proposal = its gt, C = 3 classes, logits all 0 so
// CE_i = log 4):
//   r0 -> A, pred (0,0,10,5):  IoU 50/100 = 1/2, w = 1.5  * (1/2)^0.5
//   r1 -> A, pred (5,0,15,10): IoU 50/150 = 1/3, w = 1.5  * (2/3)^0.5
//   r2 -> D, pred = D:         IoU 1,            w = 0
//   r3 -> B, pred (5,5,15,10): IoU 50/100 = 1/2, w = 1.25 * (1/2)^0.5
// Per-RoI EIoU loss (s = 0.1, union in proposal areas): r0 nested, EIoU 1/2,
// l = 0.45, U = 1; r1 overlapping, EIoU 1/3, l = 2/3 - 0.05, U = 150/100;
// r2 0; r3 like r0: 0.45.
struct CrowdedScene {
  RoiLossInputs in;
  std::vector<double> weights = {1.5 * std::sqrt(0.5), 1.5 * std::sqrt(2.0 / 3), 0.0,
                                 1.25 * std::sqrt(0.5)};
  std::vector<double> eiou_loss = {0.45, (2.0 / 3 - 0.05) * 1.5, 0.0, 0.45};
  double ce = std::log(4.0);

  CrowdedScene() {
    const torch::Tensor gts = torch::tensor(
        {{0., 0., 10., 10.}, {5., 5., 15., 15.}, {8., 0., 20., 4.}, {50., 50., 60., 60.},
         {-2., 0., 0., 10.}}, torch::kDouble);
    const torch::Tensor density = box_geometry::GtDensity(gts);
    const torch::Tensor match = torch::tensor({0, 0, 3, 1}, torch::kLong);
    in.class_logits = torch::zeros({6, 4}, torch::kDouble).requires_grad_(true);
    in.labels = torch::tensor({1, 2, 3, 1, 0, 0}, torch::kLong);
    in.positive = torch::arange(4, torch::kLong);
    in.gt_boxes = gts.index_select(0, match);
    in.gt_density = density.index_select(0, match);
    in.proposals = in.gt_boxes.clone();
    in.pred_boxes = torch::tensor({{0., 0., 10., 5.}, {5., 0., 15., 10.},
                                   {50., 50., 60., 60.}, {5., 5., 15., 10.}},
                                  torch::kDouble)
                        .requires_grad_(true);
    in.box_deltas = torch::zeros({4, 4}, torch::kDouble).requires_grad_(true);
    in.target_deltas = torch::zeros({4, 4}, torch::kDouble);
  }
};

TEST(Emphasis, CrowdedSceneDensities) {
  CrowdedScene scene;
  EXPECT_TRUE(torch::allclose(scene.in.gt_density,
                              torch::tensor({0.5, 0.5, 0.0, 0.25}, torch::kDouble)));
}

TEST(Emphasis, CrowdedSceneWeights) {
  CrowdedScene scene;
  const torch::Tensor w =
      EmphasisWeights(scene.in.pred_boxes, scene.in.gt_boxes, scene.in.gt_density, 0.5, true);
  EXPECT_FALSE(w.requires_grad());
  EXPECT_TRUE(torch::allclose(w, torch::tensor(scene.weights, torch::kDouble), 0, 1e-12)) << w;
  // gamma = 0 and no density: all ones, the perfect box included (0^0 = 1).
  EXPECT_TRUE(torch::equal(
      EmphasisWeights(scene.in.pred_boxes, scene.in.gt_boxes, torch::Tensor(), 0.0, false),
      torch::ones({4}, torch::kDouble)));
}

TEST(Emphasis, CrowdedSceneClassificationOnly) {
  CrowdedScene scene;
  double expected = 0;
  for (double w : scene.weights) expected += w * scene.ce / 4;
  EXPECT_NEAR(Make(Spec(0.5, true, EmphasisOptions::NONE))->Compute(scene.in).item<double>(),
              expected, 1e-12);
}

TEST(Emphasis, CrowdedSceneWithEiouTerm) {
  CrowdedScene scene;
  double expected = 0;
  for (int i = 0; i < 4; ++i) expected += scene.weights[i] * (scene.ce + scene.eiou_loss[i]) / 4;
  // 1e-6: the 1e-7 union guard and the float s.
  EXPECT_NEAR(Make(DefaultSpec())->Compute(scene.in).item<double>(), expected, 1e-6);
}

TEST(Emphasis, UnitWeightsGiveCrossEntropyOverPositivesPlusEiou) {
  // gamma = 0, no density: L = mean over positives of CE_i + the "eiou" loss.
  const RoiLossInputs in = MakeRandomRoiLossInputs(71, 9, 5, 4, torch::kDouble);
  LossSpec eiou_spec;
  eiou_spec.set_name("eiou");
  const double eiou = Make(eiou_spec)->Compute(in).item<double>();
  const double ce =
      torch::nn::functional::cross_entropy(in.class_logits.slice(0, 0, 5), in.labels.slice(0, 0, 5))
          .item<double>();
  EXPECT_NEAR(Make(Spec(0, false, EmphasisOptions::EIOU))->Compute(in).item<double>(), ce + eiou,
              1e-12);
}

TEST(Emphasis, WeightsCarryNoGradient) {
  CrowdedScene scene;
  const auto grads = torch::autograd::grad(
      {Make(Spec(0.5, true, EmphasisOptions::NONE))->Compute(scene.in)},
      {scene.in.pred_boxes, scene.in.class_logits}, {}, false, false, /*allow_unused=*/true);
  EXPECT_FALSE(grads[0].defined());  // boxes only enter through the weights
  EXPECT_TRUE(grads[1].defined());
}

TEST(Emphasis, GradientEqualsFrozenWeightDifferences) {
  // Default options: d/dx sum_i w_i(x0) [CE_i(x) + stopgrad(U_i(x0)) l_i(x)] / P.
  for (uint64_t seed : {72, 73}) {
    RoiLossInputs in = MakeRandomRoiLossInputs(seed, 7, 4, 3, torch::kDouble);
    const torch::Tensor loss = Make(DefaultSpec())->Compute(in);
    const auto autograd = torch::autograd::grad({loss}, {in.pred_boxes, in.class_logits});
    const torch::Tensor w =
        EmphasisWeights(in.pred_boxes, in.gt_boxes, in.gt_density, 0.5, true);
    const torch::Tensor p0 = box_geometry::NormaliseToProposals(in.pred_boxes, in.proposals);
    const torch::Tensor t0 = box_geometry::NormaliseToProposals(in.gt_boxes, in.proposals);
    const torch::Tensor u0 =
        box_geometry::ExtendedUnion(p0, t0, box_geometry::ExtendedIntersection(p0, t0)).detach();
    EiouOptions plain;
    plain.set_union_multiplier(false);
    auto frozen = [&](const torch::Tensor& logits, const torch::Tensor& boxes) {
      const torch::Tensor ce =
          CrossEntropyPerRoi(logits.slice(0, 0, 4), in.labels.slice(0, 0, 4));
      const torch::Tensor l = u0 * EiouLossPerRoi(boxes, in.gt_boxes, in.proposals, plain);
      return (w * (ce + l)).sum() / 4;
    };
    const torch::Tensor numeric_boxes = FiniteDifferenceGradient(
        [&](const torch::Tensor& b) { return frozen(in.class_logits, b); }, in.pred_boxes);
    const torch::Tensor numeric_logits = FiniteDifferenceGradient(
        [&](const torch::Tensor& z) { return frozen(z, in.pred_boxes); }, in.class_logits);
    EXPECT_LT((autograd[0] - numeric_boxes).abs().max().item<double>(), 1e-6) << seed;
    EXPECT_LT((autograd[1] - numeric_logits).abs().max().item<double>(), 1e-6) << seed;
  }
}

TEST(Emphasis, RejectsBadOptions) {
  EXPECT_EQ(LossRegistry::Get().Create("emphasis", Spec(-0.5, true, EmphasisOptions::EIOU))
                .status().code(),
            absl::StatusCode::kInvalidArgument);
  LossSpec spec = DefaultSpec();
  spec.mutable_emphasis()->mutable_eiou()->set_smooth_threshold(0);
  const absl::StatusOr<std::unique_ptr<Loss>> loss = LossRegistry::Get().Create("emphasis", spec);
  EXPECT_EQ(loss.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(loss.status().message().find("EmphasisOptions.eiou.smooth_threshold"), std::string::npos);
}

TEST(Emphasis, RejectsAnEiouNormaliserItDoesNotUse) {
  LossSpec spec = DefaultSpec();
  spec.mutable_emphasis()->mutable_eiou()->set_normaliser(EiouOptions::SAMPLED_ROIS);
  const absl::StatusOr<std::unique_ptr<Loss>> loss = LossRegistry::Get().Create("emphasis", spec);
  EXPECT_EQ(loss.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(loss.status().message().find("EmphasisOptions.eiou.normaliser"), std::string::npos);
}

// The model refuses a defaulted box term unlike its box loss; an explicit one,
// even EIOU, is a choice.
TEST(Emphasis, BoxTermIsDefaultOnlyWhenTheSpecLeavesIt) {
  const std::unique_ptr<Loss> unset = Make(DefaultSpec());
  EXPECT_TRUE(unset->box_input_is_default());
  EXPECT_EQ(unset->box_input(), BoxInput::kDecodedBoxes);
  const std::unique_ptr<Loss> eiou = Make(Spec(0.5, true, EmphasisOptions::EIOU));
  EXPECT_FALSE(eiou->box_input_is_default());
  EXPECT_EQ(eiou->box_input(), BoxInput::kDecodedBoxes);
  EXPECT_EQ(Make(Spec(0.5, true, EmphasisOptions::SMOOTH_L1))->box_input(), BoxInput::kDeltas);
  EXPECT_EQ(Make(Spec(0.5, true, EmphasisOptions::NONE))->box_input(), BoxInput::kNone);
}

}  // namespace
}  // namespace huale
