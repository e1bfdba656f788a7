// "random": the paper's baseline. A seeded uniform draw from the pool; scoring
// needs no detections.
#include <memory>

#include "huale/acquisition/acquisition_function.h"
#include "huale/acquisition/selection.h"

namespace huale {
namespace {

class RandomAcquisition : public AcquisitionFunction {
 public:
  bool needs_detections() const override { return false; }
  std::vector<std::string> metric_names() const override { return {}; }

  ImageScore Score(const ImageDetections& original, const ImageDetections&,
                   const ScoringContext&) const override {
    return ImageScore{original.image_id, /*in_zero_set=*/false, {}};
  }

  absl::StatusOr<Selection> Select(std::vector<ImageScore> pool, int budget,
                                   const ScoringContext&, uint64_t seed) const override {
    if (absl::Status s = CanonicalizePool(pool, budget, metric_names()); !s.ok()) return s;
    SelectionBuilder builder(pool, metric_names(), {"random_draw"});
    const std::vector<size_t> order = SeededPermutation(pool.size(), seed);
    const size_t take = std::min(order.size(), static_cast<size_t>(budget));
    std::vector<size_t> drawn(order.begin(), order.begin() + take);
    for (size_t k = 0; k < take; ++k) builder.Add(drawn[k], k + 1, /*from_zero_set=*/false);
    builder.RecordRanks(0, drawn);
    return std::move(builder).Finish();
  }
};

HUALE_REGISTER(AcquisitionRegistry, "random", "seeded uniform draw from the pool (baseline)",
               [](const AcquisitionSpec& spec)
                   -> absl::StatusOr<std::unique_ptr<AcquisitionFunction>> {
                 if (absl::Status s = CheckOptionsCase(spec, AcquisitionSpec::OPTIONS_NOT_SET);
                     !s.ok()) {
                   return s;
                 }
                 return std::make_unique<RandomAcquisition>();
               });

}  // namespace
}  // namespace huale
