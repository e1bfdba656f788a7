#include "huale/losses/focal_eiou.h"

#include <algorithm>
#include <memory>
#include <string>

#include <torch/torch.h>

#include "huale/losses/box_geometry.h"
#include "huale/losses/loss.h"
#include "huale/core/option_checks.h"
#include "huale/core/status_macros.h"

namespace huale {
namespace {

constexpr double kEps = 1e-7;

torch::Tensor Col(const torch::Tensor& b, int64_t i) { return b.select(1, i); }

}  // namespace

torch::Tensor ZhangEiouPerRoi(const torch::Tensor& p, const torch::Tensor& t) {
  const torch::Tensor iou = box_geometry::Iou(p, t);
  const torch::Tensor enclosing_w =
      torch::maximum(Col(p, 2), Col(t, 2)) - torch::minimum(Col(p, 0), Col(t, 0));
  const torch::Tensor enclosing_h =
      torch::maximum(Col(p, 3), Col(t, 3)) - torch::minimum(Col(p, 1), Col(t, 1));
  const torch::Tensor cw2 = enclosing_w * enclosing_w;
  const torch::Tensor ch2 = enclosing_h * enclosing_h;
  // Centre offsets times 2 (sums of coordinates), hence the 0.25.
  const torch::Tensor dcx = (Col(p, 0) + Col(p, 2)) - (Col(t, 0) + Col(t, 2));
  const torch::Tensor dcy = (Col(p, 1) + Col(p, 3)) - (Col(t, 1) + Col(t, 3));
  const torch::Tensor dw = (Col(p, 2) - Col(p, 0)) - (Col(t, 2) - Col(t, 0));
  const torch::Tensor dh = (Col(p, 3) - Col(p, 1)) - (Col(t, 3) - Col(t, 1));
  return 1.0 - iou + 0.25 * (dcx * dcx + dcy * dcy) / (cw2 + ch2 + kEps) +
         dw * dw / (cw2 + kEps) + dh * dh / (ch2 + kEps);
}

torch::Tensor FocalEiouPerRoi(const torch::Tensor& p, const torch::Tensor& t, double gamma,
                              bool detach_weight) {
  torch::Tensor weight = box_geometry::Iou(p, t).clamp_min(kEps).pow(gamma);
  if (detach_weight) weight = weight.detach();
  return weight * ZhangEiouPerRoi(p, t);
}

namespace {

class FocalEiouLoss : public Loss {
 public:
  explicit FocalEiouLoss(const FocalEiouOptions& options) : options_(options) {}
  LossRole role() const override { return LossRole::kBoxRegression; }
  BoxInput box_input() const override { return BoxInput::kDecodedBoxes; }

  torch::Tensor Compute(const RoiLossInputs& in) const override {
    const int64_t n_pos = in.pred_boxes.size(0);
    return FocalEiouPerRoi(in.pred_boxes, in.gt_boxes, options_.gamma(),
                           options_.detach_weight())
               .sum() /
           static_cast<double>(std::max<int64_t>(1, n_pos));
  }

 private:
  FocalEiouOptions options_;
};

}  // namespace

HUALE_REGISTER(LossRegistry, "focal_eiou",
               "Focal-EIoU on decoded boxes, over positives (Zhang et al. 2021)",
               [](const LossSpec& spec) -> absl::StatusOr<std::unique_ptr<Loss>> {
                 HUALE_RETURN_IF_ERROR(OptionChecks(spec.focal_eiou())
                                           .AtLeast("gamma", spec.focal_eiou().gamma(), 0)
                                           .status());
                 return std::make_unique<FocalEiouLoss>(spec.focal_eiou());
               });

}  // namespace huale
