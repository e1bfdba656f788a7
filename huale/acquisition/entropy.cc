// "entropy": HUALE's stage 1 alone (method doc §3.1): the budget's most uncertain
// images by E(x); images without a confident box only fill, at random.
#include <memory>

#include "absl/strings/str_cat.h"
#include "huale/acquisition/acquisition_function.h"
#include "huale/acquisition/box_entropy.h"
#include "huale/acquisition/selection.h"
#include "huale/core/status_macros.h"

namespace huale {
namespace {

class EntropyAcquisition : public AcquisitionFunction {
 public:
  explicit EntropyAcquisition(EntropyOptions options) : options_(std::move(options)) {}

  std::vector<std::string> metric_names() const override { return {"entropy"}; }

  ImageScore Score(const ImageDetections& original, const ImageDetections& flipped,
                   const ScoringContext& context) const override {
    const std::optional<double> e =
        ImageEntropy(original, flipped, options_, context.num_classes);
    return ImageScore{original.image_id, !e.has_value(), {e.value_or(0.0)}};
  }

  absl::StatusOr<Selection> Select(std::vector<ImageScore> pool, int budget,
                                   const ScoringContext&, uint64_t seed) const override {
    if (absl::Status s = CanonicalizePool(pool, budget, metric_names()); !s.ok()) return s;
    return SelectTopThenFill(pool, budget, 0, RankDirection::kHigherFirst, seed,
                             metric_names(), "entropy");
  }

 private:
  EntropyOptions options_;
};

HUALE_REGISTER(AcquisitionRegistry, "entropy",
               "top images by max confident-box entropy (HUALE stage 1 alone)",
               [](const AcquisitionSpec& spec)
                   -> absl::StatusOr<std::unique_ptr<AcquisitionFunction>> {
                 if (absl::Status s = CheckOptionsCase(spec, AcquisitionSpec::kEntropy);
                     !s.ok()) {
                   return s;
                 }
                 HUALE_RETURN_IF_ERROR(CheckEntropyOptions(spec.entropy()));
                 return std::make_unique<EntropyAcquisition>(spec.entropy());
               });

}  // namespace
}  // namespace huale
