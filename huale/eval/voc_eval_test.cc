// VOC AP on a fixture whose expected values are derived by hand below.
#include "huale/eval/voc_eval.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "huale/eval/evaluator.h"

namespace huale {
namespace {

using ::testing::HasSubstr;

enum { kCat, kDog, kBird, kFish };

Annotation Object(int label, Box box, bool difficult = false) {
  Annotation a;
  a.box = box;
  a.label = label;
  a.difficult = difficult;
  return a;
}

Detection Det(int label, Box box, float score) {
  Detection d;
  d.box = box;
  d.label = label;
  d.score = score;
  return d;
}

// Image "a": cats A1 [0,0,9,9], A2 [20,0,29,9]; dog D1 [0,20,9,29].
// Image "b": only a difficult cat B1 [0,0,9,9].
// Image "c": cat C1 [0,0,19,19]; bird [50,50,59,59].
// Fish: no object anywhere.
Dataset Fixture() {
  Dataset d;
  d.class_names = {"cat", "dog", "bird", "fish"};
  ImageRecord a{"a", "", 100, 100, {}};
  a.annotations = {Object(kCat, {0, 0, 9, 9}), Object(kCat, {20, 0, 29, 9}),
                   Object(kDog, {0, 20, 9, 29})};
  ImageRecord b{"b", "", 100, 100, {Object(kCat, {0, 0, 9, 9}, /*difficult=*/true)}};
  ImageRecord c{"c", "", 100, 100, {}};
  c.annotations = {Object(kCat, {0, 0, 19, 19}), Object(kBird, {50, 50, 59, 59})};
  d.images = {a, b, c};
  return d;
}

// Cat (3 positives: A1, A2, C1; B1 is difficult), in score order:
//   1. a [0,0,9,9]    0.9  IoU 1 with A1            TP   rec 1/3 prec 1
//   2. b [0,0,9,9]    0.8  best match is difficult  --   rec 1/3 prec 1
//   3. a [0,0,9,9]    0.7  A1 already detected      FP   rec 1/3 prec 1/2
//   4. c [0,0,19,19]  0.7  C1 (tie with 3: input    TP   rec 2/3 prec 2/3
//                          order, image a before c)
//   5. a [40,40,49,49] 0.6 overlaps nothing         FP   rec 2/3 prec 1/2
//   6. a [20,0,29,9]  0.5  A2                       TP   rec 1   prec 3/5
// 11-point: t = 0 .. 0.3 -> max prec = 1 (4 points); t = 0.4 .. 0.6 -> rows 4-6,
//   max 2/3 (3 points); t = 0.7 .. 1.0 -> row 6, 3/5 (4 points):
//   AP = (4 + 3 * 2/3 + 4 * 3/5) / 11 = 8.4 / 11.
// Area: envelope 1 on (0, 1/3], 2/3 on (1/3, 2/3], 3/5 on (2/3, 1]:
//   AP = 1/3 + 2/9 + 1/5 = 34/45. (Had the tie gone c before a: 13/15.)
//
// Dog (1 positive): 0.95 in image b, which has no dog -> FP; then
//   [0,20,9,24.5] 0.3 on D1: with +1 pixels IoU = 10 * 5.5 / (100 + 55 - 55) =
//   0.55 > 0.5 -> TP (without the +1 it would be 9 * 4.5 / 81 = 0.5, not > 0.5).
//   rec [0, 1], prec [0, 1/2]: AP = 1/2 by both methods.
// Bird (1 positive, no detection): AP 0. Fish (no object, one detection): absent.
std::vector<ImageDetections> FixtureDetections() {
  ImageDetections a{"a", 100, 100, {}};
  a.detections = {Det(kCat, {0, 0, 9, 9}, 0.9f), Det(kCat, {0, 0, 9, 9}, 0.7f),
                  Det(kCat, {40, 40, 49, 49}, 0.6f), Det(kCat, {20, 0, 29, 9}, 0.5f),
                  Det(kDog, {0, 20, 9, 24.5}, 0.3f), Det(kFish, {0, 0, 5, 5}, 0.9f)};
  ImageDetections b{"b", 100, 100, {}};
  b.detections = {Det(kCat, {0, 0, 9, 9}, 0.8f), Det(kDog, {0, 0, 9, 9}, 0.95f)};
  ImageDetections c{"c", 100, 100, {Det(kCat, {0, 0, 19, 19}, 0.7f)}};
  // Image c listed first: input order among images follows the dataset, not this list.
  return {c, a, b};
}

TEST(VocEval, ElevenPointApMatchesHandDerivation) {
  auto summary = EvaluateVoc(Fixture(), FixtureDetections(), VocApMethod::kElevenPoint);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_NEAR(summary->per_class[kCat].ap, 8.4 / 11, 1e-12);
  EXPECT_NEAR(summary->per_class[kDog].ap, 0.5, 1e-12);
  EXPECT_EQ(summary->per_class[kBird].ap, 0.0);
  EXPECT_EQ(summary->per_class[kFish].ap, -1.0);
  EXPECT_EQ(summary->per_class[kCat].num_positives, 3);
  EXPECT_EQ(summary->per_class[kCat].true_positives, 3);
  EXPECT_NEAR(summary->mean_ap, (8.4 / 11 + 0.5 + 0.0) / 3, 1e-12);
}

TEST(VocEval, AreaApMatchesHandDerivation) {
  auto summary = EvaluateVoc(Fixture(), FixtureDetections(), VocApMethod::kArea);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_NEAR(summary->per_class[kCat].ap, 34.0 / 45, 1e-12);
  EXPECT_NEAR(summary->per_class[kDog].ap, 0.5, 1e-12);
  EXPECT_EQ(summary->per_class[kBird].ap, 0.0);
  EXPECT_NEAR(summary->mean_ap, (34.0 / 45 + 0.5) / 3, 1e-12);
}

TEST(VocEval, RegisteredEvaluatorsReportMapAndLeaveOutClassesWithoutObjects) {
  for (const char* name : {"voc07", "voc_area"}) {
    SCOPED_TRACE(name);
    auto evaluator = EvaluatorRegistry::Get().Create(name, EvaluationSpec());
    ASSERT_TRUE(evaluator.ok()) << evaluator.status();
    auto result = (*evaluator)->Evaluate(Fixture(), FixtureDetections());
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->primary_metric, "mAP");
    EXPECT_EQ(result->per_class_ap.count("fish"), 0u);
    EXPECT_EQ(result->per_class_ap.size(), 3u);
    EXPECT_NEAR(result->metrics.at("mAP"),
                std::string(name) == "voc07" ? (8.4 / 11 + 0.5) / 3 : (34.0 / 45 + 0.5) / 3,
                1e-12);
  }
}

TEST(VocEval, ElevenPointUsesNumpyArangeThresholds) {
  // Recall 0.3 exactly is below numpy's 3 * 0.1 = 0.30000000000000004, so the
  // precision 1 at recall 0.3 does not count at t = 0.3: points t = 0, .1, .2
  // read 1, t = .3 ... 1 read 0 -> AP = 3/11.
  EXPECT_NEAR(VocAveragePrecision({0.3}, {1.0}, VocApMethod::kElevenPoint), 3.0 / 11, 1e-15);
  // Area: recall 0.3 at precision 1 -> 0.3.
  EXPECT_NEAR(VocAveragePrecision({0.3}, {1.0}, VocApMethod::kArea), 0.3, 1e-15);
  EXPECT_EQ(VocAveragePrecision({}, {}, VocApMethod::kArea), 0.0);
}

TEST(VocEval, ScoreThresholdDropsLowDetections) {
  // Without the 0.3 dog detection the dog class has only its false positive.
  auto summary =
      EvaluateVoc(Fixture(), FixtureDetections(), VocApMethod::kArea, /*score_threshold=*/0.4);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->per_class[kDog].ap, 0.0);
  EXPECT_NEAR(summary->per_class[kCat].ap, 34.0 / 45, 1e-12);
}

