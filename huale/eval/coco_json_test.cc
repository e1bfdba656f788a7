// COCO JSON loading: the join rules of pycocotools' COCO/loadRes and clear
// errors on bad input.
#include "huale/eval/coco_json.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "huale/eval/coco_eval.h"

namespace huale {
namespace {

using ::testing::HasSubstr;

constexpr char kGroundTruth[] = R"({
  "images": [{"id": 5, "width": 100, "height": 80, "file_name": "5.jpg"},
             {"id": 3, "width": 100, "height": 80}],
  "categories": [{"id": 9, "name": "dog"}, {"id": 2, "name": "cat"}],
  "annotations": [
    {"id": 1, "image_id": 5, "category_id": 9, "bbox": [10, 10, 40, 40], "area": 1500, "iscrowd": 0},
    {"id": 2, "image_id": 3, "category_id": 2, "bbox": [0, 0, 20, 20], "area": 400},
    {"id": 3, "image_id": 77, "category_id": 2, "bbox": [0, 0, 20, 20], "area": 400},
    {"id": 4, "image_id": 3, "category_id": 2, "bbox": [50, 50, 30, 30], "area": 900, "iscrowd": 1}
  ]})";

CocoGroundTruthFile GroundTruth() {
  auto gt = ParseCocoGroundTruth(kGroundTruth, "gt.json");
  EXPECT_TRUE(gt.ok()) << gt.status();
  return gt.ok() ? *gt : CocoGroundTruthFile();
}

TEST(CocoJson, JoinOrdersCategoriesByIdAndLeavesOutGroundTruthOnUnknownImages) {
  auto results = ParseCocoResults(
      R"([{"image_id": 5, "category_id": 9, "bbox": [10, 10, 40, 40], "score": 0.9}])", "dt");
  ASSERT_TRUE(results.ok()) << results.status();
  auto data = JoinCocoEvalData(GroundTruth(), *results);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->category_ids, (std::vector<int64_t>{2, 9}));
  EXPECT_EQ(data->category_names, (std::vector<std::string>{"cat", "dog"}));
  ASSERT_EQ(data->images.size(), 2u);
  EXPECT_EQ(data->images[0].ground_truth.size(), 1u);  // image 5: the dog
  EXPECT_EQ(data->images[0].ground_truth[0].category, 1);
  EXPECT_EQ(data->images[1].ground_truth.size(), 2u);  // image 3: cat and crowd; 77 dropped
  EXPECT_TRUE(data->images[1].ground_truth[1].crowd);
  EXPECT_EQ(data->images[0].detections.size(), 1u);
}

TEST(CocoJson, ToDatasetKeepsCategoryIdsAndXyxyBoxes) {
  const Dataset dataset = ToDataset(GroundTruth());
  EXPECT_EQ(dataset.category_ids, (std::vector<int64_t>{2, 9}));
  ASSERT_EQ(dataset.images.size(), 2u);
  EXPECT_EQ(dataset.images[0].id, "5");
  EXPECT_EQ(dataset.images[0].annotations[0].box, (Box{10, 10, 50, 50}));
  EXPECT_EQ(dataset.images[0].annotations[0].area, 1500);
  EXPECT_TRUE(dataset.images[1].annotations[1].crowd);
}

TEST(CocoJsonBadInput, ResultsForUnknownImageAreAnError) {
  auto results = ParseCocoResults(
      R"([{"image_id": 99, "category_id": 9, "bbox": [1, 1, 4, 4], "score": 0.5}])", "dt");
  ASSERT_TRUE(results.ok());
  auto data = JoinCocoEvalData(GroundTruth(), *results);
  EXPECT_EQ(data.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(data.status().message(), HasSubstr("image_id 99 is not an image"));
  EXPECT_THAT(ToImageDetections(*results, ToDataset(GroundTruth())).status().message(),
              HasSubstr("image_id 99"));
}

TEST(CocoJsonBadInput, ResultsForUnknownCategoryAreLeftOutAndCounted) {
  auto results = ParseCocoResults(
      R"([{"image_id": 5, "category_id": 9, "bbox": [10, 10, 40, 40], "score": 0.9},
          {"image_id": 5, "category_id": 4, "bbox": [10, 10, 40, 40], "score": 0.95}])",
      "dt");
  ASSERT_TRUE(results.ok());
  int64_t dropped = 0;
  auto data = JoinCocoEvalData(GroundTruth(), *results, &dropped);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(dropped, 1);
  EXPECT_EQ(data->images[0].detections.size(), 1u);
}

