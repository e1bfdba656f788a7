// Extended-IoU box loss (Peng & Yu, "A systematic IoU-related method: beyond
// simplified regression for better localization", IEEE TIP 2021; method doc
// §2.1). Registered as "eiou" (LossRole::kBoxRegression):
//
//   delta_i = 1 - EIoU(pred_i, gt_i)               (box_geometry::ExtendedIou)
//   l_i     = 0.5 delta^2 / s  if delta < s  else  delta - 0.5 s   (convexified)
//   l_i    *= stopgrad(U_e,i)                      (union_multiplier, optional)
//   L       = sum_i l_i / max(1, N_pos)
//
// Units: when proposals are given, boxes are first mapped to the proposal's
// frame, x' = (x - prop.x1) / prop.w, y' = (y - prop.y1) / prop.h
// (box_geometry::NormaliseToProposals). EIoU does not change (per-axis scaling
// multiplies I_e and U_e alike); U_e becomes U_e(pixels) / (prop.w * prop.h),
// which is 1 for a perfect prediction on its own proposal.
#ifndef HUALE_LOSSES_EIOU_H_
#define HUALE_LOSSES_EIOU_H_

#include <string>

#include "absl/status/status.h"
#include "huale/losses/loss_spec.pb.h"

namespace at {
class Tensor;
}  // namespace at

namespace huale {

// [P] the convexified loss of delta = 1 - EIoU for threshold s > 0.
at::Tensor ConvexifiedEiouLoss(const at::Tensor& eiou, double smooth_threshold);

// [P] l_i above for decoded pred_boxes vs gt_boxes. `proposals` ([P, 4]) set
// the units; they are required when options.union_multiplier() is on.
at::Tensor EiouLossPerRoi(const at::Tensor& pred_boxes, const at::Tensor& gt_boxes,
                          const at::Tensor& proposals, const EiouOptions& options);

// EiouOptions' ranges (smooth_threshold > 0), as "EiouOptions.field: ...".
absl::Status CheckEiouOptions(const EiouOptions& options);

}  // namespace huale

#endif  // HUALE_LOSSES_EIOU_H_
