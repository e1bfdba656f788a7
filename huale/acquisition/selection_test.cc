#include "huale/acquisition/selection.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace huale {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAreArray;

TEST(CascadeCounts, ShrinkLinearlyFromRetrievedToBudget) {
  // Method doc §3.2: b = 500, K1 = 1500, four filters.
  EXPECT_THAT(CascadeCounts(1500, 500, 4), ElementsAre(1500, 1250, 1000, 750, 500));
  // With a 15% zero-set slice the filters end at 425: 1500 - llround(s * 1075 / 4)
  // (268.75 -> 269, 537.5 -> 538, 806.25 -> 806).
  EXPECT_THAT(CascadeCounts(1500, 425, 4), ElementsAre(1500, 1231, 962, 694, 425));
  EXPECT_THAT(CascadeCounts(7, 7, 4), ElementsAre(7, 7, 7, 7, 7));
}

TEST(SeededPermutation, IsAPermutationFixedByTheSeed) {
  const std::vector<size_t> a = SeededPermutation(1000, 42);
  EXPECT_EQ(a, SeededPermutation(1000, 42));
  EXPECT_NE(a, SeededPermutation(1000, 43));
  std::vector<size_t> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) ASSERT_EQ(sorted[i], i);
  EXPECT_TRUE(SeededPermutation(0, 1).empty());
}

TEST(SeededPermutation, FirstElementIsRoughlyUniform) {
  // 4 items, 8000 seeds: each first element expected 2000 times; binomial
  // sd = sqrt(8000 * 0.25 * 0.75) = 38.7, so +-200 is > 5 sd.
  std::vector<int> counts(4, 0);
  for (uint64_t seed = 0; seed < 8000; ++seed) ++counts[SeededPermutation(4, seed)[0]];
  for (int c : counts) EXPECT_NEAR(c, 2000, 200);
}

TEST(CanonicalizePool, SortsByIdAndRejectsBadScores) {
  std::vector<ImageScore> pool = {{"b", false, {1.0}}, {"a", false, {2.0}}};
  ASSERT_TRUE(CanonicalizePool(pool, 1, {"m"}).ok());
  EXPECT_EQ(pool[0].image_id, "a");

  std::vector<ImageScore> duplicate = {{"a", false, {1.0}}, {"a", false, {2.0}}};
  EXPECT_THAT(CanonicalizePool(duplicate, 1, {"m"}).message(), HasSubstr("'a' appears twice"));
  std::vector<ImageScore> wrong_count = {{"a", false, {1.0, 2.0}}};
  EXPECT_THAT(CanonicalizePool(wrong_count, 1, {"m"}).message(),
              HasSubstr("expected 1 metrics (m), found 2"));
  std::vector<ImageScore> nan = {{"a", false, {std::nan("")}}};
  EXPECT_THAT(CanonicalizePool(nan, 1, {"m"}).message(), HasSubstr("not finite"));
  std::vector<ImageScore> ok = {{"a", false, {1.0}}};
  EXPECT_THAT(CanonicalizePool(ok, -1, {"m"}).message(), HasSubstr("budget"));
  std::vector<ImageScore> no_id = {{"", false, {1.0}}};
  EXPECT_FALSE(CanonicalizePool(no_id, 1, {"m"}).ok());
}

TEST(RankCandidates, TiesKeepTheIncomingOrderNotTheImageIdOrder) {
  // a and b tie; b comes first (the previous stage put it there), so it stays
  // first although "a" < "b".
  const std::vector<ImageScore> pool = {{"a", false, {0.5}}, {"b", false, {0.5}},
                                        {"c", false, {0.9}}, {"d", false, {0.1}}};
  std::vector<size_t> candidates = {3, 1, 0, 2};
  RankCandidates(candidates, pool, 0, RankDirection::kHigherFirst);
  EXPECT_THAT(candidates, ElementsAre(2, 1, 0, 3));
  candidates = {3, 1, 0, 2};
  RankCandidates(candidates, pool, 0, RankDirection::kLowerFirst);
  EXPECT_THAT(candidates, ElementsAre(3, 1, 0, 2));
}

TEST(InSeededOrder, PermutesTheIndicesBySeed) {
  const std::vector<size_t> indices = {4, 7, 9, 12};
  const std::vector<size_t> a = InSeededOrder(indices, 5);
  EXPECT_THAT(a, UnorderedElementsAreArray(indices));
  EXPECT_EQ(a, InSeededOrder(indices, 5));
  const std::vector<size_t> permutation = SeededPermutation(4, 5);
  for (size_t k = 0; k < 4; ++k) EXPECT_EQ(a[k], indices[permutation[k]]);
}

TEST(SelectTopThenFill, FirstStageTiesAreASeededDrawNotTheImageIdOrder) {
  // Twenty images, one value: which one is taken depends on the seed only. With
  // an image-id tie-break "t00" would win every time.
  std::vector<ImageScore> pool;
  for (int i = 0; i < 20; ++i) {
    pool.push_back({(i < 10 ? "t0" : "t") + std::to_string(i), false, {0.5}});
  }
  std::set<std::string> first;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    Selection s = SelectTopThenFill(pool, 1, 0, RankDirection::kHigherFirst, seed, {"m"}, "m");
    ASSERT_EQ(s.images.size(), 1u);
    first.insert(s.images[0].image_id);
    EXPECT_EQ(s.images[0].image_id,
              SelectTopThenFill(pool, 1, 0, RankDirection::kHigherFirst, seed, {"m"}, "m")
                  .images[0]
                  .image_id);
  }
  EXPECT_GT(first.size(), 5u);
}

TEST(SelectTopThenFill, TakesTheBestThenFillsFromTheZeroSet) {
  const std::vector<ImageScore> pool = {{"a", false, {0.1}}, {"b", false, {0.9}},
                                        {"c", true, {0.0}},  {"d", false, {0.5}},
                                        {"e", true, {0.0}}};
  Selection top2 = SelectTopThenFill(pool, 2, 0, RankDirection::kHigherFirst, 1, {"m"}, "m");
  ASSERT_EQ(top2.images.size(), 2u);
  EXPECT_EQ(top2.images[0].image_id, "b");
  EXPECT_EQ(top2.images[1].image_id, "d");
  EXPECT_THAT(top2.images[1].stage_ranks, ElementsAre(2, 0));

  Selection all = SelectTopThenFill(pool, 4, 0, RankDirection::kLowerFirst, 1, {"m"}, "m");
  ASSERT_EQ(all.images.size(), 4u);
  EXPECT_EQ(all.images[0].image_id, "a");
  EXPECT_EQ(all.images[2].image_id, "b");
  EXPECT_TRUE(all.images[3].from_zero_set);
  EXPECT_TRUE(all.images[3].image_id == "c" || all.images[3].image_id == "e");
  EXPECT_EQ(all.images[3].stage_ranks[1], 1);
}

}  // namespace
}  // namespace huale