TEST(CocoJsonBadInput, NanIsNotJsonAndSaysSo) {
  auto results = ParseCocoResults(
      R"([{"image_id": 5, "category_id": 9, "bbox": [1, 1, 4, 4], "score": NaN}])", "dt.json");
  EXPECT_EQ(results.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(results.status().message(), HasSubstr("dt.json: not valid JSON at line 1, column "));
  EXPECT_THAT(results.status().message(), HasSubstr("NaN"));
}

TEST(CocoJsonBadInput, NegativeWidthNamesTheEntry) {
  auto results = ParseCocoResults(
      R"([{"image_id": 5, "category_id": 9, "bbox": [1, 1, 4, 4], "score": 0.5},
          {"image_id": 5, "category_id": 9, "bbox": [1, 1, -4, 4], "score": 0.5}])",
      "dt.json");
  EXPECT_THAT(results.status().message(), HasSubstr("dt.json: [1].bbox"));
  EXPECT_THAT(results.status().message(), HasSubstr("width and height >= 0, found -4 x 4"));
}

TEST(CocoJsonBadInput, MalformedFieldsNameTheElementAndWhatWasFound) {
  EXPECT_THAT(ParseCocoGroundTruth(R"({"categories": []})", "gt.json").status().message(),
              HasSubstr("missing field \"images\""));
  EXPECT_THAT(ParseCocoResults(R"([{"image_id": 5, "category_id": 9, "bbox": [1, 1, 4],
                                    "score": 0.5}])", "dt").status().message(),
              HasSubstr("[0].bbox: expected 4 numbers"));
  EXPECT_THAT(ParseCocoResults(R"([{"image_id": 5, "category_id": "x", "bbox": [1, 1, 4, 4],
                                    "score": 0.5}])", "dt").status().message(),
              HasSubstr("[0].category_id: expected an integer, found a string"));
  EXPECT_THAT(ParseCocoResults(R"({"image_id": 5})", "dt").status().message(),
              HasSubstr("expected an array, found an object"));
  auto named = ParseCocoResults(
      R"([{"image_id": "000005", "category_id": 9, "bbox": [1, 1, 4, 4], "score": 0.5}])", "dt");
  ASSERT_TRUE(named.ok());
  EXPECT_THAT(JoinCocoEvalData(GroundTruth(), *named).status().message(),
              HasSubstr("expected an integer image_id, found \"000005\""));
  EXPECT_EQ(LoadCocoResults("/nonexistent/dt.json").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(CocoJsonBadInput, EmptyResultsAndEmptyGroundTruthEvaluate) {
  auto none = ParseCocoResults("[]", "dt");
  ASSERT_TRUE(none.ok()) << none.status();
  auto data = JoinCocoEvalData(GroundTruth(), *none);
  ASSERT_TRUE(data.ok());
  auto summary = EvaluateCoco(*data);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->stats[0], 0.0);  // objects exist, nothing detected

  auto empty_gt = ParseCocoGroundTruth(R"({"images": [{"id": 1}], "categories": [{"id": 1}]})",
                                       "gt");
  ASSERT_TRUE(empty_gt.ok()) << empty_gt.status();
  auto results = ParseCocoResults(
      R"([{"image_id": 1, "category_id": 1, "bbox": [1, 1, 4, 4], "score": 0.5}])", "dt");
  auto no_objects = JoinCocoEvalData(*empty_gt, *results);
  ASSERT_TRUE(no_objects.ok());
  auto undefined = EvaluateCoco(*no_objects);
  ASSERT_TRUE(undefined.ok());
  for (double v : undefined->stats) EXPECT_EQ(v, -1.0);
}

TEST(CocoJson, WrittenResultsReadBackWithCategoryIds) {
  const Dataset dataset = ToDataset(GroundTruth());
  ImageDetections image;
  image.image_id = "5";
  Detection d;
  d.box = Box{10.5, 10, 50.25, 50};
  d.label = 1;  // category id 9
  d.score = 0.75f;
  image.detections = {d};
  const std::string path = absl::StrCat(std::getenv("TEST_TMPDIR"), "/results.json");
  ASSERT_TRUE(WriteCocoResults(path, dataset, {image}).ok());
  auto results = LoadCocoResults(path);
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), 1u);
  EXPECT_EQ((*results)[0].image_id, 5);
  EXPECT_EQ((*results)[0].category_id, 9);
  EXPECT_EQ((*results)[0].x, 10.5);
  EXPECT_EQ((*results)[0].w, 39.75);
  EXPECT_EQ((*results)[0].score, 0.75);
}

}  // namespace
}  // namespace huale
