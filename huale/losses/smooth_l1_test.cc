// "smooth_l1" against torch::nn::functional::smooth_l1_loss as torchvision's
// fastrcnn_loss uses it (beta 1/9, sum over positives / all RoIs).
#include "huale/losses/smooth_l1.h"

#include <torch/torch.h>

#include "gtest/gtest.h"
#include "huale/losses/loss.h"
#include "huale/losses/loss_conformance.h"

namespace huale {
namespace {

namespace F = torch::nn::functional;

LossSpec Spec(double beta = -1) {
  LossSpec spec;
  spec.set_name("smooth_l1");
  if (beta >= 0) spec.mutable_smooth_l1()->set_beta(beta);
  return spec;
}

INSTANTIATE_TEST_SUITE_P(
    SmoothL1, LossConformanceTest,
    ::testing::Values(LossConformanceCase{"Default", Spec(), LossRole::kBoxRegression},
                      LossConformanceCase{"BetaOne", Spec(1.0), LossRole::kBoxRegression}),
    LossConformanceCaseName);

std::unique_ptr<Loss> Make(const LossSpec& spec) {
  return std::move(LossRegistry::Get().Create(spec.name(), spec)).value();
}

TEST(SmoothL1, EqualsTorchvisionFormulaOnRandomInputs) {
  for (uint64_t seed : {21, 22, 23}) {
    const RoiLossInputs in = MakeRandomRoiLossInputs(seed, 512, 128, 20, torch::kFloat);
    const torch::Tensor ours = Make(Spec())->Compute(in);
    // torchvision roi_heads.fastrcnn_loss: smooth_l1_loss(..., beta=1/9,
    // reduction="sum") / labels.numel().
    const torch::Tensor reference =
        F::smooth_l1_loss(in.box_deltas, in.target_deltas,
                          F::SmoothL1LossFuncOptions().reduction(torch::kSum), 1.0 / 9.0) /
        in.labels.numel();
    EXPECT_NEAR(ours.item<double>(), reference.item<double>(), 1e-5) << seed;
  }
}

TEST(SmoothL1, NormalisesByAllRoisNotPositives) {
  // One positive, deltas off by (1, 0, 0, 0) with beta = 1/9: 1 - 1/18 per RoI;
  // 10 sampled RoIs in all -> (17/18) / 10.
  RoiLossInputs in = MakeRandomRoiLossInputs(24, 10, 1, 3, torch::kDouble);
  in.target_deltas = torch::zeros({1, 4}, torch::kDouble);
  in.box_deltas = torch::tensor({{1.0, 0.0, 0.0, 0.0}}, torch::kDouble).requires_grad_(true);
  EXPECT_NEAR(Make(Spec())->Compute(in).item<double>(), (1.0 - 1.0 / 18.0) / 10.0, 1e-7);
}

TEST(SmoothL1, ElementwiseHandValues) {
  // beta = 0.125: 0.5 x^2 / beta below beta, |x| - beta / 2 above; C1 at beta.
  const torch::Tensor x = torch::tensor({0.0, 0.05, -0.1, 0.125, -0.3, 2.0}, torch::kDouble);
  const torch::Tensor expected =
      torch::tensor({0.0, 0.01, 0.04, 0.0625, 0.2375, 1.9375}, torch::kDouble);
  EXPECT_TRUE(torch::allclose(SmoothL1(x, 0.125), expected, 0, 1e-15));
}

TEST(SmoothL1, RejectsNonPositiveBeta) {
  EXPECT_EQ(LossRegistry::Get().Create("smooth_l1", Spec(0.0)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace huale
