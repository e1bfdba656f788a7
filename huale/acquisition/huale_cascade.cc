// "huale": hierarchical uncertainty aggregation (method doc §3).
//   stage 1, retrieval: the K1 = r1·b images of highest E(x) (box_entropy.h;
//                       option: of highest HUA aggregation, hua.h)
//   stage 2, ranking:   a cascade SA -> CD -> OR -> LC, each filter keeping a
//                       linearly shrinking count down to b - |Z slice|
//                       (option: Borda, the mean rank of the metrics)
//   zero set Z:         images with no confident box in either view; up to
//                       zero_set_share·b of them, more only when the rest of the
//                       pool cannot fill the budget: by default the least
//                       confident first (lowest max detection score), option a
//                       seeded random draw (issue 15 §2.2).
#include <algorithm>
#include <cmath>
#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "huale/acquisition/acquisition_function.h"
#include "huale/acquisition/box_entropy.h"
#include "huale/acquisition/category_diversity.h"
#include "huale/acquisition/hua.h"
#include "huale/acquisition/localization_confidence.h"
#include "huale/acquisition/overlap_ratio.h"
#include "huale/acquisition/selection.h"
#include "huale/acquisition/semantic_affinity.h"
#include "huale/acquisition/view_matching.h"
#include "huale/core/option_checks.h"
#include "huale/core/status_macros.h"

namespace huale {
namespace {

// Positions in ImageScore::metrics: the retrieval score (E(x), or HUA's
// aggregation) first; metric k of the cascade enum is at k + 1.
constexpr int kRetrieval = 0;

int MetricIndex(HualeOptions::Metric metric) { return static_cast<int>(metric) + 1; }

// Highest detection score over both views; 0 without detections.
double MaxScore(const ImageDetections& original, const ImageDetections& flipped) {
  double max_score = 0;
  for (const ImageDetections* view : {&original, &flipped}) {
    for (const Detection& d : view->detections) max_score = std::max<double>(max_score, d.score);
  }
  return max_score;
}

class HualeAcquisition : public AcquisitionFunction {
 public:
  explicit HualeAcquisition(HualeOptions options) : options_(std::move(options)) {
    for (int m : options_.cascade()) {
      cascade_.push_back(static_cast<HualeOptions::Metric>(m));
    }
    if (cascade_.empty()) {
      cascade_ = {HualeOptions::SEMANTIC_AFFINITY, HualeOptions::CATEGORY_DIVERSITY,
                  HualeOptions::OVERLAP_RATIO, HualeOptions::LOCALIZATION_CONFIDENCE};
    }
  }

  std::vector<std::string> metric_names() const override {
    return {hua_retrieval() ? "hua_uncertainty" : "entropy", "semantic_affinity",
            "category_diversity", "overlap_ratio", "localization_confidence"};
  }

  ImageScore Score(const ImageDetections& original, const ImageDetections& flipped,
                   const ScoringContext& context) const override {
    const int c = EffectiveNumClasses(context.num_classes, original, flipped);
    // The zero set is entropy's whichever score retrieves.
    const std::optional<double> e = ImageEntropy(original, flipped, options_.entropy(), c);
    const double retrieval_score =
        hua_retrieval()
            ? HuaImageUncertainty(original, flipped, c, options_.hua(), context.fpn_levels)
                  .value_or(0.0)
            : e.value_or(0.0);
    const double min_score = options_.box_min_score();
    double lc = LocalizationConfidence(original, flipped, min_score, options_.match_iou(),
                                       options_.lc_min_side());
    if (options_.lc_from_iou_head()) {
      lc = LocalizationConfidenceFromIouHead(original, min_score).value_or(lc);
    }
    return ImageScore{
        original.image_id,
        !e.has_value(),
        {retrieval_score,
         SemanticAffinity(original, flipped, c, min_score, options_.match_iou()),
         CategoryDiversity(original, flipped, context.labelled_class_share, c,
                           options_.category_diversity_min_score()),
         OverlapRatio(original, options_.overlap_confident_score()), lc},
        MaxScore(original, flipped)};
  }

  absl::StatusOr<Selection> Select(std::vector<ImageScore> pool, int budget,
                                   const ScoringContext&, uint64_t seed) const override {
    if (absl::Status s = CanonicalizePool(pool, budget, metric_names()); !s.ok()) return s;
    const std::vector<size_t> zero_set = ZeroSetIndices(pool, true);
    std::vector<size_t> ranked = InSeededOrder(ZeroSetIndices(pool, false), seed);
    const size_t b = budget;
    const size_t zero_share = std::min<size_t>(
        static_cast<size_t>(std::floor(options_.zero_set_share() * b + 1e-9)), zero_set.size());
    const size_t final_count = std::min(b - zero_share, ranked.size());
    const size_t zero_take = std::min(b - final_count, zero_set.size());
    const size_t retrieved = std::clamp<size_t>(
        static_cast<size_t>(std::llround(options_.retrieval_ratio() * b)), final_count,
        ranked.size());

    const bool borda = options_.ranking() == HualeOptions::BORDA;
    std::vector<std::string> stages = {hua_retrieval() ? "hua_retrieval" : "entropy_retrieval"};
    for (HualeOptions::Metric m : cascade_) {
      stages.push_back(absl::StrCat(borda ? "rank_" : "", metric_names()[MetricIndex(m)]));
    }
    if (borda) stages.push_back("borda");
    const bool zero_random = options_.zero_set_order() == HualeOptions::RANDOM;
    stages.push_back(zero_random ? "zero_set_draw" : "zero_set_lowest_max_score");
    SelectionBuilder builder(pool, metric_names(), stages);

    RankCandidates(ranked, pool, kRetrieval, RankDirection::kHigherFirst);
    builder.RecordRanks(0, ranked);
    ranked.resize(retrieved);
    std::vector<double> final_keys;
    if (borda) {
      final_keys = BordaRank(pool, ranked, builder);
    } else {
      final_keys = Cascade(pool, ranked, final_count, builder);
    }
    for (size_t k = 0; k < final_count; ++k) builder.Add(ranked[k], final_keys[k], false);
    const int zero_stage = static_cast<int>(stages.size()) - 1;
    if (zero_random) {
      DrawFromZeroSet(zero_set, zero_take, seed, zero_stage, builder);
    } else {
      TakeLeastConfidentFromZeroSet(pool, zero_set, zero_take, seed, zero_stage, builder);
    }
    return std::move(builder).Finish();
  }

