// Synchronic IoU-Localization loss (method doc §2.2; Peng & Yu's interrelated
// IoU-predicting head): the IoU head's output u_i is regressed onto the IoU of
// the RoI's decoded box with its ground truth,
//
//   L_sync = sum_pos SmoothL1_beta(u_i - IoU(pred_box_i, gt_i)) / max(1, N_pos).
//
// "Synchronic": by default the IoU target is NOT detached, so the regression
// branch also receives gradient through IoU (option detach_target).
// Registered as "sync_iou" (LossRole::kAuxiliary, needs the iou_head).
#include <algorithm>
#include <memory>
#include <string>

#include <glog/logging.h>
#include <torch/torch.h>

#include "huale/losses/box_geometry.h"
#include "huale/losses/loss.h"
#include "huale/losses/smooth_l1.h"
#include "huale/core/option_checks.h"
#include "huale/core/status_macros.h"

namespace huale {
namespace {

class SyncIouLoss : public Loss {
 public:
  explicit SyncIouLoss(const SyncIouOptions& options) : options_(options) {}
  LossRole role() const override { return LossRole::kAuxiliary; }
  bool needs_iou_head() const override { return true; }
  // Through the undetached target IoU(pred_box, gt) only.
  BoxInput box_input() const override {
    return options_.detach_target() ? BoxInput::kNone : BoxInput::kDecodedBoxes;
  }

  torch::Tensor Compute(const RoiLossInputs& in) const override {
    CHECK(in.iou_pred.defined()) << "loss 'sync_iou' needs RoiLossInputs::iou_pred (iou_head)";
    torch::Tensor target = box_geometry::Iou(in.pred_boxes, in.gt_boxes);
    if (options_.detach_target()) target = target.detach();
    const int64_t n_pos = in.iou_pred.numel();
    return SmoothL1(in.iou_pred.reshape({-1}) - target, options_.beta()).sum() /
           static_cast<double>(std::max<int64_t>(1, n_pos));
  }

 private:
  SyncIouOptions options_;
};

}  // namespace

HUALE_REGISTER(LossRegistry, "sync_iou",
               "Synchronic IoU-localization: smooth-L1 of the IoU head vs IoU(pred, gt)",
               [](const LossSpec& spec) -> absl::StatusOr<std::unique_ptr<Loss>> {
                 HUALE_RETURN_IF_ERROR(
                     OptionChecks(spec.sync_iou()).Positive("beta", spec.sync_iou().beta()).status());
                 return std::make_unique<SyncIouLoss>(spec.sync_iou());
               });

}  // namespace huale
