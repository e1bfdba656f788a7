// "core_set" (Sener & Savarese, ICLR 2018): k-center greedy in the detector's
// feature space. Each image is its embedding (ImageDetections::embedding: the
// mean of the coarsest pooled FPN level); each pick is the candidate farthest
// (L2) from every labelled image and every image picked before it, so the
// selection covers the pool. Uncertainty plays no part; it is the diversity
// baseline the literature finds above random for detection at larger budgets.
// Ties: the seeded order. A candidate without an embedding is at distance 0
// from everything (picked last).
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "huale/acquisition/acquisition_function.h"
#include "huale/acquisition/selection.h"
#include "huale/core/status_macros.h"

namespace huale {
namespace {

double SquaredDistance(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.empty() || b.empty() || a.size() != b.size()) return 0;
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = static_cast<double>(a[i]) - b[i];
    sum += d * d;
  }
  return sum;
}

class CoreSetAcquisition : public AcquisitionFunction {
 public:
  bool needs_embeddings() const override { return true; }
  std::vector<std::string> metric_names() const override { return {}; }

  ImageScore Score(const ImageDetections& original, const ImageDetections&,
                   const ScoringContext&) const override {
    ImageScore score{original.image_id, /*in_zero_set=*/false, {}};
    score.embedding = original.embedding;
    return score;
  }

  absl::StatusOr<Selection> Select(std::vector<ImageScore> pool, int budget,
                                   const ScoringContext& context, uint64_t seed) const override {
    HUALE_RETURN_IF_ERROR(CanonicalizePool(pool, budget, metric_names()));
    // Candidates in the seeded order: the first of equally far ones wins.
    const std::vector<size_t> order = SeededPermutation(pool.size(), seed);
    // Squared distance of each candidate to its nearest center (labelled or picked).
    std::vector<double> nearest(pool.size(), std::numeric_limits<double>::infinity());
    for (const std::vector<float>& center : context.labelled_embeddings) {
      for (size_t i = 0; i < pool.size(); ++i) {
        nearest[i] = std::min(nearest[i], SquaredDistance(pool[i].embedding, center));
      }
    }
    SelectionBuilder builder(pool, metric_names(), {"k_center_greedy"});
    std::vector<bool> taken(pool.size(), false);
    std::vector<size_t> picked;
    const size_t take = std::min(pool.size(), static_cast<size_t>(std::max(budget, 0)));
    while (picked.size() < take) {
      size_t best = order.front();
      double best_distance = -1;
      for (size_t i : order) {
        if (!taken[i] && nearest[i] > best_distance) {
          best = i;
          best_distance = nearest[i];
        }
      }
      taken[best] = true;
      picked.push_back(best);
      // The distance it was picked at (infinite before any center: reported as -1).
      builder.Add(best, std::isfinite(best_distance) ? std::sqrt(best_distance) : -1,
                  /*from_zero_set=*/false);
      for (size_t i = 0; i < pool.size(); ++i) {
        nearest[i] = std::min(nearest[i], SquaredDistance(pool[i].embedding, pool[best].embedding));
      }
    }
    builder.RecordRanks(0, picked);
    return std::move(builder).Finish();
  }
};

HUALE_REGISTER(AcquisitionRegistry, "core_set",
               "core-set (Sener & Savarese): k-center greedy on the detector's image features",
               [](const AcquisitionSpec& spec)
                   -> absl::StatusOr<std::unique_ptr<AcquisitionFunction>> {
                 HUALE_RETURN_IF_ERROR(
                     CheckOptionsCase(spec, AcquisitionSpec::OPTIONS_NOT_SET));
                 return std::make_unique<CoreSetAcquisition>();
               });

}  // namespace
}  // namespace huale
