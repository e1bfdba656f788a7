#include "huale/acquisition/hua.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "huale/acquisition/acquisition_function.h"
#include "huale/acquisition/selection.h"
#include "huale/acquisition/unit_uncertainty.h"
#include "huale/acquisition/view_matching.h"
#include "huale/core/option_checks.h"
#include "huale/core/status_macros.h"

namespace huale {
namespace {

double Aggregate(HuaOptions::Operator op, const std::vector<double>& values) {
  if (values.empty()) return 0.0;
  double sum = 0, mx = values[0];
  for (double v : values) {
    sum += v;
    mx = std::max(mx, v);
  }
  switch (op) {
    case HuaOptions::MAX:
      return mx;
    case HuaOptions::MEAN:
      return sum / values.size();
    case HuaOptions::SUM:
    default:
      return sum;
  }
}

}  // namespace

absl::Status CheckHuaOptions(const HuaOptions& options) {
  return OptionChecks(options)
      .InRange("object_score", options.object_score(), 0, 1)
      .InRange("unit_iou", options.unit_iou(), 0, 1)
      .status();
}

std::optional<double> HuaImageUncertainty(const ImageDetections& original,
                                          const ImageDetections& flipped_mapped_back,
                                          int num_classes, const HuaOptions& options,
                                          const FpnLevels& levels) {
  const auto& units = original.detections;
  // Class level: one value per unit.
  std::vector<double> unit_value(units.size());
  std::vector<int> unit_level(units.size());
  for (size_t u = 0; u < units.size(); ++u) {
    unit_value[u] = Aggregate(options.class_operator(),
                              UnitUncertaintyTerms(units[u], flipped_mapped_back, num_classes,
                                                   options.unit_uncertainty()));
    unit_level[u] = levels.LevelOf(units[u].box) - levels.min_level;
  }
  std::vector<double> object_values;
  for (const Detection& object : units) {
    if (!(object.score > options.object_score())) continue;
    // Scale level: the most uncertain unit at each FPN level of this object.
    std::vector<std::optional<double>> level_value(levels.max_level - levels.min_level + 1);
    for (size_t u = 0; u < units.size(); ++u) {
      if (!(Iou(units[u].box, object.box) > options.unit_iou()) && &units[u] != &object) {
        continue;
      }
      auto& slot = level_value[unit_level[u]];
      slot = slot.has_value() ? std::max(*slot, unit_value[u]) : unit_value[u];
    }
    std::vector<double> levels;
    for (const auto& v : level_value) {
      if (v.has_value()) levels.push_back(*v);
    }
    object_values.push_back(Aggregate(options.scale_operator(), levels));
  }
  if (object_values.empty()) return std::nullopt;
  return Aggregate(options.object_operator(), object_values);
}

namespace {

class HuaAcquisition : public AcquisitionFunction {
 public:
  explicit HuaAcquisition(HuaOptions options) : options_(std::move(options)) {}

  std::vector<std::string> metric_names() const override { return {"hua_uncertainty"}; }

  ImageScore Score(const ImageDetections& original, const ImageDetections& flipped,
                   const ScoringContext& context) const override {
    const std::optional<double> u = HuaImageUncertainty(
        original, flipped, EffectiveNumClasses(context.num_classes, original, flipped),
        options_, context.fpn_levels);
    return ImageScore{original.image_id, !u.has_value(), {u.value_or(0.0)}};
  }

  absl::StatusOr<Selection> Select(std::vector<ImageScore> pool, int budget,
                                   const ScoringContext&, uint64_t seed) const override {
    if (absl::Status s = CanonicalizePool(pool, budget, metric_names()); !s.ok()) return s;
    return SelectTopThenFill(pool, budget, 0, RankDirection::kHigherFirst, seed,
                             metric_names(), "hua_uncertainty");
  }

 private:
  HuaOptions options_;
};

HUALE_REGISTER(AcquisitionRegistry, "hua",
               "HUA (Park et al.): class -> scale -> object -> image aggregation",
               [](const AcquisitionSpec& spec)
                   -> absl::StatusOr<std::unique_ptr<AcquisitionFunction>> {
                 if (absl::Status s = CheckOptionsCase(spec, AcquisitionSpec::kHua); !s.ok()) {
                   return s;
                 }
                 HUALE_RETURN_IF_ERROR(CheckHuaOptions(spec.hua()));
                 return std::make_unique<HuaAcquisition>(spec.hua());
               });

}  // namespace
}  // namespace huale
