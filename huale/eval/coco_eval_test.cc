// COCO evaluation against the reference: every case in testdata/coco_eval
// (copied from shared/fixtures/coco_eval, produced by pycocotools 2.0.11) must
// give the reference's twelve numbers to 1e-9. Plus small hand-derived cases for
// single rules and the bad-input contract.
#include "huale/eval/coco_eval.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "huale/eval/coco_json.h"
#include "huale/eval/evaluator.h"
#include "simdjson.h"

namespace huale {
namespace {

using ::testing::HasSubstr;

constexpr char kFixtureDir[] = "huale/eval/testdata/coco_eval";

std::vector<std::string> FixtureCases() {
  std::vector<std::string> cases;
  for (const auto& entry : std::filesystem::directory_iterator(kFixtureDir)) {
    const std::string name = entry.path().filename().string();
    const std::string suffix = "_expected.json";
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      cases.push_back(name.substr(0, name.size() - suffix.size()));
    }
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

std::string FixturePath(const std::string& name, const std::string& kind) {
  return absl::StrCat(kFixtureDir, "/", name, "_", kind, ".json");
}

// The expected numbers, as pycocotools wrote them.
std::map<std::string, double> LoadExpected(const std::string& path) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  EXPECT_EQ(parser.load(path).get(object), simdjson::SUCCESS) << path;
  std::map<std::string, double> expected;
  for (auto [key, value] : object) {
    double v;
    EXPECT_EQ(value.get(v), simdjson::SUCCESS) << path << " " << key;
    expected[std::string(key)] = v;
  }
  return expected;
}

void ExpectMatchesReference(const std::map<std::string, double>& metrics,
                            const std::map<std::string, double>& expected) {
  ASSERT_EQ(expected.size(), 12u);
  for (const char* name : kCocoMetricNames) {
    ASSERT_TRUE(expected.count(name)) << name;
    ASSERT_TRUE(metrics.count(name)) << name;
    EXPECT_NEAR(metrics.at(name), expected.at(name), 1e-9) << name;
  }
}

TEST(CocoEval, MatchesEveryReferenceFixtureTo1e9) {
  const std::vector<std::string> cases = FixtureCases();
  ASSERT_GE(cases.size(), 8u);
  for (const std::string& name : cases) {
    SCOPED_TRACE(name);
    auto gt = LoadCocoGroundTruth(FixturePath(name, "gt"));
    ASSERT_TRUE(gt.ok()) << gt.status();
    auto dt = LoadCocoResults(FixturePath(name, "dt"));
    ASSERT_TRUE(dt.ok()) << dt.status();
    auto data = JoinCocoEvalData(*gt, *dt);
    ASSERT_TRUE(data.ok()) << data.status();
    auto summary = EvaluateCoco(*data);
    ASSERT_TRUE(summary.ok()) << summary.status();
    ExpectMatchesReference(ToEvaluationResult(*data, *summary).metrics,
                           LoadExpected(FixturePath(name, "expected")));
  }
}

// The same fixtures through the registered evaluator and huale's own types
// (Dataset, ImageDetections with float scores and xyxy boxes).
TEST(CocoEval, RegisteredEvaluatorMatchesReferenceFixtures) {
  EvaluationSpec spec;
  spec.set_metric("coco");
  auto evaluator = EvaluatorRegistry::Get().Create("coco", spec);
  ASSERT_TRUE(evaluator.ok()) << evaluator.status();
  for (const std::string& name : FixtureCases()) {
    SCOPED_TRACE(name);
    auto gt = LoadCocoGroundTruth(FixturePath(name, "gt"));
    ASSERT_TRUE(gt.ok()) << gt.status();
    auto dt = LoadCocoResults(FixturePath(name, "dt"));
    ASSERT_TRUE(dt.ok()) << dt.status();
    const Dataset dataset = ToDataset(*gt);
    auto detections = ToImageDetections(*dt, dataset);
    ASSERT_TRUE(detections.ok()) << detections.status();
    auto result = (*evaluator)->Evaluate(dataset, *detections);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->primary_metric, "AP");
    ExpectMatchesReference(result->metrics, LoadExpected(FixturePath(name, "expected")));
  }
}

// --- Hand-derived cases -----------------------------------------------------

CocoEvalData OneCategory() {
  CocoEvalData data;
  data.category_ids = {7};
  data.category_names = {"thing"};
  return data;
}

CocoGroundTruthObject Gt(int64_t id, double x, double y, double w, double h,
                         bool crowd = false) {
  return CocoGroundTruthObject{id, 0, x, y, w, h, w * h, crowd};
}

CocoDetectionObject Dt(double x, double y, double w, double h, double score) {
  return CocoDetectionObject{0, x, y, w, h, score};
}

std::array<double, 12> Stats(const CocoEvalData& data) {
  auto summary = EvaluateCoco(data);
  EXPECT_TRUE(summary.ok()) << summary.status();
  return summary.ok() ? summary->stats : std::array<double, 12>{};
}

enum { kAP, kAP50, kAP75, kAPs, kAPm, kAPl, kAR1, kAR10, kAR100, kARs, kARm, kARl };

TEST(CocoEval, PerfectDetectionOfOneMediumObjectScoresOneAndMinusOneElsewhere) {
  CocoEvalData data = OneCategory();
  data.images.push_back({1, {Gt(1, 0, 0, 40, 40)}, {Dt(0, 0, 40, 40, 0.9)}});
  const auto s = Stats(data);
  // Precision 1 at all 101 recall points and 10 thresholds (tp / (tp + fp + eps),
  // so 1 - 2e-16 as in the reference); 40*40 = 1600 is medium.
  EXPECT_NEAR(s[kAP], 1.0, 1e-12);
  EXPECT_NEAR(s[kAPm], 1.0, 1e-12);
  EXPECT_EQ(s[kAR1], 1.0);
  // No small or large ground truth: undefined, -1 (the detection is medium too).
  EXPECT_EQ(s[kAPs], -1.0);
  EXPECT_EQ(s[kAPl], -1.0);
  EXPECT_EQ(s[kARs], -1.0);
}

TEST(CocoEval, DetectionOnACrowdIsIgnoredAndACrowdMatchesMany) {
  CocoEvalData data = OneCategory();
  // A regular object at (0,0,40,40) and a crowd region far away. Detections:
  // the object (0.9), then two inside the crowd (0.8, 0.7). Crowd IoU is
  // inter / area(dt) = 1 for a detection inside it, so both match the crowd and
  // are ignored: AP stays 1. Without the crowd rule they would be false positives.
  data.images.push_back({1,
                         {Gt(1, 0, 0, 40, 40), Gt(2, 100, 100, 200, 200, /*crowd=*/true)},
                         {Dt(0, 0, 40, 40, 0.9), Dt(110, 110, 40, 40, 0.8),
                          Dt(150, 150, 40, 40, 0.7)}});
  EXPECT_NEAR(Stats(data)[kAP], 1.0, 1e-12);
}

TEST(CocoEval, HigherScoredFalsePositiveHalvesPrecision) {
  CocoEvalData data = OneCategory();
  // A miss (0.9) above a hit (0.8), one object: precision at recall 1 is 1/2 at
  // every threshold, so every recall point reads 0.5 after the envelope.
  data.images.push_back(
      {1, {Gt(1, 0, 0, 40, 40)}, {Dt(200, 200, 40, 40, 0.9), Dt(0, 0, 40, 40, 0.8)}});
  const auto s = Stats(data);
  EXPECT_NEAR(s[kAP], 0.5, 1e-12);
  // AR@1 keeps only the best-scored detection per image: the miss, so 0.
  EXPECT_EQ(s[kAR1], 0.0);
  EXPECT_EQ(s[kAR10], 1.0);
}

TEST(CocoEval, IoUJustBelowAThresholdDoesNotMatchThere) {
  CocoEvalData data = OneCategory();
  // dt [0,0,40,30] inside gt [0,0,40,40]: IoU = 1200/1600 = 0.75, a match at
  // thresholds .50 ... .75 (6 of 10), not at .80 ... .95.
  data.images.push_back({1, {Gt(1, 0, 0, 40, 40)}, {Dt(0, 0, 40, 30, 0.9)}});
  const auto s = Stats(data);
  EXPECT_NEAR(s[kAP], 0.6, 1e-12);
  EXPECT_NEAR(s[kAP50], 1.0, 1e-12);
  EXPECT_NEAR(s[kAP75], 1.0, 1e-12);
  EXPECT_NEAR(s[kAR100], 0.6, 1e-12);
}

// --- Bad input ----------------------------------------------------------------

TEST(CocoEvalBadInput, EmptyGroundTruthGivesMinusOneEverywhere) {
  CocoEvalData data = OneCategory();
  data.images.push_back({1, {}, {Dt(0, 0, 10, 10, 0.5)}});
  for (double v : Stats(data)) EXPECT_EQ(v, -1.0);
  CocoEvalData nothing;
  for (double v : Stats(nothing)) EXPECT_EQ(v, -1.0);
}

TEST(CocoEvalBadInput, EmptyDetectionsGiveZeroWhereGroundTruthExists) {
  CocoEvalData data = OneCategory();
  data.images.push_back({1, {Gt(1, 0, 0, 40, 40)}, {}});
  const auto s = Stats(data);
  EXPECT_EQ(s[kAP], 0.0);
  EXPECT_EQ(s[kAPm], 0.0);
  EXPECT_EQ(s[kAR100], 0.0);
  EXPECT_EQ(s[kAPs], -1.0);  // no small ground truth
}

TEST(CocoEvalBadInput, NanScoreOrBoxIsAnError) {
  CocoEvalData data = OneCategory();
  data.images.push_back(
      {1, {Gt(1, 0, 0, 40, 40)}, {Dt(0, 0, 40, 40, std::numeric_limits<double>::quiet_NaN())}});
  auto summary = EvaluateCoco(data);
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(summary.status().message(), HasSubstr("finite"));
  data.images[0].detections[0] = Dt(std::nan(""), 0, 40, 40, 0.5);
  EXPECT_FALSE(EvaluateCoco(data).ok());
}

TEST(CocoEvalBadInput, NegativeWidthIsAnError) {
  CocoEvalData data = OneCategory();
  data.images.push_back({1, {Gt(1, 0, 0, 40, 40)}, {Dt(0, 0, -4, 40, 0.5)}});
  auto summary = EvaluateCoco(data);
  EXPECT_THAT(summary.status().message(), HasSubstr("width and height >= 0"));
}

TEST(CocoEvalBadInput, CategoryIndexOutOfRangeIsAnError) {
  CocoEvalData data = OneCategory();
  CocoDetectionObject d = Dt(0, 0, 4, 4, 0.5);
  d.category = 3;
  data.images.push_back({1, {}, {d}});
  EXPECT_THAT(EvaluateCoco(data).status().message(), HasSubstr("category index 3"));
}

Dataset TinyDataset() {
  Dataset dataset;
  dataset.class_names = {"cat", "dog"};
  dataset.category_ids = {17, 18};
  ImageRecord image;
  image.id = "42";
  Annotation a;
  a.box = Box{0, 0, 40, 40};
  a.label = 1;
  a.area = 1600;
  image.annotations.push_back(a);
  dataset.images.push_back(image);
  return dataset;
}

TEST(CocoEvalBadInput, RegisteredEvaluatorRejectsUnknownImagesLabelsAndNan) {
  auto evaluator = EvaluatorRegistry::Get().Create("coco", EvaluationSpec());
  ASSERT_TRUE(evaluator.ok());
  const Dataset dataset = TinyDataset();
  ImageDetections unknown_image;
  unknown_image.image_id = "43";
  auto result = (*evaluator)->Evaluate(dataset, {unknown_image});
  EXPECT_THAT(result.status().message(), HasSubstr("'43'"));

  ImageDetections bad;
  bad.image_id = "42";
  Detection d;
  d.box = Box{0, 0, 40, 40};
  d.label = 2;  // only labels 0 and 1 exist
  bad.detections = {d};
  EXPECT_THAT((*evaluator)->Evaluate(dataset, {bad}).status().message(), HasSubstr("label 2"));
  bad.detections[0].label = 1;
  bad.detections[0].score = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THAT((*evaluator)->Evaluate(dataset, {bad}).status().message(), HasSubstr("finite"));
  bad.detections[0].score = 0.5;
  bad.detections[0].box = Box{10, 0, 5, 40};  // x2 < x1
  EXPECT_THAT((*evaluator)->Evaluate(dataset, {bad}).status().message(), HasSubstr("x2 >= x1"));
  bad.detections[0].box = Box{0, 0, 40, 40};
  auto ok = (*evaluator)->Evaluate(dataset, {bad});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_NEAR(ok->metrics.at("AP"), 1.0, 1e-12);
  EXPECT_EQ(ok->per_class_ap.count("cat"), 0u);  // no ground truth: absent
  EXPECT_NEAR(ok->per_class_ap.at("dog"), 1.0, 1e-12);
}

TEST(CocoEvalBadInput, ScoreThresholdDropsLowDetections) {
  EvaluationSpec spec;
  spec.set_score_threshold(0.6f);
  auto evaluator = EvaluatorRegistry::Get().Create("coco", spec);
  ASSERT_TRUE(evaluator.ok());
  ImageDetections image;
  image.image_id = "42";
  Detection d;
  d.box = Box{0, 0, 40, 40};
  d.label = 1;
  d.score = 0.5;
  image.detections = {d};
  auto result = (*evaluator)->Evaluate(TinyDataset(), {image});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->metrics.at("AP"), 0.0);
}

}  // namespace
}  // namespace huale
