// Conformance suite every loss's test instantiates (OR-tools' shared solver
// tests): registered under its name with the right role, zero (and, where the
// method doc says so, zero gradient) at the optimum, autograd gradient equal to
// central finite differences in double, NaN-free on degenerate boxes, 0 with a
// graph without positives. A loss test adds
//
//   INSTANTIATE_TEST_SUITE_P(Eiou, LossConformanceTest,
//                            ::testing::Values(LossConformanceCase{...}, ...),
//                            LossConformanceCaseName);
//
// The helpers below build inputs and finite differences for loss-specific tests.
#ifndef HUALE_LOSSES_LOSS_CONFORMANCE_H_
#define HUALE_LOSSES_LOSS_CONFORMANCE_H_

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "huale/losses/loss.h"

namespace huale {

struct LossConformanceCase {
  std::string label;  // test-name suffix, [A-Za-z0-9_]
  LossSpec spec;
  LossRole role = LossRole::kBoxRegression;
  bool needs_iou_head = false;
  // The method doc asks for a zero gradient at the optimum (convexified EIoU);
  // false for losses with a kink there (Focal-EIoU's 1 - IoU).
  bool zero_gradient_at_optimum = true;
  // False when the loss multiplies by input-dependent stop-gradient factors
  // (EIoU's union multiplier, emphasis weights with gamma > 0, a detached IoU
  // target): autograd then differentiates with those factors frozen, which
  // finite differences of the loss cannot reproduce. The loss's own test checks
  // that gradient against differences taken with the factors held fixed.
  bool gradient_matches_finite_differences = true;
  // False when the loss is not 0 at the optimum at all (label smoothing).
  bool zero_at_optimum = true;
};

void PrintTo(const LossConformanceCase& c, std::ostream* os);

std::string LossConformanceCaseName(
    const ::testing::TestParamInfo<LossConformanceCase>& info);

class LossConformanceTest : public ::testing::TestWithParam<LossConformanceCase> {};

// R sampled RoIs of which the first P are positive, C foreground classes, all
// differentiable members leaves with requires_grad. Boxes: proposals of
// 10..60 px, gts jittered around them, predictions jittered around the gts, and
// (if P >= 3) positive P-1 moved clear of its gt along x and y so the suite also
// covers the negative extended-intersection region.
RoiLossInputs MakeRandomRoiLossInputs(uint64_t seed, int64_t num_rois, int64_t num_positives,
                                      int64_t num_classes, torch::Dtype dtype);

// As above, at the optimum: pred_boxes = gt_boxes, box_deltas = target_deltas,
// iou_pred = 1, logits 60 on the true class and 0 elsewhere.
RoiLossInputs MakeOptimalRoiLossInputs(uint64_t seed, int64_t num_rois, int64_t num_positives,
                                       int64_t num_classes, torch::Dtype dtype);

// The leaves a loss may differentiate: class_logits, box_deltas, pred_boxes, iou_pred.
std::vector<torch::Tensor*> DifferentiableMembers(RoiLossInputs& inputs);

// Central differences (f(x + h e_k) - f(x - h e_k)) / 2h of a scalar function of
// one tensor, element by element, in x's dtype (use double).
torch::Tensor FiniteDifferenceGradient(const std::function<torch::Tensor(const torch::Tensor&)>& f,
                                       const torch::Tensor& x, double step = 1e-6);

// max over all differentiable members and elements of
// |autograd - central difference| / max(1, |central difference|).
double MaxGradientError(const std::function<torch::Tensor(const RoiLossInputs&)>& loss,
                        const RoiLossInputs& inputs, double step = 1e-6);

}  // namespace huale

#endif  // HUALE_LOSSES_LOSS_CONFORMANCE_H_
