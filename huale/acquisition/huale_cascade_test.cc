// The "huale" acquisition function: scoring of hand-built images (the authors'
// easy row of method doc §3.2) and the retrieval / cascade / Borda / zero-set
// selection on hand-built pool scores.
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "gmock/gmock.h"
#include "glog/logging.h"
#include "gtest/gtest.h"
#include "huale/acquisition/acquisition_function.h"
#include "huale/acquisition/test_detections.h"

namespace huale {
namespace {

using ::testing::ElementsAre;
using testing_internal::Det;
using testing_internal::Softmax;
using testing_internal::View;

constexpr int kSa = 1, kCd = 2, kOr = 3, kLc = 4;

std::unique_ptr<AcquisitionFunction> Make(const HualeOptions& options = HualeOptions()) {
  AcquisitionSpec spec;
  spec.set_name("huale");
  *spec.mutable_huale() = options;
  auto fn = AcquisitionRegistry::Get().Create("huale", spec);
  CHECK(fn.ok()) << fn.status();
  return std::move(*fn);
}

std::vector<std::string> Ids(const Selection& s) {
  std::vector<std::string> ids;
  for (const auto& image : s.images) ids.push_back(image.image_id);
  return ids;
}

TEST(HualeScore, ReproducesTheEasyOneBottleRow) {
  // Table row "easy, one bottle 0.94": SA 0.0, CD 0.594, OR 0.0, LC 0.192.
  // Both views see the bottle with the same softmax (SA = 0); the flipped box's
  // edges are off by 0.096 of a side (LC = 0.192, see
  // localization_confidence_test); bottles are q* of the labelled instances with
  // JS₂(δ ‖ q_L) = 0.594 (q* solved from the closed form of
  // category_diversity_test).
  auto one_class_js = [](double q) {
    return 0.5 * (std::log2(2 / (1 + q)) + q * std::log2(2 * q / (1 + q)) + 1 - q);
  };
  double lo = 1e-9, hi = 1;
  for (int i = 0; i < 200; ++i) ((one_class_js((lo + hi) / 2) > 0.594) ? lo : hi) = (lo + hi) / 2;
  ScoringContext context;
  context.num_classes = 20;
  context.labelled_class_share.assign(20, (1 - lo) / 19);
  context.labelled_class_share[4] = lo;

  const auto probs = Softmax(20, 4, 0.94, 0.03);
  const auto bottle = Det({50, 40, 150, 240}, 4, 0.94f, probs);
  const auto flipped = Det({59.6, 59.2, 159.6, 259.2}, 4, 0.94f, probs);
  const ImageScore score =
      Make()->Score(View("easy", {bottle}), View("easy", {flipped}), context);
  EXPECT_FALSE(score.in_zero_set);
  EXPECT_NEAR(score.metrics[kSa], 0.0, 1e-12);
  EXPECT_NEAR(score.metrics[kCd], 0.594, 1e-9);
  EXPECT_NEAR(score.metrics[kOr], 0.0, 1e-12);
  EXPECT_NEAR(score.metrics[kLc], 0.192, 1e-6);
}

TEST(HualeScore, LocalizationConfidenceOptions) {
  // The bottle of the easy row: edges off by 0.096 of a side, LC 0.192.
  // lc_min_side 400: x edges off 9.6 / 200, y edges 19.2 / 200: mean c 0.928,
  // LC 0.072. lc_from_iou_head with u = 0.7: LC 0.3; without a prediction it
  // falls back to edge agreement.
  ScoringContext context;
  context.num_classes = 20;
  const auto probs = Softmax(20, 4, 0.94, 0.03);
  auto bottle = Det({50, 40, 150, 240}, 4, 0.94f, probs);
  const auto flipped = Det({59.6, 59.2, 159.6, 259.2}, 4, 0.94f, probs);
  auto lc = [&](const HualeOptions& options) {
    return Make(options)->Score(View("b", {bottle}), View("b", {flipped}), context).metrics[kLc];
  };
  HualeOptions options;
  EXPECT_NEAR(lc(options), 0.192, 1e-6);
  options.set_lc_min_side(400);
  EXPECT_NEAR(lc(options), 0.072, 1e-6);
  options.set_lc_min_side(50);  // below both sides: no effect
  EXPECT_NEAR(lc(options), 0.192, 1e-6);
  HualeOptions iou_head;
  iou_head.set_lc_from_iou_head(true);
  EXPECT_NEAR(lc(iou_head), 0.192, 1e-6);
  bottle.predicted_iou = 0.7f;
  EXPECT_NEAR(lc(iou_head), 0.3, 1e-6);
  EXPECT_NEAR(lc(HualeOptions()), 0.192, 1e-6);
}

TEST(HualeScore, NoConfidentBoxIsTheZeroSet) {
  const auto weak = Det({0, 0, 10, 10}, 1, 0.3f, Softmax(20, 1, 0.3, 0.5));
  ScoringContext context;
  context.num_classes = 20;
  EXPECT_TRUE(Make()->Score(View("z", {weak}), View("z", {}), context).in_zero_set);
  EXPECT_TRUE(Make()->Score(View("z", {}), View("z", {}), context).in_zero_set);
}

TEST(HualeScore, HuaRetrievalAggregatesClassScaleObjectImage) {
  // hua_test's hand image, C = 1, entropies in bits (= normalised entropy):
  //   A  (0,0,224,224)     s .9  (.1,.9)   H .468996  P4  object
  //   A2 (0,0,230,224)     s .2  (.5,.5)   H 1        P4  unit of A
  //   A3 (0,0,160,160)     s .25 (.75,.25) H .811278  P3  unit of A
  //   B  (400,300,456,356) s .8  (.2,.8)   H .721928  P2  object
  // E(x) = max over confident boxes = .721928. HUA (Sum / Max / Sum):
  // A max(1, .811) = 1, B .722: 1.721928.
  const ImageDetections image = View("x", {Det({0, 0, 224, 224}, 0, 0.9f, {0.1f, 0.9f}),
                                           Det({0, 0, 230, 224}, 0, 0.2f, {0.5f, 0.5f}),
                                           Det({0, 0, 160, 160}, 0, 0.25f, {0.75f, 0.25f}),
                                           Det({400, 300, 456, 356}, 0, 0.8f, {0.2f, 0.8f})});
  ScoringContext context;
  context.num_classes = 1;
  EXPECT_NEAR(Make()->Score(image, View("x", {}), context).metrics[0], 0.721928, 1e-6);
  HualeOptions options;
  options.set_retrieval(HualeOptions::HUA_AGGREGATION);
  const auto hua = Make(options);
  EXPECT_EQ(hua->metric_names()[0], "hua_uncertainty");
  const ImageScore score = hua->Score(image, View("x", {}), context);
  EXPECT_FALSE(score.in_zero_set);
  EXPECT_NEAR(score.metrics[0], 1.721928, 1e-6);
  // HUA's options apply: scale Sum gives A 1 + .811278.
  options.mutable_hua()->set_scale_operator(HuaOptions::SUM);
  EXPECT_NEAR(Make(options)->Score(image, View("x", {}), context).metrics[0],
              1.811278 + 0.721928, 1e-6);
}

TEST(HualeScore, HuaRetrievalKeepsEntropysZeroSet) {
  // One box of score .4: a HUA object (> .3) but not confident (< .5): the image
  // is in the zero set as under entropy retrieval, its HUA score kept.
  HualeOptions options;
  options.set_retrieval(HualeOptions::HUA_AGGREGATION);
  ScoringContext context;
  context.num_classes = 1;
  const ImageScore score = Make(options)->Score(
      View("w", {Det({0, 0, 50, 50}, 0, 0.4f, {0.6f, 0.4f})}), View("w", {}), context);
  EXPECT_TRUE(score.in_zero_set);
  EXPECT_NEAR(score.metrics[0], -(0.6 * std::log2(0.6) + 0.4 * std::log2(0.4)), 1e-6);
  // No HUA object (.2 < .3) but a confident flipped box: ranked, scoring 0.
  const ImageScore flipped_only = Make(options)->Score(
      View("f", {Det({0, 0, 50, 50}, 0, 0.2f, {0.8f, 0.2f})}),
      View("f", {Det({0, 0, 50, 50}, 0, 0.9f, {0.1f, 0.9f})}), context);
  EXPECT_FALSE(flipped_only.in_zero_set);
  EXPECT_EQ(flipped_only.metrics[0], 0.0);
}

// Metrics: entropy, SA, CD, OR, LC.
std::vector<ImageScore> HandPool() {
  return {{"i1", false, {0.9, 0.1, 0.5, 0.5, 0.5}}, {"i2", false, {0.8, 0.9, 0.1, 0.9, 0.1}},
          {"i3", false, {0.7, 0.8, 0.9, 0.1, 0.9}}, {"i4", false, {0.6, 0.7, 0.8, 0.8, 0.2}},
          {"i5", false, {0.5, 1.0, 1.0, 1.0, 1.0}}, {"i6", true, {0, 0, 0, 0, 0}}};
}

TEST(HualeSelect, CascadeOnAHandBuiltPool) {
  // b = 2, r1 = 2: K1 = 4, no zero-set slice (floor(0.15 * 2) = 0), counts
  // 4 -> 3 -> 3 -> 2 -> 2. Retrieval by entropy: i1 i2 i3 i4 (i5 is fifth).
  // SA: i2 .9, i3 .8, i4 .7 | i1 .1. CD: i3 .9, i4 .8, i2 .1. OR: i2 .9, i4 .8 | i3.
  // LC: i4 .2, i2 .1.
  HualeOptions options;
  options.set_retrieval_ratio(2);
  auto selection = Make(options)->Select(HandPool(), 2, ScoringContext(), 7);
  ASSERT_TRUE(selection.ok()) << selection.status();
  EXPECT_THAT(Ids(*selection), ElementsAre("i4", "i2"));
  EXPECT_THAT(selection->stage_names,
              ElementsAre("entropy_retrieval", "semantic_affinity", "category_diversity",
                          "overlap_ratio", "localization_confidence",
                          "zero_set_lowest_max_score"));
  EXPECT_THAT(selection->images[0].stage_ranks, ElementsAre(4, 3, 2, 2, 1, 0));
  EXPECT_THAT(selection->images[1].stage_ranks, ElementsAre(2, 1, 3, 1, 2, 0));
  EXPECT_DOUBLE_EQ(selection->images[0].score, 0.2);
}

TEST(HualeSelect, HuaRetrievalNamesItsStage) {
  // The same hand pool with metric 0 read as HUA's aggregation: the same picks,
  // the retrieval stage named for it.
  HualeOptions options;
  options.set_retrieval_ratio(2);
  options.set_retrieval(HualeOptions::HUA_AGGREGATION);
  auto selection = Make(options)->Select(HandPool(), 2, ScoringContext(), 7);
  ASSERT_TRUE(selection.ok()) << selection.status();
  EXPECT_THAT(Ids(*selection), ElementsAre("i4", "i2"));
  EXPECT_EQ(selection->stage_names[0], "hua_retrieval");
  EXPECT_EQ(selection->metric_names[0], "hua_uncertainty");
}

TEST(HualeSelect, CascadeTiesKeepThePreviousStagesOrder) {
  // "a" and "b" tie on OR; entropy retrieval ranked b first, so the OR filter
  // keeping one keeps b (an image-id tie-break would keep a).
  const std::vector<ImageScore> pool = {{"a", false, {0.1, 0, 0, 0.5, 0}},
                                        {"b", false, {0.9, 0, 0, 0.5, 0}}};
  HualeOptions options;
  options.set_retrieval_ratio(2);
  options.add_cascade(HualeOptions::OVERLAP_RATIO);
  for (uint64_t seed : {1, 2, 3, 4}) {
    auto selection = Make(options)->Select(pool, 1, ScoringContext(), seed);
    ASSERT_TRUE(selection.ok()) << selection.status();
    EXPECT_THAT(Ids(*selection), ElementsAre("b"));
    EXPECT_THAT(selection->images[0].stage_ranks, ElementsAre(1, 1, 0));
  }
}

TEST(HualeSelect, BordaAveragesTheMetricRanks) {
  // Ranks inside {i1..i4}: SA i2 i3 i4 i1; CD i3 i4 i1 i2; OR i2 i4 i1 i3;
  // LC i3 i1 i4 i2. Means: i1 3, i2 2.5, i3 2, i4 2.5; the i2/i4 tie keeps
  // entropy order.
  HualeOptions options;
  options.set_retrieval_ratio(2);
  options.set_ranking(HualeOptions::BORDA);
  auto selection = Make(options)->Select(HandPool(), 2, ScoringContext(), 7);
  ASSERT_TRUE(selection.ok()) << selection.status();
  EXPECT_THAT(Ids(*selection), ElementsAre("i3", "i2"));
  EXPECT_DOUBLE_EQ(selection->images[0].score, 2.0);
  EXPECT_DOUBLE_EQ(selection->images[1].score, 2.5);
}

TEST(HualeSelect, CategoryDiversityDirectionIsAnOption) {
  HualeOptions options;
  options.set_retrieval_ratio(5);
  options.add_cascade(HualeOptions::CATEGORY_DIVERSITY);
  // Retrieved: i1..i5. Highest CD: i5 (1.0); lowest: i2 (0.1).
  auto higher = Make(options)->Select(HandPool(), 1, ScoringContext(), 7);
  ASSERT_TRUE(higher.ok());
  EXPECT_THAT(Ids(*higher), ElementsAre("i5"));
  options.set_category_diversity_direction(HualeOptions::LOWER_IS_INFORMATIVE);
  auto lower = Make(options)->Select(HandPool(), 1, ScoringContext(), 7);
  ASSERT_TRUE(lower.ok());
  EXPECT_THAT(Ids(*lower), ElementsAre("i2"));
}

// `n` images with seeded random metrics, `zeros` more in the zero set.
std::vector<ImageScore> RandomPool(int n, int zeros) {
  std::mt19937_64 rng(123);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<ImageScore> pool;
  for (int i = 0; i < n; ++i) {
    pool.push_back({"img" + std::to_string(i), false, {u(rng), u(rng), u(rng), u(rng), u(rng)}});
  }
  for (int i = 0; i < zeros; ++i) pool.push_back({"zero" + std::to_string(i), true, {0, 0, 0, 0, 0}});
  return pool;
}

TEST(HualeSelect, CascadeCountsForBudget500) {
  // b = 500, r1 = 3: entropy ranks all 3000, keeps K1 = 1500; the filters rank
  // 1500 -> 1250 -> 1000 -> 750 and keep 500.
  auto selection = Make()->Select(RandomPool(3000, 0), 500, ScoringContext(), 1);
  ASSERT_TRUE(selection.ok());
  ASSERT_EQ(selection->images.size(), 500u);
  EXPECT_THAT(selection->stage_sizes, ElementsAre(3000, 1500, 1250, 1000, 750, 0));
  // The last filter keeps its best 500: the selected images' LC ranks are 1..500.
  std::set<int> lc_ranks;
  for (const auto& image : selection->images) {
    lc_ranks.insert(image.stage_ranks[4]);
    EXPECT_FALSE(image.from_zero_set);
    EXPECT_LE(image.stage_ranks[0], 1500);
    EXPECT_LE(image.stage_ranks[1], 1250);
    EXPECT_LE(image.stage_ranks[2], 1000);
    EXPECT_LE(image.stage_ranks[3], 750);
  }
  EXPECT_EQ(lc_ranks.size(), 500u);
  EXPECT_EQ(*lc_ranks.rbegin(), 500);
}

TEST(HualeSelect, ZeroSetGetsFifteenPercentOfTheBudget) {
  // b = 500, |Z| = 200: floor(0.15 * 500) = 75 drawn from Z, 425 through the
  // cascade 1500 -> 1231 -> 962 -> 694 -> 425.
  auto selection = Make()->Select(RandomPool(3000, 200), 500, ScoringContext(), 1);
  ASSERT_TRUE(selection.ok());
  int zero = 0;
  for (const auto& image : selection->images) {
    zero += image.from_zero_set;
    EXPECT_EQ(image.from_zero_set, image.image_id.rfind("zero", 0) == 0);
  }
  EXPECT_EQ(zero, 75);
  EXPECT_THAT(selection->stage_sizes, ElementsAre(3000, 1500, 1231, 962, 694, 75));
}

TEST(HualeSelect, ZeroSetShareIsCappedByItsSizeAndFillsAShortPool) {
  // |Z| = 1 < 3 = floor(0.15 * 20): one drawn, 19 through the cascade.
  auto small_zero = Make()->Select(RandomPool(100, 1), 20, ScoringContext(), 3);
  ASSERT_TRUE(small_zero.ok());
  int zero = 0;
  for (const auto& image : small_zero->images) zero += image.from_zero_set;
  EXPECT_EQ(zero, 1);
  // 5 ranked images cannot fill b = 20: the zero set fills the other 15.
  auto short_pool = Make()->Select(RandomPool(5, 30), 20, ScoringContext(), 3);
  ASSERT_TRUE(short_pool.ok());
  zero = 0;
  for (const auto& image : short_pool->images) zero += image.from_zero_set;
  EXPECT_EQ(zero, 15);
  EXPECT_EQ(short_pool->images.size(), 20u);
}

TEST(HualeSelect, RandomZeroSetDrawDependsOnTheSeed) {
  HualeOptions options;
  options.set_zero_set_order(HualeOptions::RANDOM);
  std::vector<ImageScore> pool = RandomPool(100, 50);
  for (size_t i = 100; i < pool.size(); ++i) pool[i].max_score = 0.01 * (i - 100);
  auto a = Make(options)->Select(pool, 40, ScoringContext(), 1);
  auto b = Make(options)->Select(pool, 40, ScoringContext(), 2);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->stage_names.back(), "zero_set_draw");
  ASSERT_TRUE(a.ok() && b.ok());
  std::set<std::string> za, zb;
  for (const auto& image : a->images) if (image.from_zero_set) za.insert(image.image_id);
  for (const auto& image : b->images) if (image.from_zero_set) zb.insert(image.image_id);
  EXPECT_EQ(za.size(), 6u);
  EXPECT_NE(za, zb);
}

TEST(HualeSelect, ZeroSetSliceTakesTheLowestMaxScoresFirst) {
  // b = 40: floor(0.15 * 40) = 6 from Z. Z's max scores 0.49, 0.48, ... 0.00 by
  // id (zero0 highest): the slice is zero49 .. zero44, least confident first,
  // whatever the seed.
  std::vector<ImageScore> pool = RandomPool(100, 50);
  for (size_t i = 100; i < pool.size(); ++i) pool[i].max_score = 0.01 * (149 - i);
  for (uint64_t seed : {1, 2}) {
    auto selection = Make()->Select(pool, 40, ScoringContext(), seed);
    ASSERT_TRUE(selection.ok()) << selection.status();
    EXPECT_EQ(selection->stage_names.back(), "zero_set_lowest_max_score");
    std::vector<std::string> zero;
    std::vector<double> scores;
    for (const auto& image : selection->images) {
      if (!image.from_zero_set) continue;
      zero.push_back(image.image_id);
      scores.push_back(image.score);
    }
    EXPECT_THAT(zero, ElementsAre("zero49", "zero48", "zero47", "zero46", "zero45", "zero44"));
    EXPECT_THAT(scores, ::testing::Pointwise(::testing::DoubleNear(1e-12),
                                             {0.0, 0.01, 0.02, 0.03, 0.04, 0.05}));
  }
}

TEST(HualeScore, MaxScoreIsTheHighestDetectionScoreOverBothViews) {
  ScoringContext context;
  context.num_classes = 2;
  const ImageScore score = Make()->Score(
      View("z", {Det({0, 0, 10, 10}, 0, 0.3f, {0.6f, 0.3f, 0.1f})}),
      View("z", {Det({0, 0, 10, 10}, 1, 0.4f, {0.5f, 0.1f, 0.4f})}), context);
  EXPECT_TRUE(score.in_zero_set);
  EXPECT_NEAR(score.max_score, 0.4, 1e-6);
  EXPECT_EQ(Make()->Score(View("e", {}), View("e", {}), context).max_score, 0.0);
}

TEST(HualeSpec, RejectsBadOptions) {
  AcquisitionSpec spec;
  spec.set_name("huale");
  spec.mutable_huale()->set_retrieval_ratio(0.5);
  EXPECT_FALSE(AcquisitionRegistry::Get().Create("huale", spec).ok());
  spec.mutable_huale()->set_retrieval_ratio(3);
  spec.mutable_huale()->set_zero_set_share(1.5);
  EXPECT_FALSE(AcquisitionRegistry::Get().Create("huale", spec).ok());
  spec.mutable_huale()->set_zero_set_share(0.15);
  spec.mutable_huale()->set_lc_min_side(-1);
  EXPECT_THAT(std::string(AcquisitionRegistry::Get().Create("huale", spec).status().message()),
              ::testing::HasSubstr("HualeOptions.lc_min_side"));
  spec.mutable_huale()->set_lc_min_side(0);
  // HUA's options are checked, and read only under HUA retrieval.
  spec.mutable_huale()->mutable_hua()->set_object_score(1.5);
  spec.mutable_huale()->set_retrieval(HualeOptions::HUA_AGGREGATION);
  EXPECT_THAT(std::string(AcquisitionRegistry::Get().Create("huale", spec).status().message()),
              ::testing::HasSubstr("HualeOptions.hua.object_score"));
  spec.mutable_huale()->mutable_hua()->set_object_score(0.3);
  EXPECT_TRUE(AcquisitionRegistry::Get().Create("huale", spec).ok());
  spec.mutable_huale()->set_retrieval(HualeOptions::ENTROPY);
  EXPECT_THAT(std::string(AcquisitionRegistry::Get().Create("huale", spec).status().message()),
              ::testing::HasSubstr("HUA_AGGREGATION"));
  AcquisitionSpec wrong;
  wrong.set_name("huale");
  wrong.mutable_cald();
  auto status = AcquisitionRegistry::Get().Create("huale", wrong).status();
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("'cald'"));
}

}  // namespace
}  // namespace huale
