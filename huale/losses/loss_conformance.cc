#include "huale/losses/loss_conformance.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include <torch/torch.h>

namespace huale {
namespace {

using torch::indexing::Slice;

constexpr torch::Tensor RoiLossInputs::*kDifferentiable[] = {
    &RoiLossInputs::class_logits, &RoiLossInputs::box_deltas, &RoiLossInputs::pred_boxes,
    &RoiLossInputs::iou_pred};

std::unique_ptr<Loss> MakeLoss(const LossConformanceCase& c) {
  absl::StatusOr<std::unique_ptr<Loss>> loss = LossRegistry::Get().Create(c.spec.name(), c.spec);
  EXPECT_TRUE(loss.ok()) << loss.status();
  return loss.ok() ? std::move(*loss) : nullptr;
}

torch::Tensor Leaf(torch::Tensor t) { return t.detach().requires_grad_(true); }

// Gradients of `value` w.r.t. every differentiable member (zeros when unused).
std::vector<torch::Tensor> Gradients(const torch::Tensor& value, const RoiLossInputs& in) {
  std::vector<torch::Tensor> leaves;
  for (auto member : kDifferentiable) leaves.push_back(in.*member);
  std::vector<torch::Tensor> grads = torch::autograd::grad(
      {value}, leaves, /*grad_outputs=*/{}, /*retain_graph=*/true, /*create_graph=*/false,
      /*allow_unused=*/true);
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined()) grads[i] = torch::zeros_like(leaves[i]);
  }
  return grads;
}

// Boxes [n, 4] from corners and sizes.
torch::Tensor Xyxy(const torch::Tensor& xy, const torch::Tensor& wh) {
  return torch::cat({xy, xy + wh}, 1);
}

}  // namespace

void PrintTo(const LossConformanceCase& c, std::ostream* os) {
  *os << c.label << " {" << c.spec.ShortDebugString() << "}";
}

std::string LossConformanceCaseName(const ::testing::TestParamInfo<LossConformanceCase>& info) {
  return info.param.label;
}

RoiLossInputs MakeRandomRoiLossInputs(uint64_t seed, int64_t num_rois, int64_t num_positives,
                                      int64_t num_classes, torch::Dtype dtype) {
  torch::manual_seed(seed);
  const auto opts = torch::TensorOptions().dtype(dtype);
  const int64_t p = num_positives;
  RoiLossInputs in;
  in.class_logits = Leaf(torch::randn({num_rois, num_classes + 1}, opts));
  in.labels = torch::zeros({num_rois}, torch::kLong);
  if (p > 0) {
    in.labels.index_put_({Slice(0, p)}, torch::randint(1, num_classes + 1, {p}, torch::kLong));
  }
  in.positive = torch::arange(p, torch::kLong);

  const torch::Tensor prop_wh = 10 + 50 * torch::rand({p, 2}, opts);
  const torch::Tensor prop_xy = 50 * torch::rand({p, 2}, opts);
  in.proposals = Xyxy(prop_xy, prop_wh);
  const torch::Tensor gt_wh = prop_wh * (0.8 + 0.4 * torch::rand({p, 2}, opts));
  const torch::Tensor gt_xy = prop_xy + 0.15 * prop_wh * torch::randn({p, 2}, opts);
  in.gt_boxes = Xyxy(gt_xy, gt_wh);
  const torch::Tensor pred_wh = gt_wh * (0.7 + 0.6 * torch::rand({p, 2}, opts));
  torch::Tensor pred_xy = gt_xy + 0.2 * gt_wh * torch::randn({p, 2}, opts);
  if (p >= 3) {
    // Clear of its gt along both axes: the separating branch of I_e.
    pred_xy.index_put_({p - 2}, gt_xy[p - 2] + 1.3 * gt_wh[p - 2]);
  }
  in.pred_boxes = Leaf(Xyxy(pred_xy, pred_wh));

  in.target_deltas = 0.3 * torch::randn({p, 4}, opts);
  in.box_deltas = Leaf(in.target_deltas + 0.2 * torch::randn({p, 4}, opts));
  in.gt_density = torch::rand({p}, opts);
  in.iou_pred = Leaf(0.05 + 0.9 * torch::rand({p}, opts));
  return in;
}

RoiLossInputs MakeOptimalRoiLossInputs(uint64_t seed, int64_t num_rois, int64_t num_positives,
                                       int64_t num_classes, torch::Dtype dtype) {
  RoiLossInputs in =
      MakeRandomRoiLossInputs(seed, num_rois, num_positives, num_classes, dtype);
  torch::Tensor logits = torch::zeros_like(in.class_logits);
  logits.scatter_(1, in.labels.unsqueeze(1), 60.0);
  in.class_logits = Leaf(logits);
  in.pred_boxes = Leaf(in.gt_boxes.clone());
  in.box_deltas = Leaf(in.target_deltas.clone());
  in.iou_pred = Leaf(torch::ones_like(in.iou_pred));
  return in;
}

