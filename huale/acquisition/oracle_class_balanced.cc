// "oracle_class_balanced": an ORACLE, not an acquisition method — it reads the
// pool's ground truth, which no real annotator queue has, and gives an upper
// reference for what class balance alone buys (issue 15 §3). Scoring needs no
// detections; the engine fills ScoringContext::ground_truth_class_counts and
// labelled_class_counts because needs_ground_truth() says so.
//
// Selection, exactly:
//   n[c]   = labelled_class_counts[c] (ground-truth boxes of class c already
//            labelled; absent = 0), C = the larger of num_classes and the count
//            vectors' sizes.
//   Z      = pool images with no ground-truth box (or no entry in the map).
//   Greedy, until the budget is spent or only Z is left:
//     order the classes by n ascending (ties: lower class index first): c1, c2, ...
//     take the candidate whose per-class counts (g[c1], g[c2], ..., g[cC]) are
//     lexicographically largest — the most boxes of the least represented class,
//     then of the next — ties in seeded random order; add its g to n.
//   The rest of the budget is drawn from Z in seeded random order.
// SelectedImage::score is g[c1] at the time of the pick.
#include <algorithm>
#include <map>
#include <memory>
#include <numeric>

#include "huale/acquisition/acquisition_function.h"
#include "huale/acquisition/selection.h"

namespace huale {
namespace {

class OracleClassBalanced : public AcquisitionFunction {
 public:
  bool needs_detections() const override { return false; }
  bool needs_ground_truth() const override { return true; }
  std::vector<std::string> metric_names() const override { return {"ground_truth_boxes"}; }

  ImageScore Score(const ImageDetections& original, const ImageDetections&,
                   const ScoringContext& context) const override {
    const std::vector<int>& counts = CountsOf(original.image_id, context);
    const int boxes = std::accumulate(counts.begin(), counts.end(), 0);
    return ImageScore{original.image_id, /*in_zero_set=*/boxes == 0,
                      {static_cast<double>(boxes)}};
  }

  absl::StatusOr<Selection> Select(std::vector<ImageScore> pool, int budget,
                                   const ScoringContext& context,
                                   uint64_t seed) const override {
    if (absl::Status s = CanonicalizePool(pool, budget, metric_names()); !s.ok()) return s;
    // g[i][c]: ground-truth boxes of class c in pool image i, padded to C.
    size_t num_classes = std::max<size_t>(std::max(context.num_classes, 0),
                                          context.labelled_class_counts.size());
    std::vector<std::vector<int>> g(pool.size());
    for (size_t i = 0; i < pool.size(); ++i) {
      g[i] = CountsOf(pool[i].image_id, context);
      num_classes = std::max(num_classes, g[i].size());
    }
    for (auto& counts : g) counts.resize(num_classes, 0);
    std::vector<long> represented(num_classes, 0);
    for (size_t c = 0; c < context.labelled_class_counts.size(); ++c) {
      represented[c] = context.labelled_class_counts[c];
    }

    std::vector<size_t> candidates;
    for (size_t i : InSeededOrder(ZeroSetIndices(pool, false), seed)) {
      if (std::accumulate(g[i].begin(), g[i].end(), 0) > 0) candidates.push_back(i);
    }
    std::vector<size_t> picked;
    std::vector<double> keys;
    std::vector<size_t> classes(num_classes);
    while (picked.size() < static_cast<size_t>(budget) && !candidates.empty()) {
      std::iota(classes.begin(), classes.end(), 0);
      std::stable_sort(classes.begin(), classes.end(),
                       [&](size_t a, size_t b) { return represented[a] < represented[b]; });
      // The first lexicographically largest: ties keep the seeded order.
      auto best = candidates.begin();
      for (auto it = candidates.begin() + 1; it != candidates.end(); ++it) {
        for (size_t c : classes) {
          if (g[*it][c] != g[*best][c]) {
            if (g[*it][c] > g[*best][c]) best = it;
            break;
          }
        }
      }
      const size_t i = *best;
      candidates.erase(best);
      picked.push_back(i);
      keys.push_back(g[i][classes[0]]);
      for (size_t c = 0; c < num_classes; ++c) represented[c] += g[i][c];
    }

    SelectionBuilder builder(pool, metric_names(), {"class_balanced_greedy", "zero_set_draw"});
    builder.RecordRanks(0, picked);
    for (size_t k = 0; k < picked.size(); ++k) builder.Add(picked[k], keys[k], false);
    // Images without ground-truth boxes fill what is left.
    std::vector<bool> taken(pool.size(), false);
    for (size_t i : picked) taken[i] = true;
    std::vector<size_t> rest;
    for (size_t i = 0; i < pool.size(); ++i) {
      if (!taken[i]) rest.push_back(i);
    }
    DrawFromZeroSet(rest, budget - picked.size(), seed, 1, builder);
    return std::move(builder).Finish();
  }

 private:
  // The image's per-class ground-truth box counts; empty when it has no entry.
  static const std::vector<int>& CountsOf(const std::string& image_id,
                                          const ScoringContext& context) {
    static const std::vector<int>* const kNone = new std::vector<int>();
    const auto it = context.ground_truth_class_counts.find(image_id);
    return it == context.ground_truth_class_counts.end() ? *kNone : it->second;
  }
};

HUALE_REGISTER(AcquisitionRegistry, "oracle_class_balanced",
               "ORACLE (upper bound, not a method): class-balanced greedy on the pool's "
               "ground truth",
               [](const AcquisitionSpec& spec)
                   -> absl::StatusOr<std::unique_ptr<AcquisitionFunction>> {
                 if (absl::Status s = CheckOptionsCase(spec, AcquisitionSpec::OPTIONS_NOT_SET);
                     !s.ok()) {
                   return s;
                 }
                 return std::make_unique<OracleClassBalanced>();
               });

}  // namespace
}  // namespace huale
