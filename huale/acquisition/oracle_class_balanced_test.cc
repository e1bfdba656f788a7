// "oracle_class_balanced" on a hand-built pool: the greedy of the file comment,
// derived by hand below.
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "glog/logging.h"
#include "gtest/gtest.h"
#include "huale/acquisition/acquisition_function.h"
#include "huale/core/registry.h"

namespace huale {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kName[] = "oracle_class_balanced";

std::unique_ptr<AcquisitionFunction> Make() {
  AcquisitionSpec spec;
  spec.set_name(kName);
  auto fn = AcquisitionRegistry::Get().Create(kName, spec);
  CHECK(fn.ok()) << fn.status();
  return std::move(*fn);
}

// C = 3; labelled: class 0 5 boxes, class 1 none, class 2 two.
ScoringContext HandContext() {
  ScoringContext context;
  context.num_classes = 3;
  context.labelled_class_counts = {5, 0, 2};
  context.ground_truth_class_counts = {{"a", {3, 0, 0}}, {"b", {0, 1, 0}}, {"c", {0, 2, 1}},
                                       {"d", {0, 0, 3}}, {"f", {0, 2, 0}}};
  return context;
}

std::vector<ImageScore> ScoreAll(const AcquisitionFunction& fn, const ScoringContext& context) {
  std::vector<ImageScore> pool;
  for (const char* id : {"f", "e", "d", "c", "b", "a"}) {
    ImageDetections none;
    none.image_id = id;
    pool.push_back(fn.Score(none, none, context));
  }
  return pool;
}

std::vector<std::string> Ids(const Selection& s) {
  std::vector<std::string> ids;
  for (const auto& image : s.images) ids.push_back(image.image_id);
  return ids;
}

TEST(OracleClassBalanced, IsAnOracleOnGroundTruthWithoutDetections) {
  auto fn = Make();
  EXPECT_FALSE(fn->needs_detections());
  EXPECT_TRUE(fn->needs_ground_truth());
  bool found = false;
  for (const ComponentInfo& info : AllRegisteredComponents()) {
    if (info.name != kName) continue;
    found = true;
    EXPECT_THAT(info.description, HasSubstr("ORACLE"));
  }
  EXPECT_TRUE(found);
  AcquisitionSpec with_options;
  with_options.set_name(kName);
  with_options.mutable_huale();
  EXPECT_FALSE(AcquisitionRegistry::Get().Create(kName, with_options).ok());
}

TEST(OracleClassBalanced, ScoresTheGroundTruthBoxCount) {
  auto fn = Make();
  const std::vector<ImageScore> pool = ScoreAll(*fn, HandContext());
  EXPECT_EQ(pool[0].image_id, "f");
  EXPECT_THAT(pool[0].metrics, ElementsAre(2.0));
  EXPECT_TRUE(pool[1].in_zero_set);  // "e": no ground truth
  EXPECT_FALSE(pool[2].in_zero_set);
}

TEST(OracleClassBalanced, PicksTheMostBoxesOfTheLeastRepresentedClassesGreedily) {
  // n = (5, 0, 2). Pick 1: class order 1, 2, 0; most class-1 boxes: c and f (2),
  //   tie broken by class 2: c (1 > 0). n = (5, 2, 3).
  // Pick 2: order 1, 2, 0: f (2 of class 1). n = (5, 4, 3).
  // Pick 3: order 2, 1, 0: d (3 of class 2). n = (5, 4, 6).
  // Pick 4: order 1, 0, 2: b (1 of class 1). n = (5, 5, 6).
  // Pick 5: order 0, 1, 2 (5 = 5: lower index first): a (3). Then e, which has no
  // ground truth, only to fill.
  auto fn = Make();
  const ScoringContext context = HandContext();
  ASSERT_TRUE(context.Validate().ok());
  for (uint64_t seed : {1, 2, 3}) {
    auto three = fn->Select(ScoreAll(*fn, context), 3, context, seed);
    ASSERT_TRUE(three.ok()) << three.status();
    EXPECT_THAT(Ids(*three), ElementsAre("c", "f", "d"));
    EXPECT_EQ(three->images[0].score, 2);
    EXPECT_EQ(three->images[2].score, 3);
    EXPECT_THAT(three->images[1].stage_ranks, ElementsAre(2, 0));
    auto all = fn->Select(ScoreAll(*fn, context), 6, context, seed);
    ASSERT_TRUE(all.ok()) << all.status();
    EXPECT_THAT(Ids(*all), ElementsAre("c", "f", "d", "b", "a", "e"));
    EXPECT_TRUE(all->images[5].from_zero_set);
    EXPECT_FALSE(all->images[4].from_zero_set);
  }
}

TEST(OracleClassBalanced, StartsFromTheLabelledCounts) {
  // Class 2 now the rarest (n = (5, 9, 0)): d first (3 of class 2), then c.
  auto fn = Make();
  ScoringContext context = HandContext();
  context.labelled_class_counts = {5, 9, 0};
  auto two = fn->Select(ScoreAll(*fn, context), 2, context, 1);
  ASSERT_TRUE(two.ok()) << two.status();
  EXPECT_THAT(Ids(*two), ElementsAre("d", "c"));
}

TEST(ScoringContext, ValidateRejectsNegativeGroundTruthCounts) {
  ScoringContext context = HandContext();
  context.ground_truth_class_counts["a"] = {1, -1, 0};
  EXPECT_THAT(std::string(context.Validate().message()), HasSubstr("'a'"));
  context = HandContext();
  context.labelled_class_counts = {-2, 0, 0};
  EXPECT_FALSE(context.Validate().ok());
}

}  // namespace
}  // namespace huale
