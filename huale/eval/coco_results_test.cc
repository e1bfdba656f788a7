// The one COCO results writer: what it writes reads back exactly, image ids keep
// their form, category ids come from the dataset.
#include "huale/eval/coco_results.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace huale {
namespace {

using ::testing::HasSubstr;

TEST(CocoResults, WrittenTextReadsBackExactly) {
  const float score = 0.1f;  // not a short decimal as a double
  const std::vector<CocoResult> written = {
      MakeCocoResult("42", 7, Box{1.0 / 3, 2, 10.125, 20}, score),
      MakeCocoResult("000005", 1, Box{0, 0, 1e-7, 3}, 1)};
  absl::StatusOr<std::vector<CocoResult>> read =
      ParseCocoResults(CocoResultsToJson(written), "results");
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), 2u);
  EXPECT_TRUE((*read)[0].image_id_is_integer);
  EXPECT_EQ((*read)[0].image_id, 42);
  EXPECT_EQ((*read)[0].category_id, 7);
  EXPECT_EQ((*read)[0].x, 1.0 / 3);
  EXPECT_EQ((*read)[0].w, 10.125 - 1.0 / 3);
  EXPECT_EQ(static_cast<float>((*read)[0].score), score);
  EXPECT_FALSE((*read)[1].image_id_is_integer);  // a VOC stem keeps its zeros
  EXPECT_EQ((*read)[1].image_name, "000005");
  EXPECT_EQ((*read)[1].w, 1e-7);
}

TEST(CocoResults, ImageIdIsAnIntegerOnlyWhenItReadsBackAsTheSameText) {
  const std::string json = CocoResultsToJson({MakeCocoResult("7", 1, Box{0, 0, 1, 1}, 0.5),
                                              MakeCocoResult("007", 1, Box{0, 0, 1, 1}, 0.5),
                                              MakeCocoResult("a b", 1, Box{0, 0, 1, 1}, 0.5)});
  EXPECT_THAT(json, HasSubstr("\"image_id\":7,"));
  EXPECT_THAT(json, HasSubstr("\"image_id\":\"007\""));
  EXPECT_THAT(json, HasSubstr("\"image_id\":\"a b\""));
  EXPECT_EQ(CocoResultsToJson({}), "[]\n");
}

TEST(CocoResults, DatasetDetectionsTakeTheCategoryIdsOrLabelPlusOne) {
  Dataset coco;
  coco.class_names = {"cat", "dog"};
  coco.category_ids = {17, 18};
  ImageDetections image;
  image.image_id = "9";
  image.detections.resize(1);
  image.detections[0].label = 1;
  absl::StatusOr<std::vector<CocoResult>> results = ToCocoResults(coco, {image});
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_EQ((*results)[0].category_id, 18);
  Dataset voc = coco;
  voc.category_ids.clear();
  EXPECT_EQ((*ToCocoResults(voc, {image}))[0].category_id, 2);
  image.detections[0].label = 2;
  EXPECT_THAT(ToCocoResults(coco, {image}).status().message(),
              HasSubstr("image '9': label 2 outside [0, 2)"));
}

TEST(CocoResults, WritesAtomicallyToThePath) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/r.json";
  ASSERT_TRUE(WriteCocoResults(path, {MakeCocoResult("1", 2, Box{1, 2, 3, 4}, 0.5)}).ok());
  absl::StatusOr<std::vector<CocoResult>> read = LoadCocoResults(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ((*read)[0].h, 2);
}

}  // namespace
}  // namespace huale
