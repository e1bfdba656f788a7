#include "huale/losses/smooth_l1.h"

#include <algorithm>
#include <memory>
#include <string>

#include <torch/torch.h>

#include "huale/losses/loss.h"
#include "huale/core/option_checks.h"
#include "huale/core/status_macros.h"

namespace huale {

torch::Tensor SmoothL1(const torch::Tensor& x, double beta) {
  // torch's fused kernel (torchvision's F.smooth_l1_loss).
  namespace F = torch::nn::functional;
  return F::smooth_l1_loss(x, torch::zeros_like(x),
                           F::SmoothL1LossFuncOptions().reduction(torch::kNone), beta);
}

torch::Tensor SmoothL1PerRoi(const torch::Tensor& box_deltas, const torch::Tensor& target_deltas,
                             double beta) {
  namespace F = torch::nn::functional;
  return F::smooth_l1_loss(box_deltas, target_deltas,
                           F::SmoothL1LossFuncOptions().reduction(torch::kNone), beta)
      .sum(1);
}

namespace {

class SmoothL1Loss : public Loss {
 public:
  explicit SmoothL1Loss(const SmoothL1Options& options) : options_(options) {}
  LossRole role() const override { return LossRole::kBoxRegression; }
  BoxInput box_input() const override { return BoxInput::kDeltas; }

  torch::Tensor Compute(const RoiLossInputs& in) const override {
    // The normaliser is every sampled RoI, not the positives (torchvision).
    const int64_t r = in.labels.numel();
    namespace F = torch::nn::functional;
    return F::smooth_l1_loss(in.box_deltas, in.target_deltas,
                             F::SmoothL1LossFuncOptions().reduction(torch::kSum),
                             options_.beta()) /
           static_cast<double>(std::max<int64_t>(1, r));
  }

 private:
  SmoothL1Options options_;
};

}  // namespace

absl::Status CheckSmoothL1Options(const SmoothL1Options& options) {
  return OptionChecks(options).Positive("beta", options.beta()).status();
}

HUALE_REGISTER(LossRegistry, "smooth_l1",
               "Smooth-L1 on box deltas, sum over positives / all RoIs (Fast R-CNN baseline)",
               [](const LossSpec& spec) -> absl::StatusOr<std::unique_ptr<Loss>> {
                 HUALE_RETURN_IF_ERROR(CheckSmoothL1Options(spec.smooth_l1()));
                 return std::make_unique<SmoothL1Loss>(spec.smooth_l1());
               });

}  // namespace huale
