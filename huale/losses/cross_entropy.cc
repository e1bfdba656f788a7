#include "absl/strings/str_cat.h"
#include "huale/losses/cross_entropy.h"

#include <algorithm>
#include <memory>

#include <torch/torch.h>

#include "huale/losses/loss.h"
#include "huale/core/option_checks.h"
#include "huale/core/status_macros.h"

namespace huale {

torch::Tensor CrossEntropyPerRoi(const torch::Tensor& class_logits, const torch::Tensor& labels,
                                 double label_smoothing) {
  // torch's fused kernel (the one torchvision calls): log-softmax + NLL in one
  // node, about twice as fast forward + backward as composing them here.
  namespace F = torch::nn::functional;
  return F::cross_entropy(class_logits, labels,
                          F::CrossEntropyFuncOptions().reduction(torch::kNone).label_smoothing(
                              label_smoothing));
}

namespace {

class CrossEntropyLoss : public Loss {
 public:
  explicit CrossEntropyLoss(const CrossEntropyOptions& options) : options_(options) {}
  LossRole role() const override { return LossRole::kClassification; }

  // Mean over all R sampled RoIs; 0 with a graph when R = 0 (torch would give NaN).
  torch::Tensor Compute(const RoiLossInputs& in) const override {
    const int64_t r = in.labels.numel();
    namespace F = torch::nn::functional;
    return F::cross_entropy(in.class_logits, in.labels,
                            F::CrossEntropyFuncOptions().reduction(torch::kSum).label_smoothing(
                                options_.label_smoothing())) /
           static_cast<double>(std::max<int64_t>(1, r));
  }

 private:
  CrossEntropyOptions options_;
};

}  // namespace

HUALE_REGISTER(LossRegistry, "cross_entropy",
               "Softmax cross-entropy over all sampled RoIs (Fast R-CNN baseline)",
               [](const LossSpec& spec) -> absl::StatusOr<std::unique_ptr<Loss>> {
                 const CrossEntropyOptions& o = spec.cross_entropy();
                 HUALE_RETURN_IF_ERROR(
                     OptionChecks(o)
                         .Check("label_smoothing",
                                o.label_smoothing() >= 0 && o.label_smoothing() < 1,
                                absl::StrCat("expected a value in [0, 1), found ",
                                             o.label_smoothing()))
                         .status());
                 return std::make_unique<CrossEntropyLoss>(spec.cross_entropy());
               });

}  // namespace huale
