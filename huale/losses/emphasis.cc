#include "huale/losses/emphasis.h"

#include <algorithm>
#include <memory>
#include <string>

#include <glog/logging.h>
#include <torch/torch.h>

#include "huale/losses/box_geometry.h"
#include "huale/losses/cross_entropy.h"
#include "huale/losses/eiou.h"
#include "huale/losses/loss.h"
#include "huale/losses/smooth_l1.h"
#include "huale/core/option_checks.h"
#include "huale/core/status_macros.h"

namespace huale {

torch::Tensor EmphasisWeights(const torch::Tensor& pred_boxes, const torch::Tensor& gt_boxes,
                              const torch::Tensor& gt_density, double gamma, bool density_term) {
  torch::NoGradGuard no_grad;
  // pow(0, 0) = 1: with gamma = 0 a perfect box keeps weight 1 + rho.
  torch::Tensor w = (1.0 - box_geometry::Iou(pred_boxes, gt_boxes)).clamp_min(0).pow(gamma);
  if (density_term) {
    CHECK(gt_density.defined())
        << "loss 'emphasis' with density_term needs RoiLossInputs::gt_density";
    w = w * (1.0 + gt_density.reshape({-1}).to(w.scalar_type()));
  }
  return w;
}

namespace {

class EmphasisLoss : public Loss {
 public:
  explicit EmphasisLoss(const EmphasisOptions& options) : options_(options) {}
  LossRole role() const override { return LossRole::kAuxiliary; }
  BoxInput box_input() const override {
    switch (options_.box_term()) {
      case EmphasisOptions::EIOU:
        return BoxInput::kDecodedBoxes;
      case EmphasisOptions::SMOOTH_L1:
        return BoxInput::kDeltas;
      case EmphasisOptions::NONE:
        break;
    }
    return BoxInput::kNone;  // the weights carry no gradient
  }
  bool box_input_is_default() const override { return !options_.has_box_term(); }

  torch::Tensor Compute(const RoiLossInputs& in) const override {
    const int64_t n_pos = in.positive.numel();
    const torch::Tensor w = EmphasisWeights(in.pred_boxes, in.gt_boxes, in.gt_density,
                                            options_.gamma(), options_.density_term());
    torch::Tensor per_roi = CrossEntropyPerRoi(in.class_logits.index_select(0, in.positive),
                                               in.labels.index_select(0, in.positive));
    switch (options_.box_term()) {
      case EmphasisOptions::EIOU:
        per_roi = per_roi + EiouLossPerRoi(in.pred_boxes, in.gt_boxes, in.proposals,
                                           options_.eiou());
        break;
      case EmphasisOptions::SMOOTH_L1:
        per_roi = per_roi +
                  SmoothL1PerRoi(in.box_deltas, in.target_deltas, options_.smooth_l1().beta());
        break;
      case EmphasisOptions::NONE:
        break;
    }
    return (w * per_roi).sum() / static_cast<double>(std::max<int64_t>(1, n_pos));
  }

 private:
  EmphasisOptions options_;
};

}  // namespace

HUALE_REGISTER(
    LossRegistry, "emphasis",
    "Emphasis: (1+gt density)(1-IoU)^gamma-weighted CE + box loss over positives",
    [](const LossSpec& spec) -> absl::StatusOr<std::unique_ptr<Loss>> {
      const EmphasisOptions& o = spec.emphasis();
      OptionChecks checks(o);
      checks.AtLeast("gamma", o.gamma(), 0);
      // Both blocks, whichever box_term reads: an out-of-range value is a
      // mistake even where it is not used yet.
      checks.Include("eiou", CheckEiouOptions(o.eiou()))
          .Include("smooth_l1", CheckSmoothL1Options(o.smooth_l1()))
          .Check("eiou.normaliser", o.eiou().normaliser() == EiouOptions::POSITIVES,
                 "must be POSITIVES: Emphasis reduces its weighted per-RoI terms over "
                 "positives itself (set the normaliser on the \"eiou\" loss)");
      HUALE_RETURN_IF_ERROR(checks.status());
      return std::make_unique<EmphasisLoss>(o);
    });

}  // namespace huale
