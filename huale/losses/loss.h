// The loss family: terms of the RoI head's training loss (method doc §2), built
// by name from a LossSpec. The RoI head computes one RoiLossInputs per batch and
// sums weight * loss over the spec's losses.
#ifndef HUALE_LOSSES_LOSS_H_
#define HUALE_LOSSES_LOSS_H_

#include <torch/types.h>

#include "huale/core/registry.h"
#include "huale/losses/loss_spec.pb.h"

namespace huale {

// What the RoI head hands its losses for the R sampled RoIs of a batch (all
// images concatenated). P = number of positive RoIs (labels > 0), which come
// first in no particular order: use `positive` to index.
struct RoiLossInputs {
  torch::Tensor class_logits;   // [R, C+1], column 0 = background
  torch::Tensor labels;         // [R] int64, 0 = background
  torch::Tensor positive;       // [P] int64, indices of RoIs with labels > 0
  // For positive RoIs only, the prediction of the gt class:
  torch::Tensor box_deltas;     // [P, 4] predicted (dx, dy, dw, dh), coder-weighted
  torch::Tensor target_deltas;  // [P, 4] encoded matched gt
  torch::Tensor proposals;      // [P, 4] xyxy RoI boxes (for decoding / normalising)
  torch::Tensor pred_boxes;     // [P, 4] xyxy, decoded from box_deltas (differentiable)
  torch::Tensor gt_boxes;       // [P, 4] xyxy matched gt
  torch::Tensor gt_density;     // [P] density rho_g of the matched gt (method doc §2.3)
  torch::Tensor iou_pred;       // [P] IoU head output in (0, 1); undefined without one
};

enum class LossRole {
  kClassification,  // exactly one per spec
  kBoxRegression,   // exactly one per spec
  kAuxiliary,       // any number
};

// Which box representation a loss's gradient reaches: none, the coder-weighted
// deltas (RoiLossInputs::box_deltas) or the decoded boxes (pred_boxes).
enum class BoxInput {
  kNone,
  kDeltas,
  kDecodedBoxes,
};

// For messages: "box deltas", "decoded boxes", "no box".
inline const char* BoxInputName(BoxInput input) {
  switch (input) {
    case BoxInput::kDeltas:
      return "box deltas";
    case BoxInput::kDecodedBoxes:
      return "decoded boxes";
    case BoxInput::kNone:
      break;
  }
  return "no box";
}

class Loss {
 public:
  static constexpr char kFamily[] = "loss";
  virtual ~Loss() = default;
  virtual LossRole role() const = 0;
  // True when the loss needs RoiLossInputs::iou_pred (the model's iou_head).
  virtual bool needs_iou_head() const { return false; }
  // The box representation this loss's gradient reaches; the conformance suite
  // checks the declaration against autograd.
  virtual BoxInput box_input() const { return BoxInput::kNone; }
  // True when the spec left the choice of the box term to a default (an
  // auxiliary loss's `box_term` option unset). The model then refuses a box
  // input that differs from its box-regression loss's, which is legal only
  // when asked for: set the option explicitly to mix them.
  virtual bool box_input_is_default() const { return false; }
  // Scalar, differentiable; 0 (with a graph) when there are no positives.
  virtual torch::Tensor Compute(const RoiLossInputs& inputs) const = 0;
};

using LossRegistry = Registry<Loss, const LossSpec&>;

}  // namespace huale

#endif  // HUALE_LOSSES_LOSS_H_