std::vector<torch::Tensor*> DifferentiableMembers(RoiLossInputs& inputs) {
  std::vector<torch::Tensor*> members;
  for (auto member : kDifferentiable) members.push_back(&(inputs.*member));
  return members;
}

torch::Tensor FiniteDifferenceGradient(const std::function<torch::Tensor(const torch::Tensor&)>& f,
                                       const torch::Tensor& x, double step) {
  torch::NoGradGuard no_grad;
  torch::Tensor base = x.detach().clone().contiguous();
  torch::Tensor flat = base.view({-1});
  torch::Tensor grad = torch::zeros_like(flat);
  for (int64_t k = 0; k < flat.numel(); ++k) {
    const double x0 = flat[k].item<double>();
    flat[k] = x0 + step;
    const double up = f(base).item<double>();
    flat[k] = x0 - step;
    const double down = f(base).item<double>();
    flat[k] = x0;
    grad[k] = (up - down) / (2 * step);
  }
  return grad.view(x.sizes());
}

double MaxGradientError(const std::function<torch::Tensor(const RoiLossInputs&)>& loss,
                        const RoiLossInputs& inputs, double step) {
  const std::vector<torch::Tensor> autograd = Gradients(loss(inputs), inputs);
  double worst = 0;
  for (size_t i = 0; i < std::size(kDifferentiable); ++i) {
    const auto member = kDifferentiable[i];
    if (!(inputs.*member).defined() || (inputs.*member).numel() == 0) continue;
    const torch::Tensor numeric = FiniteDifferenceGradient(
        [&](const torch::Tensor& x) {
          RoiLossInputs moved = inputs;
          moved.*member = x;
          return loss(moved);
        },
        inputs.*member, step);
    const torch::Tensor error =
        (autograd[i] - numeric).abs() / numeric.abs().clamp_min(1.0);
    worst = std::max(worst, error.max().item<double>());
  }
  return worst;
}

TEST_P(LossConformanceTest, IsRegisteredWithItsRole) {
  const LossConformanceCase& c = GetParam();
  std::unique_ptr<Loss> loss = MakeLoss(c);
  ASSERT_NE(loss, nullptr);
  EXPECT_EQ(loss->role(), c.role);
  EXPECT_EQ(loss->needs_iou_head(), c.needs_iou_head);
}

// box_input() is what autograd reaches: deltas, decoded boxes or neither.
TEST_P(LossConformanceTest, DeclaresTheBoxInputItsGradientReaches) {
  std::unique_ptr<Loss> loss = MakeLoss(GetParam());
  ASSERT_NE(loss, nullptr);
  const RoiLossInputs in = MakeRandomRoiLossInputs(1, 7, 4, 3, torch::kDouble);
  const std::vector<torch::Tensor> grads = Gradients(loss->Compute(in), in);
  const bool deltas = grads[1].abs().max().item<double>() > 0;  // kDifferentiable order
  const bool decoded = grads[2].abs().max().item<double>() > 0;
  ASSERT_FALSE(deltas && decoded) << "the gradient reaches both box representations";
  const BoxInput reached =
      deltas ? BoxInput::kDeltas : (decoded ? BoxInput::kDecodedBoxes : BoxInput::kNone);
  EXPECT_EQ(static_cast<int>(loss->box_input()), static_cast<int>(reached))
      << "declared " << BoxInputName(loss->box_input()) << ", reached " << BoxInputName(reached);
}

TEST_P(LossConformanceTest, ZeroAtTheOptimum) {
  const LossConformanceCase& c = GetParam();
  std::unique_ptr<Loss> loss = MakeLoss(c);
  ASSERT_NE(loss, nullptr);
  RoiLossInputs in = MakeOptimalRoiLossInputs(7, 8, 4, 3, torch::kDouble);
  const torch::Tensor value = loss->Compute(in);
  if (!c.zero_at_optimum) {  // declared not zero there by design: check it is not
    EXPECT_GT(std::abs(value.item<double>()), 1e-9) << "declared non-zero at the optimum";
    return;
  }
  EXPECT_NEAR(value.item<double>(), 0.0, 1e-12);
  if (!c.zero_gradient_at_optimum) return;
  const std::vector<torch::Tensor> grads = Gradients(value, in);
  for (const torch::Tensor& g : grads) {
    EXPECT_LT(g.abs().max().item<double>(), 1e-12) << g;
  }
}

