#include "huale/acquisition/selection.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace huale {

absl::Status CanonicalizePool(std::vector<ImageScore>& pool, int budget,
                              const std::vector<std::string>& metric_names) {
  if (budget < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("selection budget: expected >= 0, found ", budget));
  }
  for (const ImageScore& s : pool) {
    if (s.image_id.empty()) {
      return absl::InvalidArgumentError("pool score with an empty image id");
    }
    if (s.metrics.size() != metric_names.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "pool score of image '", s.image_id, "': expected ", metric_names.size(),
          " metrics (", absl::StrJoin(metric_names, ", "), "), found ", s.metrics.size()));
    }
    for (size_t m = 0; m < s.metrics.size(); ++m) {
      if (!std::isfinite(s.metrics[m])) {
        return absl::InvalidArgumentError(absl::StrCat("pool score of image '", s.image_id,
                                                       "': metric ", metric_names[m],
                                                       " is not finite (", s.metrics[m], ")"));
      }
    }
  }
  std::sort(pool.begin(), pool.end(),
            [](const ImageScore& a, const ImageScore& b) { return a.image_id < b.image_id; });
  for (size_t i = 1; i < pool.size(); ++i) {
    if (pool[i].image_id == pool[i - 1].image_id) {
      return absl::InvalidArgumentError(
          absl::StrCat("pool scores: image '", pool[i].image_id, "' appears twice"));
    }
  }
  return absl::OkStatus();
}

std::vector<size_t> SeededPermutation(size_t n, uint64_t seed) {
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::mt19937_64 engine(seed);
  for (size_t i = n; i > 1; --i) {
    // Uniform j in [0, i) by rejection: no modulo bias.
    const uint64_t bound = i;
    const uint64_t limit = UINT64_MAX - (UINT64_MAX % bound);
    uint64_t r;
    do {
      r = engine();
    } while (r >= limit);
    std::swap(order[i - 1], order[r % bound]);
  }
  return order;
}

std::vector<size_t> InSeededOrder(const std::vector<size_t>& indices, uint64_t seed) {
  std::vector<size_t> ordered;
  ordered.reserve(indices.size());
  for (size_t k : SeededPermutation(indices.size(), seed)) ordered.push_back(indices[k]);
  return ordered;
}

std::vector<int> CascadeCounts(int retrieved, int final_count, int stages) {
  std::vector<int> counts(stages + 1);
  for (int s = 0; s <= stages; ++s) {
    counts[s] = retrieved - static_cast<int>(std::llround(
                                static_cast<double>(s) * (retrieved - final_count) / stages));
  }
  return counts;
}

void RankCandidates(std::vector<size_t>& candidates, const std::vector<ImageScore>& pool,
                    int metric, RankDirection direction) {
  std::stable_sort(candidates.begin(), candidates.end(), [&](size_t a, size_t b) {
    const double va = pool[a].metrics[metric], vb = pool[b].metrics[metric];
    return direction == RankDirection::kHigherFirst ? va > vb : va < vb;
  });
}

SelectionBuilder::SelectionBuilder(const std::vector<ImageScore>& pool,
                                   std::vector<std::string> metric_names,
                                   std::vector<std::string> stage_names)
    : pool_(pool), ranks_(pool.size() * stage_names.size(), 0) {
  selection_.metric_names = std::move(metric_names);
  selection_.stage_names = std::move(stage_names);
  selection_.stage_sizes.assign(selection_.stage_names.size(), 0);
}

void SelectionBuilder::RecordRanks(int stage, const std::vector<size_t>& ranked) {
  const size_t stages = selection_.stage_names.size();
  selection_.stage_sizes[stage] = static_cast<int>(ranked.size());
  for (size_t r = 0; r < ranked.size(); ++r) {
    ranks_[ranked[r] * stages + stage] = static_cast<int>(r) + 1;
  }
}

void SelectionBuilder::Add(size_t index, double score, bool from_zero_set) {
  added_.push_back(index);
  added_scores_.push_back(score);
  added_zero_.push_back(from_zero_set);
}

Selection SelectionBuilder::Finish() && {
  const size_t stages = selection_.stage_names.size();
  selection_.images.reserve(added_.size());
  for (size_t k = 0; k < added_.size(); ++k) {
    const size_t i = added_[k];
    SelectedImage image;
    image.image_id = pool_[i].image_id;
    image.score = added_scores_[k];
    image.from_zero_set = added_zero_[k];
    image.stage_ranks.assign(ranks_.begin() + i * stages, ranks_.begin() + (i + 1) * stages);
    image.metrics = pool_[i].metrics;
    selection_.images.push_back(std::move(image));
  }
  return std::move(selection_);
}

std::vector<size_t> ZeroSetIndices(const std::vector<ImageScore>& pool, bool in_zero_set) {
  std::vector<size_t> indices;
  for (size_t i = 0; i < pool.size(); ++i) {
    if (pool[i].in_zero_set == in_zero_set) indices.push_back(i);
  }
  return indices;
}

void DrawFromZeroSet(const std::vector<size_t>& zero_set, size_t count, uint64_t seed,
                     int stage, SelectionBuilder& builder) {
  std::vector<size_t> drawn = InSeededOrder(zero_set, seed);
  drawn.resize(std::min(count, drawn.size()));
  for (size_t k = 0; k < drawn.size(); ++k) {
    builder.Add(drawn[k], static_cast<double>(k + 1), /*from_zero_set=*/true);
  }
  builder.RecordRanks(stage, drawn);
}

void TakeLeastConfidentFromZeroSet(const std::vector<ImageScore>& pool,
                                   const std::vector<size_t>& zero_set, size_t count,
                                   uint64_t seed, int stage, SelectionBuilder& builder) {
  std::vector<size_t> ranked = InSeededOrder(zero_set, seed);
  std::stable_sort(ranked.begin(), ranked.end(),
                   [&](size_t a, size_t b) { return pool[a].max_score < pool[b].max_score; });
  ranked.resize(std::min(count, ranked.size()));
  for (size_t i : ranked) builder.Add(i, pool[i].max_score, /*from_zero_set=*/true);
  builder.RecordRanks(stage, ranked);
}

Selection SelectTopThenFill(const std::vector<ImageScore>& pool, int budget, int metric,
                            RankDirection direction, uint64_t seed,
                            std::vector<std::string> metric_names, std::string stage_name) {
  SelectionBuilder builder(pool, std::move(metric_names),
                           {std::move(stage_name), "zero_set_draw"});
  std::vector<size_t> ranked = InSeededOrder(ZeroSetIndices(pool, /*in_zero_set=*/false), seed);
  RankCandidates(ranked, pool, metric, direction);
  builder.RecordRanks(0, ranked);
  const size_t take = std::min(ranked.size(), static_cast<size_t>(budget));
  for (size_t k = 0; k < take; ++k) {
    builder.Add(ranked[k], pool[ranked[k]].metrics[metric], /*from_zero_set=*/false);
  }
  DrawFromZeroSet(ZeroSetIndices(pool, /*in_zero_set=*/true), budget - take, seed, 1, builder);
  return std::move(builder).Finish();
}

}  // namespace huale
