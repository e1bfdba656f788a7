// Selection machinery shared by the acquisition functions: pool validation, a
// canonical order (so a selection depends on the set of pool scores, not on the
// order the engine scored them in), portable seeded sampling, stable ranking
// (ties keep the previous stage's order; the first stage starts from a seeded
// random order, so ties never fall to image ids), cascade counts and the
// per-stage audit trail.
#ifndef HUALE_ACQUISITION_SELECTION_H_
#define HUALE_ACQUISITION_SELECTION_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "huale/acquisition/acquisition_function.h"

namespace huale {

// InvalidArgument for a negative budget, an empty or duplicate image id, a
// metric count other than metric_names.size(), or a non-finite metric; on
// success `pool` is sorted by image id.
absl::Status CanonicalizePool(std::vector<ImageScore>& pool, int budget,
                              const std::vector<std::string>& metric_names);

// A uniformly random permutation of 0..n-1 fixed by `seed`: Fisher-Yates over
// std::mt19937_64's raw output with rejection sampling, so it is the same with
// every standard library (std::shuffle and the distributions are not).
std::vector<size_t> SeededPermutation(size_t n, uint64_t seed);

// `indices` in the seeded random order SeededPermutation(indices.size(), seed):
// what a selection's first stage ranks, so that its ties are a seeded draw.
std::vector<size_t> InSeededOrder(const std::vector<size_t>& indices, uint64_t seed);

// Counts kept after each of `stages` filters, shrinking linearly from
// `retrieved` to `final_count`: [retrieved, ..., final_count], stages + 1 entries
// (1500, 500, 4 -> 1500 1250 1000 750 500).
std::vector<int> CascadeCounts(int retrieved, int final_count, int stages);

enum class RankDirection { kHigherFirst, kLowerFirst };

// Sorts `candidates` (indices into `pool`) by metrics[metric], most informative
// first; ties keep their order in `candidates` (stable: the previous stage's
// order, or the seeded order of InSeededOrder for a first stage).
void RankCandidates(std::vector<size_t>& candidates, const std::vector<ImageScore>& pool,
                    int metric, RankDirection direction);

// Collects the selected images with their per-stage ranks.
class SelectionBuilder {
 public:
  SelectionBuilder(const std::vector<ImageScore>& pool, std::vector<std::string> metric_names,
                   std::vector<std::string> stage_names);
  // Records 1-based ranks at `stage` for `ranked` (best first).
  void RecordRanks(int stage, const std::vector<size_t>& ranked);
  void Add(size_t index, double score, bool from_zero_set);
  Selection Finish() &&;

 private:
  const std::vector<ImageScore>& pool_;
  Selection selection_;
  std::vector<int> ranks_;  // [pool size * stages]
  std::vector<size_t> added_;
  std::vector<double> added_scores_;
  std::vector<bool> added_zero_;
};

// Ranks the images outside the zero set (from their seeded order, so ties are a
// seeded draw) by metrics[metric], takes the best
// `budget` and fills what is left from the zero set in seeded random order.
// Stages: {stage_name, "zero_set_draw"}.
Selection SelectTopThenFill(const std::vector<ImageScore>& pool, int budget, int metric,
                            RankDirection direction, uint64_t seed,
                            std::vector<std::string> metric_names, std::string stage_name);

// Indices of the zero set / of the rest, in canonical order.
std::vector<size_t> ZeroSetIndices(const std::vector<ImageScore>& pool, bool in_zero_set);

// Draws `count` of `zero_set` in seeded random order into `builder`, recording
// their positions as ranks at `stage`.
void DrawFromZeroSet(const std::vector<size_t>& zero_set, size_t count, uint64_t seed,
                     int stage, SelectionBuilder& builder);

// Takes the `count` least confident of `zero_set` into `builder`: ascending
// ImageScore::max_score (the score each is added with), ties in seeded random
// order; records their positions as ranks at `stage`.
void TakeLeastConfidentFromZeroSet(const std::vector<ImageScore>& pool,
                                   const std::vector<size_t>& zero_set, size_t count,
                                   uint64_t seed, int stage, SelectionBuilder& builder);

}  // namespace huale

#endif  // HUALE_ACQUISITION_SELECTION_H_
