#include "huale/losses/eiou.h"

#include <algorithm>
#include <memory>
#include <string>

#include <glog/logging.h>
#include <torch/torch.h>

#include "huale/losses/box_geometry.h"
#include "huale/losses/loss.h"
#include "huale/core/option_checks.h"
#include "huale/core/status_macros.h"

namespace huale {

torch::Tensor ConvexifiedEiouLoss(const torch::Tensor& eiou, double smooth_threshold) {
  const double s = smooth_threshold;
  const torch::Tensor delta = 1.0 - eiou;
  // Quadratic below s: the loss and its gradient vanish at the optimum. C1 at s.
  return torch::where(delta < s, 0.5 * delta * delta / s, delta - 0.5 * s);
}

torch::Tensor EiouLossPerRoi(const torch::Tensor& pred_boxes, const torch::Tensor& gt_boxes,
                             const torch::Tensor& proposals, const EiouOptions& options) {
  torch::Tensor p = pred_boxes, t = gt_boxes;
  if (proposals.defined()) {
    p = box_geometry::NormaliseToProposals(pred_boxes, proposals);
    t = box_geometry::NormaliseToProposals(gt_boxes, proposals);
  } else {
    CHECK(!options.union_multiplier())
        << "EIoU's union multiplier is in anchor-normalised units: RoiLossInputs::proposals "
           "must be set";
  }
  const torch::Tensor inter = box_geometry::ExtendedIntersection(p, t);
  const torch::Tensor uni = box_geometry::ExtendedUnion(p, t, inter);
  torch::Tensor loss = ConvexifiedEiouLoss(inter / uni, options.smooth_threshold());
  if (options.union_multiplier()) loss = loss * uni.detach();
  return loss;
}

namespace {

class EiouLoss : public Loss {
 public:
  explicit EiouLoss(const EiouOptions& options) : options_(options) {}
  LossRole role() const override { return LossRole::kBoxRegression; }
  BoxInput box_input() const override { return BoxInput::kDecodedBoxes; }

  torch::Tensor Compute(const RoiLossInputs& in) const override {
    const int64_t n = options_.normaliser() == EiouOptions::SAMPLED_ROIS
                          ? in.labels.numel()
                          : in.pred_boxes.size(0);
    return EiouLossPerRoi(in.pred_boxes, in.gt_boxes, in.proposals, options_).sum() /
           static_cast<double>(std::max<int64_t>(1, n));
  }

 private:
  EiouOptions options_;
};

}  // namespace

absl::Status CheckEiouOptions(const EiouOptions& options) {
  return OptionChecks(options).Positive("smooth_threshold", options.smooth_threshold()).status();
}

HUALE_REGISTER(LossRegistry, "eiou",
               "Convexified extended-IoU on decoded boxes, over positives or RoIs (Peng & Yu 2021)",
               [](const LossSpec& spec) -> absl::StatusOr<std::unique_ptr<Loss>> {
                 HUALE_RETURN_IF_ERROR(CheckEiouOptions(spec.eiou()));
                 return std::make_unique<EiouLoss>(spec.eiou());
               });

}  // namespace huale
