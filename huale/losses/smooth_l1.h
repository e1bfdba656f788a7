// Smooth-L1 box regression on encoded deltas (Fast R-CNN; torchvision's
// fastrcnn_loss): sum over the 4 deltas of the positive RoIs divided by the
// number of ALL sampled RoIs (labels.numel()), beta = 1/9. Registered as
// "smooth_l1" (LossRole::kBoxRegression).
#ifndef HUALE_LOSSES_SMOOTH_L1_H_
#define HUALE_LOSSES_SMOOTH_L1_H_

#include "absl/status/status.h"
#include "huale/losses/loss_spec.pb.h"

namespace at {
class Tensor;
}  // namespace at

namespace huale {

// Elementwise smooth-L1 of x: 0.5 x^2 / beta if |x| < beta else |x| - 0.5 beta
// (torch.nn.functional.smooth_l1_loss, reduction="none", for beta > 0).
at::Tensor SmoothL1(const at::Tensor& x, double beta);

// SmoothL1Options' ranges (beta > 0), as "SmoothL1Options.beta: ...".
absl::Status CheckSmoothL1Options(const SmoothL1Options& options);

// [P] smooth-L1 summed over the 4 deltas of each positive RoI.
at::Tensor SmoothL1PerRoi(const at::Tensor& box_deltas, const at::Tensor& target_deltas,
                          double beta);

}  // namespace huale

#endif  // HUALE_LOSSES_SMOOTH_L1_H_