 private:
  bool hua_retrieval() const { return options_.retrieval() == HualeOptions::HUA_AGGREGATION; }

  RankDirection DirectionOf(HualeOptions::Metric m) const {
    return m == HualeOptions::CATEGORY_DIVERSITY &&
                   options_.category_diversity_direction() ==
                       HualeOptions::LOWER_IS_INFORMATIVE
               ? RankDirection::kLowerFirst
               : RankDirection::kHigherFirst;
  }

  // Filters `ranked` through the cascade; returns the last metric's values.
  std::vector<double> Cascade(const std::vector<ImageScore>& pool, std::vector<size_t>& ranked,
                              size_t final_count, SelectionBuilder& builder) const {
    const int steps = static_cast<int>(cascade_.size());
    const std::vector<int> counts =
        CascadeCounts(static_cast<int>(ranked.size()), static_cast<int>(final_count), steps);
    int metric = kRetrieval;
    for (int s = 0; s < steps; ++s) {
      metric = MetricIndex(cascade_[s]);
      RankCandidates(ranked, pool, metric, DirectionOf(cascade_[s]));
      builder.RecordRanks(s + 1, ranked);
      ranked.resize(counts[s + 1]);
    }
    std::vector<double> keys;
    for (size_t i : ranked) keys.push_back(pool[i].metrics[metric]);
    return keys;
  }

  // Orders `ranked` by the mean of its ranks under each metric (ties: retrieval
  // order); returns the mean ranks. Keeps all of them (the caller truncates).
  std::vector<double> BordaRank(const std::vector<ImageScore>& pool, std::vector<size_t>& ranked,
                                SelectionBuilder& builder) const {
    std::vector<double> mean_rank(pool.size(), 0.0);
    for (size_t s = 0; s < cascade_.size(); ++s) {
      std::vector<size_t> by_metric = ranked;
      RankCandidates(by_metric, pool, MetricIndex(cascade_[s]), DirectionOf(cascade_[s]));
      builder.RecordRanks(static_cast<int>(s) + 1, by_metric);
      for (size_t r = 0; r < by_metric.size(); ++r) {
        mean_rank[by_metric[r]] += static_cast<double>(r + 1) / cascade_.size();
      }
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [&](size_t a, size_t b) { return mean_rank[a] < mean_rank[b]; });
    builder.RecordRanks(static_cast<int>(cascade_.size()) + 1, ranked);
    std::vector<double> keys;
    for (size_t i : ranked) keys.push_back(mean_rank[i]);
    return keys;
  }

  HualeOptions options_;
  std::vector<HualeOptions::Metric> cascade_;
};

// Each metric at most once in the cascade: a repeated stage filters twice by
// the same ranking, which only shrinks the set (a typo, not a design).
bool CascadeHasNoRepeat(const HualeOptions& o) {
  std::set<int> seen;
  for (int m : o.cascade()) {
    if (!seen.insert(m).second) return false;
  }
  return true;
}

absl::Status ValidateOptions(const HualeOptions& o) {
  return OptionChecks(o)
      .Check("cascade", CascadeHasNoRepeat(o), "must name each metric at most once")
      .AtLeast("retrieval_ratio", o.retrieval_ratio(), 1)
      .InRange("zero_set_share", o.zero_set_share(), 0, 1)
      .Include("entropy", CheckEntropyOptions(o.entropy()))
      .Include("hua", CheckHuaOptions(o.hua()))
      .Check("hua", !o.has_hua() || o.retrieval() == HualeOptions::HUA_AGGREGATION,
             "is read only when retrieval is HUA_AGGREGATION")
      .InRange("box_min_score", o.box_min_score(), 0, 1)
      .InRange("match_iou", o.match_iou(), 0, 1)
      .InRange("overlap_confident_score", o.overlap_confident_score(), 0, 1)
      .InRange("category_diversity_min_score", o.category_diversity_min_score(), 0, 1)
      .AtLeast("lc_min_side", o.lc_min_side(), 0)
      .status();
}

HUALE_REGISTER(AcquisitionRegistry, "huale",
               "HUALE: entropy (option: HUA) retrieval, then the SA -> CD -> OR -> LC cascade",
               [](const AcquisitionSpec& spec)
                   -> absl::StatusOr<std::unique_ptr<AcquisitionFunction>> {
                 if (absl::Status s = CheckOptionsCase(spec, AcquisitionSpec::kHuale);
                     !s.ok()) {
                   return s;
                 }
                 if (absl::Status s = ValidateOptions(spec.huale()); !s.ok()) return s;
                 return std::make_unique<HualeAcquisition>(spec.huale());
               });

}  // namespace
}  // namespace huale
