// Emphasis loss (method doc §2.3, our reconstruction [choice]): re-weights the
// positive RoIs by how crowded their ground truth is and how badly they are
// localised,
//
//   w_i    = (1 + rho_g(i)) * (1 - IoU(pred_box_i, gt_i))^gamma    (stop-gradient)
//   L_emph = sum_pos w_i * [CE_i + l_box,i] / max(1, N_pos)
//
// rho_g = RoiLossInputs::gt_density (box_geometry::GtDensity of the image's
// gts); IoU the ordinary IoU of the decoded box; CE_i the softmax
// cross-entropy of positive RoI i (no label smoothing); l_box,i by default the
// per-RoI convexified EIoU loss exactly as the "eiou" loss computes it
// (EiouLossPerRoi, with EmphasisOptions.eiou: proposal units, union
// multiplier), or the 4-delta smooth-L1 sum, or nothing (option box_term).
// Registered as "emphasis" (LossRole::kAuxiliary).
#ifndef HUALE_LOSSES_EMPHASIS_H_
#define HUALE_LOSSES_EMPHASIS_H_

namespace at {
class Tensor;
}  // namespace at

namespace huale {

// [P] the stop-gradient weights w_i above; `gt_density` may be undefined when
// `density_term` is false.
at::Tensor EmphasisWeights(const at::Tensor& pred_boxes, const at::Tensor& gt_boxes,
                           const at::Tensor& gt_density, double gamma, bool density_term);

}  // namespace huale

#endif  // HUALE_LOSSES_EMPHASIS_H_
