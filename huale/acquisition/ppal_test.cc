// "ppal" on hand-built detections and scores: the class difficulty, the
// category-conditioned similarity and the two stages of ppal.cc's comment,
// derived by hand below.
#include "huale/acquisition/ppal.h"

#include <cmath>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "huale/acquisition/acquisition_function.h"
#include "huale/acquisition/test_detections.h"

namespace huale {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using testing_internal::Det;
using testing_internal::Softmax;
using testing_internal::View;

std::unique_ptr<AcquisitionFunction> Make(const PpalOptions& options = {}) {
  AcquisitionSpec spec;
  spec.set_name("ppal");
  *spec.mutable_ppal() = options;
  auto fn = AcquisitionRegistry::Get().Create("ppal", spec);
  EXPECT_TRUE(fn.ok()) << fn.status();
  return fn.ok() ? std::move(*fn) : nullptr;
}

InstanceScore Instance(int label, double uncertainty, std::vector<float> feature) {
  return {label, 0.9f, uncertainty, std::move(feature)};
}


ImageScore Image(std::string id, std::vector<InstanceScore> instances) {
  ImageScore score{std::move(id), instances.empty(), {0.0}};
  for (const InstanceScore& i : instances) score.metrics[0] += i.uncertainty;
  score.instances = std::move(instances);
  return score;
}

std::vector<std::string> Ids(const Selection& selection) {
  std::vector<std::string> ids;
  for (const auto& image : selection.images) ids.push_back(image.image_id);
  return ids;
}

TEST(PpalClassQuality, MeanOverPositivesOfScoreAndIouPowers) {
  LabelledImageDetections image;
  image.truth_boxes = {{0, 0, 10, 10}, {100, 100, 120, 120}, {200, 200, 210, 210}};
  image.truth_labels = {0, 1, 0};
  // Positive for box 0 at IoU 0.5 (50 / 100 px^2), p_0 = 0.8:
  //   0.8^0.6 * 0.5^0.4. Positive for box 1 at IoU 1 whatever it predicts,
  // p_1 = 0.15 (Softmax(3, 0, 0.6, 0.1) spreads 0.3 over the other two classes):
  //   0.15^0.6. A detection at IoU 0.25 with box 2 is no positive.
  image.detections = View("l", {Det({0, 0, 10, 5}, 0, 0.8f, Softmax(3, 0, 0.8, 0.1)),
                                Det({100, 100, 120, 120}, 0, 0.6f, Softmax(3, 0, 0.6, 0.1)),
                                Det({200, 200, 205, 205}, 0, 0.9f, Softmax(3, 0, 0.9, 0.05))});
  const std::vector<double> q = PpalClassQuality({image}, 3, 0.6);
  ASSERT_EQ(q.size(), 3u);
  EXPECT_NEAR(q[0], std::pow(0.8, 0.6) * std::pow(0.5, 0.4), 1e-6);
  EXPECT_NEAR(q[1], std::pow(0.15, 0.6), 1e-6);
  EXPECT_EQ(q[2], 0.0);  // no positive
}

TEST(PpalDifficultyWeight, FromOneForAnEasyClassToOnePlusTheBound) {
  EXPECT_NEAR(PpalDifficultyWeight(1.0, 0.3, 0.2), 1.0, 1e-12);
  EXPECT_NEAR(PpalDifficultyWeight(0.0, 0.3, 0.2), 1.2, 1e-12);
  // q = 0.5: 1 + 0.06 * ln((e^(1/0.3) - 1) * 0.5 + 1).
  EXPECT_NEAR(PpalDifficultyWeight(0.5, 0.3, 0.2),
              1 + 0.06 * std::log((std::exp(1 / 0.3) - 1) * 0.5 + 1), 1e-12);
  EXPECT_LT(PpalDifficultyWeight(0.6, 0.3, 0.2), PpalDifficultyWeight(0.4, 0.3, 0.2));
}

TEST(PpalDistance, MeanOfTheScoreWeightedDirectedCategoryConditionedMatches) {
  // A -> B: class 0 matches at 1 - cos((1,0), (0.6,0.8)) = 0.4 with weight 0.9,
  // class 1 has no match in B (2) with weight 0.3: (0.36 + 0.6) / 1.2 = 0.8.
  // B -> A: 0.4. D = 0.6.
  const std::vector<InstanceScore> a = {{0, 0.9f, 0.1, {1, 0}}, {1, 0.3f, 0.1, {0, 1}}};
  const std::vector<InstanceScore> b = {{0, 0.5f, 0.1, {0.6f, 0.8f}}};
  EXPECT_NEAR(PpalDistance(a, b, 2.0), 0.6, 1e-6);
  EXPECT_NEAR(PpalDistance(b, a, 2.0), 0.6, 1e-6);
  EXPECT_NEAR(PpalDistance(a, a, 2.0), 0.0, 1e-6);
  // The nearest instance of the class counts.
  const std::vector<InstanceScore> c = {{0, 0.5f, 0.1, {1, 0}}, {0, 0.5f, 0.1, {0.6f, 0.8f}}};
  EXPECT_NEAR(PpalDistance(b, c, 2.0), 0.5 * (0.0 + 0.5 * (0.4 + 0.0)), 1e-6);
  EXPECT_EQ(PpalDistance({}, a, 1.5), 1.5);
  EXPECT_EQ(PpalDistance({}, {}, 1.5), 0.0);
}

TEST(Ppal, ScoreKeepsTheTopScoringInstancesWithUnitFeaturesAndTheirEntropy) {
  PpalOptions options;
  options.set_box_min_score(0.3f);
  options.set_max_instances(2);
  auto fn = Make(options);
  ASSERT_NE(fn, nullptr);
  // Kept: s >= 0.3, sqrt(w h) > 16 px, aspect < 5; the best two of those.
  std::vector<Detection> dets = {Det({0, 0, 20, 20}, 0, 0.4f),
                                 Det({0, 0, 20, 20}, 1, 0.9f),
                                 Det({0, 0, 30, 30}, 2, 0.2f),   // score
                                 Det({0, 0, 40, 40}, 2, 0.6f),
                                 Det({0, 0, 16, 16}, 1, 0.95f),  // side 16
                                 Det({0, 0, 100, 19}, 1, 0.95f)};  // aspect 5.3
  dets[1].feature = {3, 4};
  ScoringContext context;
  context.num_classes = 3;
  const ImageScore score = fn->Score(View("x", dets), View("x", {}), context);
  ASSERT_EQ(score.instances.size(), 2u);  // 0.9 and 0.6; 0.4 cut by max_instances
  EXPECT_EQ(score.instances[0].label, 1);
  EXPECT_EQ(score.instances[1].label, 2);
  EXPECT_THAT(score.instances[0].feature, ElementsAre(0.6f, 0.8f));
  EXPECT_FALSE(score.in_zero_set);
  // Binary entropy of the score, natural log.
  EXPECT_NEAR(score.instances[0].uncertainty, -(0.9 * std::log(0.9) + 0.1 * std::log(0.1)), 1e-6);
  EXPECT_NEAR(score.instances[1].uncertainty, -(0.6 * std::log(0.6) + 0.4 * std::log(0.4)), 1e-6);
  EXPECT_NEAR(score.metrics[0], score.instances[0].uncertainty + score.instances[1].uncertainty,
              1e-12);
  // The highest score of any detection (the zero set's order), kept or not.
  EXPECT_FLOAT_EQ(score.max_score, 0.95f);
  EXPECT_TRUE(fn->Score(View("e", {}), View("e", {}), context).in_zero_set);
}

// Stage 1: the class difficulty decides between an uncertain instance of an
// easy class and a slightly less uncertain one of a hard class.
TEST(Ppal, DifficultyCalibrationReordersTheUncertainty) {
  PpalOptions options;
  options.set_candidate_ratio(1);
  auto fn = Make(options);
  ASSERT_NE(fn, nullptr);
  ScoringContext context;
  context.num_classes = 2;
  // Class 0 is easy (found at IoU 1 with p = 1: Q = 1, w = 1), class 1 hard
  // (never found: Q = 0, w = 1.2).
  LabelledImageDetections labelled;
  labelled.truth_boxes = {{0, 0, 10, 10}, {20, 20, 30, 30}};
  labelled.truth_labels = {0, 1};
  labelled.detections = View("l", {Det({0, 0, 10, 10}, 0, 1.0f)});
  context.labelled_detections = {labelled};
  // U: easy 1 * 0.6 = 0.6; hard 1.2 * 0.55 = 0.66.
  const std::vector<ImageScore> pool = {Image("easy", {Instance(0, 0.6, {1, 0})}),
                                        Image("hard", {Instance(1, 0.55, {1, 0})})};
  auto selection = fn->Select(pool, 1, context, 7);
  ASSERT_TRUE(selection.ok()) << selection.status();
  EXPECT_THAT(Ids(*selection), ElementsAre("hard"));
  EXPECT_NEAR(selection->images[0].score, 0.66, 1e-6);
  // Without labelled detections every class is as hard (w = 1.2): 0.6 wins.
  context.labelled_detections.clear();
  selection = fn->Select(pool, 1, context, 7);
  ASSERT_TRUE(selection.ok());
  EXPECT_THAT(Ids(*selection), ElementsAre("easy"));
}

// Stage 2: a copy of a centre sits at distance 0 from it, so the k-centre
// start never takes both while a distinct candidate is left, whatever the
// seed; by uncertainty alone both copies would be picked.
TEST(Ppal, KMedoidsTakesOneOfTwoCopies) {
  PpalOptions options;
  options.set_candidate_ratio(1.5);
  auto fn = Make(options);
  ASSERT_NE(fn, nullptr);
  ScoringContext context;
  context.num_classes = 1;
  const std::vector<ImageScore> pool = {Image("a", {Instance(0, 0.9, {1, 0})}),
                                        Image("a_copy", {Instance(0, 0.8, {1, 0})}),
                                        Image("b", {Instance(0, 0.7, {0, 1})}),
                                        Image("low", {Instance(0, 0.1, {0, 1})})};
  std::set<std::string> firsts;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    auto selection = fn->Select(pool, 2, context, seed);
    ASSERT_TRUE(selection.ok()) << selection.status();
    // Candidates: ceil(1.5 * 2) = 3, so "low" is out.
    const std::vector<std::string> ids = Ids(*selection);
    ASSERT_EQ(ids.size(), 2u);
    EXPECT_EQ(ids[1], "b") << "seed " << seed;  // in stage-1 order
    EXPECT_THAT(ids[0], ::testing::AnyOf("a", "a_copy")) << "seed " << seed;
    firsts.insert(ids[0]);
    EXPECT_THAT(selection->stage_names, ElementsAre("dcus", "ccms_kmedoids", "zero_set_draw"));
  }
  EXPECT_EQ(firsts.size(), 2u);  // the seed decides which copy
}