TEST_P(LossConformanceTest, GradientMatchesCentralDifferencesInDouble) {
  const LossConformanceCase& c = GetParam();
  std::unique_ptr<Loss> loss = MakeLoss(c);
  ASSERT_NE(loss, nullptr);
  for (uint64_t seed : {1, 2, 3}) {
    const RoiLossInputs in = MakeRandomRoiLossInputs(seed, 7, 4, 3, torch::kDouble);
    const double error =
        MaxGradientError([&](const RoiLossInputs& x) { return loss->Compute(x); }, in);
    if (c.gradient_matches_finite_differences) {
      EXPECT_LT(error, 1e-6) << "seed " << seed;
    } else {
      // Stop-gradient factors (checked with the factors frozen in the loss's own
      // test): the autograd gradient must differ from the full derivative, or
      // the stop-gradient is not in effect.
      EXPECT_GT(error, 1e-6) << "seed " << seed << ": declared stop-gradient, but autograd "
                                "matches the full derivative";
    }
  }
}

TEST_P(LossConformanceTest, FloatAgreesWithDouble) {
  std::unique_ptr<Loss> loss = MakeLoss(GetParam());
  ASSERT_NE(loss, nullptr);
  const double in_double =
      loss->Compute(MakeRandomRoiLossInputs(4, 7, 4, 3, torch::kDouble)).item<double>();
  RoiLossInputs as_float = MakeRandomRoiLossInputs(4, 7, 4, 3, torch::kDouble);
  for (torch::Tensor* t : {&as_float.class_logits, &as_float.box_deltas, &as_float.target_deltas,
                           &as_float.proposals, &as_float.pred_boxes, &as_float.gt_boxes,
                           &as_float.gt_density, &as_float.iou_pred}) {
    *t = t->to(torch::kFloat);
  }
  const torch::Tensor in_float = loss->Compute(as_float);
  EXPECT_EQ(in_float.scalar_type(), torch::kFloat);
  EXPECT_NEAR(in_float.item<double>(), in_double, 1e-4 * std::max(1.0, std::abs(in_double)));
}

TEST_P(LossConformanceTest, FiniteOnDegenerateBoxes) {
  std::unique_ptr<Loss> loss = MakeLoss(GetParam());
  ASSERT_NE(loss, nullptr);
  for (torch::Dtype dtype : {torch::kFloat, torch::kDouble}) {
    RoiLossInputs in = MakeRandomRoiLossInputs(5, 8, 6, 3, dtype);
    const auto opts = torch::TensorOptions().dtype(dtype);
    // Rows: zero-area prediction (a vertical segment); identical boxes;
    // identical points; inverted prediction; zero-area gt; zero-area proposal.
    in.pred_boxes = Leaf(torch::tensor({{10., 10., 10., 30.},
                                        {5., 5., 25., 15.},
                                        {7., 7., 7., 7.},
                                        {30., 30., 10., 10.},
                                        {0., 0., 20., 20.},
                                        {12., 12., 22., 22.}},
                                       opts));
    in.gt_boxes = torch::tensor({{0., 0., 20., 20.},
                                 {5., 5., 25., 15.},
                                 {7., 7., 7., 7.},
                                 {10., 10., 30., 30.},
                                 {5., 5., 5., 25.},
                                 {10., 10., 20., 20.}},
                                opts);
    in.proposals = torch::tensor({{0., 0., 20., 20.},
                                  {5., 5., 25., 15.},
                                  {7., 7., 7., 7.},
                                  {10., 10., 30., 30.},
                                  {0., 0., 20., 20.},
                                  {15., 15., 15., 15.}},
                                 opts);
    const torch::Tensor value = loss->Compute(in);
    EXPECT_TRUE(torch::isfinite(value).item<bool>()) << value;
    for (const torch::Tensor& g : Gradients(value, in)) {
      EXPECT_TRUE(torch::isfinite(g).all().item<bool>()) << g;
    }
  }
}

TEST_P(LossConformanceTest, WithoutPositives) {
  const LossConformanceCase& c = GetParam();
  std::unique_ptr<Loss> loss = MakeLoss(c);
  ASSERT_NE(loss, nullptr);
  for (int64_t rois : {5, 0}) {
    RoiLossInputs in = MakeRandomRoiLossInputs(6, rois, 0, 3, torch::kDouble);
    const torch::Tensor value = loss->Compute(in);
    ASSERT_TRUE(value.requires_grad()) << "no graph with " << rois << " RoIs";
    EXPECT_EQ(value.dim(), 0);
    EXPECT_TRUE(torch::isfinite(value).item<bool>());
    // Classification still has the negatives to learn from.
    if (c.role != LossRole::kClassification || rois == 0) {
      EXPECT_EQ(value.item<double>(), 0.0) << rois << " RoIs";
    } else {
      EXPECT_GT(value.item<double>(), 0.0);
    }
    for (const torch::Tensor& g : Gradients(value, in)) {
      EXPECT_TRUE(torch::isfinite(g).all().item<bool>());
    }
  }
}

}  // namespace huale
