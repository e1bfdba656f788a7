// Focal-EIoU box loss (Zhang et al., "Focal and efficient IOU loss for
// accurate bounding box regression", 2021; method doc §2.1, a registered
// alternative to Peng & Yu's EIoU). Registered as "focal_eiou"
// (LossRole::kBoxRegression). For prediction p and target t, with the
// smallest enclosing box of width C_w, height C_h and diagonal c^2 = C_w^2 + C_h^2:
//
//   L_EIoU  = 1 - IoU + |centre(p) - centre(t)|^2 / c^2
//                     + (w_p - w_t)^2 / C_w^2 + (h_p - h_t)^2 / C_h^2
//   L_Focal = IoU^gamma * L_EIoU                   (gamma = 0.5)
//   L       = sum_i L_Focal,i / max(1, N_pos)
//
// In pixel units (the terms are ratios; no proposal normalisation). IoU is the
// ordinary IoU; denominators get +1e-7, and IoU is clamped at 1e-7 before the
// power so its gradient stays finite for disjoint boxes.
#ifndef HUALE_LOSSES_FOCAL_EIOU_H_
#define HUALE_LOSSES_FOCAL_EIOU_H_

namespace at {
class Tensor;
}  // namespace at

namespace huale {

// [P] L_EIoU of Zhang et al. (without the focal weight).
at::Tensor ZhangEiouPerRoi(const at::Tensor& pred_boxes, const at::Tensor& gt_boxes);

// [P] L_Focal; `detach_weight` stops the gradient through IoU^gamma.
at::Tensor FocalEiouPerRoi(const at::Tensor& pred_boxes, const at::Tensor& gt_boxes,
                           double gamma, bool detach_weight);

}  // namespace huale

#endif  // HUALE_LOSSES_FOCAL_EIOU_H_