// Three tight groups of candidates: the medoids are one per group, each the
// group's middle (the smallest summed distance), wherever k-centre started.
TEST(Ppal, MedoidsAreTheGroupsMiddles) {
  PpalOptions options;
  options.set_candidate_ratio(3);
  auto fn = Make(options);
  ASSERT_NE(fn, nullptr);
  ScoringContext context;
  context.num_classes = 1;
  const auto unit = [](double angle) {
    return std::vector<float>{static_cast<float>(std::cos(angle)),
                              static_cast<float>(std::sin(angle))};
  };
  std::vector<ImageScore> pool;
  const double centre[] = {0.0, 1.5, 3.0};  // radians, far apart
  for (int g = 0; g < 3; ++g) {
    for (int k = -1; k <= 1; ++k) {
      pool.push_back(Image(absl::StrCat("g", g, "_", k + 1),
                           {Instance(0, 0.5 + 0.01 * (3 * g + k + 1), unit(centre[g] + 0.05 * k))}));
    }
  }
  for (uint64_t seed = 0; seed < 10; ++seed) {
    auto selection = fn->Select(pool, 3, context, seed);
    ASSERT_TRUE(selection.ok()) << selection.status();
    EXPECT_THAT(Ids(*selection), UnorderedElementsAre("g0_1", "g1_1", "g2_1")) << seed;
  }
}

