#include "huale/models/ops/roi_align.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>

#include <cmath>
#include <string>
#include <tuple>

#include "gtest/gtest.h"
#include "huale/models/ops/torchvision_reference.h"

namespace huale {
namespace ops {
namespace {

class RoiAlignTest : public ::testing::TestWithParam<std::tuple<bool, int>> {
 protected:
  void SetUp() override {
    const absl::Status loaded = reference::LoadTorchvision();
    ASSERT_TRUE(loaded.ok()) << loaded.message();
    reference::SetThreadsFromEnv();
  }
};

// RoIs in image pixels for a 2-image batch whose maps cover `image` pixels:
// ordinary boxes, boxes reaching past every border, tiny and inverted ones.
at::Tensor RandomRois(int64_t k, double image_h, double image_w, uint64_t seed,
                      at::ScalarType dtype) {
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const at::Tensor batch = at::randint(0, 2, {k, 1}, gen, at::kDouble);
  at::Tensor x1 = at::rand({k, 1}, gen, at::kDouble) * (image_w * 1.4) - 0.2 * image_w;
  at::Tensor y1 = at::rand({k, 1}, gen, at::kDouble) * (image_h * 1.4) - 0.2 * image_h;
  at::Tensor w = at::rand({k, 1}, gen, at::kDouble) * image_w * 0.6;
  at::Tensor h = at::rand({k, 1}, gen, at::kDouble) * image_h * 0.6;
  w.slice(0, 0, k / 10).mul_(0.01);            // sub-cell boxes
  w.slice(0, k / 10, k / 5).mul_(-0.05);       // inverted boxes (x2 < x1)
  return at::cat({batch, x1, y1, x1 + w, y1 + h}, 1).to(dtype);
}

constexpr double kScale = 0.25;

TEST_P(RoiAlignTest, ForwardMatchesTorchvision) {
  const auto [aligned, sampling_ratio] = GetParam();
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(1);
  const at::Tensor input = at::randn({2, 5, 19, 26}, gen, at::kFloat);
  const at::Tensor rois = RandomRois(300, 19 / kScale, 26 / kScale, 2, at::kFloat);
  for (const auto& [ph, pw] : {std::pair<int64_t, int64_t>{7, 7}, {3, 5}}) {
    const at::Tensor expected = reference::TorchvisionRoiAlign(
        input, rois, kScale, ph, pw, sampling_ratio, aligned);
    const at::Tensor actual = RoiAlign(input, rois, kScale, ph, pw, sampling_ratio, aligned);
    ASSERT_EQ(actual.sizes(), expected.sizes());
    EXPECT_LE((actual - expected).abs().max().item<double>(), 1e-5)
        << "pooled " << ph << "x" << pw;
  }
}

TEST_P(RoiAlignTest, BackwardMatchesTorchvision) {
  const auto [aligned, sampling_ratio] = GetParam();
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(3);
  const at::Tensor input = at::randn({2, 6, 17, 23}, gen, at::kFloat);
  const at::Tensor rois = RandomRois(250, 17 / kScale, 23 / kScale, 4, at::kFloat);
  const at::Tensor grad = at::randn({250, 6, 7, 7}, gen, at::kFloat);
  const at::Tensor expected = reference::TorchvisionRoiAlignBackward(
      grad, rois, kScale, 7, 7, 2, 6, 17, 23, sampling_ratio, aligned);

  const at::Tensor direct =
      RoiAlignBackward(grad, rois, kScale, 7, 7, 2, 6, 17, 23, sampling_ratio, aligned);
  EXPECT_LE((direct - expected).abs().max().item<double>(), 1e-5);

  // Through autograd, with a non-contiguous upstream gradient.
  const at::Tensor x = input.clone().set_requires_grad(true);
  const at::Tensor out = RoiAlign(x, rois, kScale, 7, 7, sampling_ratio, aligned);
  const at::Tensor grad_t = grad.transpose(2, 3).contiguous().transpose(2, 3);
  ASSERT_FALSE(grad_t.is_contiguous());
  torch::autograd::backward({out}, {grad_t});
  ASSERT_TRUE(x.grad().defined());
  EXPECT_LE((x.grad() - expected).abs().max().item<double>(), 1e-5);
}

// Output is linear in the input for fixed RoIs, so central differences in
// double are exact up to rounding.
TEST_P(RoiAlignTest, GradientMatchesFiniteDifferencesInDouble) {
  // Plain copies: C++17 lambdas cannot capture structured bindings (clang refuses).
  const bool aligned = std::get<0>(GetParam());
  const int sampling_ratio = std::get<1>(GetParam());
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(5);
  const at::Tensor input = at::randn({2, 2, 6, 7}, gen, at::kDouble);
  const at::Tensor rois = RandomRois(12, 6 / 0.5, 7 / 0.5, 6, at::kDouble);
  const at::Tensor weights = at::randn({12, 2, 3, 3}, gen, at::kDouble);
  auto objective = [&](const at::Tensor& x) {
    return (RoiAlign(x, rois, 0.5, 3, 3, sampling_ratio, aligned) * weights).sum();
  };
  const at::Tensor x = input.clone().set_requires_grad(true);
  torch::autograd::backward({objective(x)});
  const at::Tensor analytic = x.grad();
  at::Tensor numeric = at::zeros_like(input);
  const double h = 1e-3;
  for (int64_t i = 0; i < input.numel(); ++i) {
    at::Tensor plus = input.clone(), minus = input.clone();
    plus.view(-1)[i] += h;
    minus.view(-1)[i] -= h;
    numeric.view(-1)[i] =
        (objective(plus).item<double>() - objective(minus).item<double>()) / (2 * h);
  }
  EXPECT_LE((analytic - numeric).abs().max().item<double>(), 1e-8);
  EXPECT_GT(analytic.abs().sum().item<double>(), 0.0);  // the test can fail
}

INSTANTIATE_TEST_SUITE_P(
    AlignedAndSampling, RoiAlignTest,
    ::testing::Combine(::testing::Bool(), ::testing::Values(0, 2)),
    [](const ::testing::TestParamInfo<std::tuple<bool, int>>& info) {
      return std::string(std::get<0>(info.param) ? "Aligned" : "Legacy") +
             "Sampling" + std::to_string(std::get<1>(info.param));
    });

class RoiAlignEdgeTest : public RoiAlignTest {};

TEST_F(RoiAlignEdgeTest, DoubleForwardAndBackwardMatchTorchvision) {
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(8);
  const at::Tensor input = at::randn({2, 4, 13, 11}, gen, at::kDouble);
  const at::Tensor rois = RandomRois(100, 13 * 8, 11 * 8, 9, at::kDouble);
  const at::Tensor grad = at::randn({100, 4, 7, 7}, gen, at::kDouble);
  EXPECT_LE((RoiAlign(input, rois, 0.125, 7, 7, 2, false) -
             reference::TorchvisionRoiAlign(input, rois, 0.125, 7, 7, 2, false))
                .abs().max().item<double>(), 1e-12);
  EXPECT_LE((RoiAlignBackward(grad, rois, 0.125, 7, 7, 2, 4, 13, 11, 0, true) -
             reference::TorchvisionRoiAlignBackward(grad, rois, 0.125, 7, 7, 2, 4, 13,
                                                    11, 0, true))
                .abs().max().item<double>(), 1e-12);
}

TEST_F(RoiAlignEdgeTest, EmptyRoiListGivesEmptyOutputAndZeroGradient) {
  const at::Tensor x = at::randn({1, 3, 8, 8}).set_requires_grad(true);
  const at::Tensor out = RoiAlign(x, at::zeros({0, 5}), 1.0, 7, 7, 2, true);
  EXPECT_EQ(out.sizes(), (at::IntArrayRef{0, 3, 7, 7}));
  const at::Tensor expected = reference::TorchvisionRoiAlign(
      x.detach(), at::zeros({0, 5}), 1.0, 7, 7, 2, true);
  EXPECT_EQ(out.sizes(), expected.sizes());
  out.sum().backward();
  ASSERT_TRUE(x.grad().defined());
  EXPECT_EQ(x.grad().abs().sum().item<float>(), 0.f);
}

TEST_F(RoiAlignEdgeTest, RejectsBadInput) {
  const at::Tensor input = at::zeros({2, 3, 8, 8});
  EXPECT_THROW(RoiAlign(input, at::zeros({1, 4}), 1.0, 7, 7, 2, true), c10::Error);
  EXPECT_THROW(RoiAlign(input, at::tensor({2.f, 0.f, 0.f, 4.f, 4.f}).view({1, 5}),
                        1.0, 7, 7, 2, true),
               c10::Error);  // batch index 2 of 2 images
  EXPECT_THROW(RoiAlign(input, at::zeros({1, 5}, at::kDouble), 1.0, 7, 7, 2, true),
               c10::Error);
  EXPECT_THROW(RoiAlign(input.select(0, 0), at::zeros({1, 5}), 1.0, 7, 7, 2, true),
               c10::Error);
  const float nan = std::nanf("");
  EXPECT_THROW(RoiAlign(input, at::tensor({0.f, nan, 0.f, 4.f, 4.f}).view({1, 5}), 1.0,
                        7, 7, 2, true),
               c10::Error);
  EXPECT_THROW(RoiAlign(input, at::tensor({0.f, 0.f, 0.f, 1e9f, 4.f}).view({1, 5}), 1.0,
                        7, 7, 0, true),
               c10::Error);  // adaptive grid of ~1e8 points per bin
}

}  // namespace
}  // namespace ops
}  // namespace huale
