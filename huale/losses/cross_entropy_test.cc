// "cross_entropy" against torch::nn::functional::cross_entropy (the function
// torchvision's fastrcnn_loss calls) and the shared conformance suite.
#include "huale/losses/cross_entropy.h"

#include <torch/torch.h>

#include "gtest/gtest.h"
#include "huale/losses/loss.h"
#include "huale/losses/loss_conformance.h"

namespace huale {
namespace {

namespace F = torch::nn::functional;

LossSpec Spec(double label_smoothing = 0.0) {
  LossSpec spec;
  spec.set_name("cross_entropy");
  if (label_smoothing != 0) spec.mutable_cross_entropy()->set_label_smoothing(label_smoothing);
  return spec;
}

INSTANTIATE_TEST_SUITE_P(
    CrossEntropy, LossConformanceTest,
    ::testing::Values(LossConformanceCase{"Default", Spec(), LossRole::kClassification},
                      LossConformanceCase{"LabelSmoothing", Spec(0.125),
                                          LossRole::kClassification, false,
                                          /*zero_gradient_at_optimum=*/false,
                                          /*gradient_matches_finite_differences=*/true,
                                          /*zero_at_optimum=*/false}),
    LossConformanceCaseName);

std::unique_ptr<Loss> Make(const LossSpec& spec) {
  return std::move(LossRegistry::Get().Create(spec.name(), spec)).value();
}

TEST(CrossEntropy, EqualsTorchFunctionalOnRandomInputs) {
  for (uint64_t seed : {11, 12, 13}) {
    const RoiLossInputs in = MakeRandomRoiLossInputs(seed, 64, 16, 20, torch::kFloat);
    const torch::Tensor ours = Make(Spec())->Compute(in);
    const torch::Tensor torch_ce = F::cross_entropy(in.class_logits, in.labels);
    EXPECT_NEAR(ours.item<double>(), torch_ce.item<double>(), 1e-6) << seed;
  }
}

TEST(CrossEntropy, LabelSmoothingEqualsTorchFunctional) {
  const RoiLossInputs in = MakeRandomRoiLossInputs(14, 64, 16, 20, torch::kDouble);
  const torch::Tensor ours = Make(Spec(0.25))->Compute(in);
  const torch::Tensor torch_ce = F::cross_entropy(
      in.class_logits, in.labels, F::CrossEntropyFuncOptions().label_smoothing(0.25));
  EXPECT_NEAR(ours.item<double>(), torch_ce.item<double>(), 1e-12);
}

TEST(CrossEntropy, PerRoiEqualsTorchFunctionalWithoutReduction) {
  const RoiLossInputs in = MakeRandomRoiLossInputs(15, 32, 8, 5, torch::kDouble);
  EXPECT_TRUE(torch::allclose(
      CrossEntropyPerRoi(in.class_logits, in.labels),
      F::cross_entropy(in.class_logits, in.labels,
                       F::CrossEntropyFuncOptions().reduction(torch::kNone)),
      0, 1e-12));
}

TEST(CrossEntropy, UniformLogitsGiveLogOfClassCount) {
  // softmax of equal logits is 1/(C+1) everywhere: -log(1/4) = log 4.
  RoiLossInputs in = MakeRandomRoiLossInputs(16, 6, 2, 3, torch::kDouble);
  in.class_logits = torch::zeros({6, 4}, torch::kDouble).requires_grad_(true);
  EXPECT_NEAR(Make(Spec())->Compute(in).item<double>(), std::log(4.0), 1e-12);
}

TEST(CrossEntropy, RejectsLabelSmoothingOutOfRange) {
  const absl::StatusOr<std::unique_ptr<Loss>> loss =
      LossRegistry::Get().Create("cross_entropy", Spec(1.5));
  EXPECT_EQ(loss.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(loss.status().message().find("label_smoothing"), std::string::npos);
}

}  // namespace
}  // namespace huale