TEST(Ppal, ZeroSetFillsTheBudgetLast) {
  auto fn = Make();
  ASSERT_NE(fn, nullptr);
  ScoringContext context;
  context.num_classes = 1;
  const std::vector<ImageScore> pool = {Image("z1", {}), Image("x", {Instance(0, 0.5, {1, 0})}),
                                        Image("z2", {})};
  auto selection = fn->Select(pool, 3, context, 1);
  ASSERT_TRUE(selection.ok());
  ASSERT_EQ(selection->images.size(), 3u);
  EXPECT_EQ(selection->images[0].image_id, "x");
  EXPECT_THAT(Ids(*selection), UnorderedElementsAre("x", "z1", "z2"));
  EXPECT_TRUE(selection->images[1].from_zero_set);
}

TEST(Ppal, BadInstancesAndOptionsAreErrors) {
  auto fn = Make();
  ASSERT_NE(fn, nullptr);
  ScoringContext context;
  context.num_classes = 1;
  auto selection = fn->Select({Image("x", {Instance(3, 0.5, {1, 0})})}, 1, context, 1);
  ASSERT_FALSE(selection.ok());
  EXPECT_THAT(std::string(selection.status().message()), HasSubstr("'x'"));
  AcquisitionSpec spec;
  spec.set_name("ppal");
  spec.mutable_ppal()->set_candidate_ratio(0.5f);
  auto bad = AcquisitionRegistry::Get().Create("ppal", spec);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("candidate_ratio"));
}

}  // namespace
}  // namespace huale
