// "flat": the aggregation ablation (method doc §3.3, §4): image score = mean unit
// uncertainty over the detections of x, no class/scale/object levels, no cascade;
// the budget's highest scores win. Images without a detection only fill, at random.
#include <memory>

#include "huale/acquisition/acquisition_function.h"
#include "huale/acquisition/selection.h"
#include "huale/acquisition/unit_uncertainty.h"
#include "huale/acquisition/view_matching.h"
#include "huale/core/option_checks.h"
#include "huale/core/status_macros.h"

namespace huale {
namespace {

class FlatAcquisition : public AcquisitionFunction {
 public:
  explicit FlatAcquisition(FlatOptions options) : options_(std::move(options)) {}

  std::vector<std::string> metric_names() const override { return {"mean_box_uncertainty"}; }

  ImageScore Score(const ImageDetections& original, const ImageDetections& flipped,
                   const ScoringContext& context) const override {
    const int c = EffectiveNumClasses(context.num_classes, original, flipped);
    double sum = 0;
    int boxes = 0;
    for (const Detection& d : original.detections) {
      if (!(d.score >= options_.box_min_score())) continue;
      for (double t : UnitUncertaintyTerms(d, flipped, c, options_.unit_uncertainty())) {
        sum += t;
      }
      ++boxes;
    }
    return ImageScore{original.image_id, boxes == 0, {boxes == 0 ? 0.0 : sum / boxes}};
  }

  absl::StatusOr<Selection> Select(std::vector<ImageScore> pool, int budget,
                                   const ScoringContext&, uint64_t seed) const override {
    if (absl::Status s = CanonicalizePool(pool, budget, metric_names()); !s.ok()) return s;
    return SelectTopThenFill(pool, budget, 0, RankDirection::kHigherFirst, seed,
                             metric_names(), "mean_box_uncertainty");
  }

 private:
  FlatOptions options_;
};

HUALE_REGISTER(AcquisitionRegistry, "flat",
               "flat aggregation ablation: mean box uncertainty, no levels, no cascade",
               [](const AcquisitionSpec& spec)
                   -> absl::StatusOr<std::unique_ptr<AcquisitionFunction>> {
                 if (absl::Status s = CheckOptionsCase(spec, AcquisitionSpec::kFlat);
                     !s.ok()) {
                   return s;
                 }
                 HUALE_RETURN_IF_ERROR(
                     OptionChecks(spec.flat())
                         .InRange("box_min_score", spec.flat().box_min_score(), 0, 1)
                         .status());
                 return std::make_unique<FlatAcquisition>(spec.flat());
               });

}  // namespace
}  // namespace huale