TEST(VocEvalBadInput, EmptyDetectionsGiveZeroApForClassesWithObjects) {
  auto summary = EvaluateVoc(Fixture(), {}, VocApMethod::kElevenPoint);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->mean_ap, 0.0);
}

TEST(VocEvalBadInput, EmptyGroundTruthGivesMinusOne) {
  Dataset empty;
  empty.class_names = {"cat"};
  empty.images.push_back(ImageRecord{"a", "", 10, 10, {}});
  ImageDetections a{"a", 10, 10, {Det(0, {0, 0, 4, 4}, 0.5f)}};
  auto summary = EvaluateVoc(empty, {a}, VocApMethod::kArea);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->mean_ap, -1.0);
  EXPECT_EQ(summary->per_class[0].num_detections, 1);
}

TEST(VocEvalBadInput, RejectsUnknownImageLabelNanAndInvertedBoxes) {
  ImageDetections unknown{"zzz", 1, 1, {}};
  EXPECT_THAT(EvaluateVoc(Fixture(), {unknown}, VocApMethod::kArea).status().message(),
              HasSubstr("'zzz'"));
  ImageDetections bad{"a", 100, 100, {Det(7, {0, 0, 9, 9}, 0.5f)}};
  EXPECT_THAT(EvaluateVoc(Fixture(), {bad}, VocApMethod::kArea).status().message(),
              HasSubstr("label 7"));
  bad.detections[0] = Det(kCat, {0, 0, 9, 9}, std::numeric_limits<float>::quiet_NaN());
  EXPECT_THAT(EvaluateVoc(Fixture(), {bad}, VocApMethod::kArea).status().message(),
              HasSubstr("finite"));
  bad.detections[0] = Det(kCat, {0, std::nan(""), 9, 9}, 0.5f);
  EXPECT_THAT(EvaluateVoc(Fixture(), {bad}, VocApMethod::kArea).status().message(),
              HasSubstr("finite"));
  bad.detections[0] = Det(kCat, {9, 0, 0, 9}, 0.5f);  // negative width
  EXPECT_THAT(EvaluateVoc(Fixture(), {bad}, VocApMethod::kArea).status().message(),
              HasSubstr("x2 >= x1"));
}

}  // namespace
}  // namespace huale
