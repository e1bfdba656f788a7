// "cald": Consistency-based Active Learning for object Detection (Yu et al.
// 2022), with the flip as its augmentation (method doc §3.3).
//   box score   m_k = IoU(b_k, b^f_j*) + ½(1 - JS₂(p_k ‖ p^f_j*))·(P_k + P^f_j*)
//               (P = the box's score; m_k = 0 when the flipped view is empty)
//   image score min_k |m_k - 1.3| over boxes with s >= box_min_score
//   stage 1     keep the 1.2·b smallest image scores
//   stage 2     keep the b largest JS₂(softmax(q_x) ‖ softmax(q_L)),
//               q_x = per-class max score on x, q_L = labelled class shares
// Images without a box to score only fill the budget, at random.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "absl/strings/str_cat.h"
#include "huale/acquisition/acquisition_function.h"
#include "huale/acquisition/category_diversity.h"
#include "huale/acquisition/jensen_shannon.h"
#include "huale/acquisition/selection.h"
#include "huale/acquisition/view_matching.h"
#include "huale/core/option_checks.h"
#include "huale/core/status_macros.h"

namespace huale {
namespace {

std::vector<double> Softmax(const std::vector<double>& v) {
  double mx = -std::numeric_limits<double>::infinity();
  for (double x : v) mx = std::max(mx, x);
  std::vector<double> out(v.size());
  double sum = 0;
  for (size_t i = 0; i < v.size(); ++i) sum += out[i] = std::exp(v[i] - mx);
  for (double& x : out) x /= sum;
  return out;
}

class CaldAcquisition : public AcquisitionFunction {
 public:
  explicit CaldAcquisition(CaldOptions options) : options_(std::move(options)) {}

  std::vector<std::string> metric_names() const override {
    return {"consistency", "class_divergence"};
  }

  ImageScore Score(const ImageDetections& original, const ImageDetections& flipped,
                   const ScoringContext& context) const override {
    const int c = EffectiveNumClasses(context.num_classes, original, flipped);
    double consistency = std::numeric_limits<double>::infinity();
    for (const Detection& d : original.detections) {
      if (!(d.score >= options_.box_min_score())) continue;
      const ViewMatch match = BestMatch(d.box, flipped);
      double m = 0;
      if (match.index >= 0) {
        const Detection& f = flipped.detections[match.index];
        m = match.iou + 0.5 *
                            (1.0 - JensenShannon2(ClassDistribution(d, c),
                                                  ClassDistribution(f, c))) *
                            (d.score + f.score);
      }
      consistency = std::min(consistency, std::abs(m - options_.consistency_target()));
    }
    const bool zero = !std::isfinite(consistency);
    double divergence = 0;
    if (!zero) {
      std::vector<double> q_l = Normalized(context.labelled_class_share.empty()
                                               ? std::vector<double>(c, 0.0)
                                               : context.labelled_class_share);
      q_l.resize(c, 0.0);
      divergence = JensenShannon2(Softmax(ImageClassScores(original, ImageDetections(), c)),
                                  Softmax(q_l));
    }
    return ImageScore{original.image_id, zero, {zero ? 0.0 : consistency, divergence}};
  }

  absl::StatusOr<Selection> Select(std::vector<ImageScore> pool, int budget,
                                   const ScoringContext&, uint64_t seed) const override {
    if (absl::Status s = CanonicalizePool(pool, budget, metric_names()); !s.ok()) return s;
    SelectionBuilder builder(pool, metric_names(),
                             {"consistency_retrieval", "class_divergence", "zero_set_draw"});
    std::vector<size_t> ranked = InSeededOrder(ZeroSetIndices(pool, false), seed);
    const size_t final_count = std::min<size_t>(budget, ranked.size());
    const size_t retrieved = std::clamp<size_t>(
        static_cast<size_t>(std::llround(options_.retrieval_ratio() * budget)), final_count,
        ranked.size());
    RankCandidates(ranked, pool, 0, RankDirection::kLowerFirst);
    builder.RecordRanks(0, ranked);
    ranked.resize(retrieved);
    RankCandidates(ranked, pool, 1, RankDirection::kHigherFirst);
    builder.RecordRanks(1, ranked);
    for (size_t k = 0; k < final_count; ++k) {
      builder.Add(ranked[k], pool[ranked[k]].metrics[1], false);
    }
    DrawFromZeroSet(ZeroSetIndices(pool, true), budget - final_count, seed, 2, builder);
    return std::move(builder).Finish();
  }

 private:
  CaldOptions options_;
};

HUALE_REGISTER(AcquisitionRegistry, "cald",
               "CALD (Yu et al.): flip consistency, then class-distribution divergence",
               [](const AcquisitionSpec& spec)
                   -> absl::StatusOr<std::unique_ptr<AcquisitionFunction>> {
                 if (absl::Status s = CheckOptionsCase(spec, AcquisitionSpec::kCald);
                     !s.ok()) {
                   return s;
                 }
                 const CaldOptions& o = spec.cald();
                 HUALE_RETURN_IF_ERROR(OptionChecks(o)
                                           .AtLeast("retrieval_ratio", o.retrieval_ratio(), 1)
                                           .AtLeast("consistency_target", o.consistency_target(), 0)
                                           .InRange("box_min_score", o.box_min_score(), 0, 1)
                                           .status());
                 return std::make_unique<CaldAcquisition>(spec.cald());
               });

}  // namespace
}  // namespace huale
