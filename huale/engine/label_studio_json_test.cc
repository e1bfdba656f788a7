#include "huale/engine/label_studio_json.h"

#include "gtest/gtest.h"

namespace huale {
namespace {

using json = nlohmann::json;

TEST(LabelStudioConfig, ListsTheClassesAndReadsThemBack) {
  const std::vector<std::string> classes = {"t-shirt", "bag & \"boot\"", "<coat>"};
  const std::string config = LabelStudioConfig(classes);
  EXPECT_NE(config.find("<Label value=\"bag &amp; &quot;boot&quot;\"/>"), std::string::npos)
      << config;
  EXPECT_EQ(LabelStudioConfigClasses(config), classes);
  EXPECT_TRUE(LabelStudioConfigClasses("<View><Image name='i' value='$image'/></View>").empty());
  EXPECT_TRUE(LabelStudioConfigClasses("not xml <").empty());
}

TEST(LabelStudioTask, PredictionsArePercentagesAboveTheThreshold) {
  LabelTask image;
  image.image_id = "000123";
  image.width = 200;
  image.height = 100;
  Detection kept;
  kept.box = Box{20, 10, 120, 60};
  kept.score = 0.9f;
  kept.label = 1;
  Detection low = kept;
  low.score = 0.2f;
  image.predictions = {kept, low};
  const json task = LabelStudioTask(image, "/data/local-files/?d=a.jpg", 2, {"a", "b"}, 0.5);
  EXPECT_EQ(task["data"]["image"], "/data/local-files/?d=a.jpg");
  EXPECT_EQ(task["data"]["huale_id"], "000123");
  EXPECT_EQ(task["data"]["huale_cycle"], 2);
  ASSERT_EQ(task["predictions"].size(), 1u);
  const json& result = task["predictions"][0]["result"];
  ASSERT_EQ(result.size(), 1u);
  EXPECT_EQ(result[0]["type"], "rectanglelabels");
  EXPECT_DOUBLE_EQ(result[0]["value"]["x"].get<double>(), 10);
  EXPECT_DOUBLE_EQ(result[0]["value"]["y"].get<double>(), 10);
  EXPECT_DOUBLE_EQ(result[0]["value"]["width"].get<double>(), 50);
  EXPECT_DOUBLE_EQ(result[0]["value"]["height"].get<double>(), 50);
  EXPECT_EQ(result[0]["value"]["rectanglelabels"], json::array({"b"}));
  // Round trip: the prediction read back as a person's result is the same box.
  absl::StatusOr<std::vector<ReturnedBox>> boxes = LabelStudioBoxes(result, 200, 100, "task 1");
  ASSERT_TRUE(boxes.ok()) << boxes.status();
  ASSERT_EQ(boxes->size(), 1u);
  EXPECT_FLOAT_EQ((*boxes)[0].box.x1, 20);
  EXPECT_FLOAT_EQ((*boxes)[0].box.y1, 10);
  EXPECT_FLOAT_EQ((*boxes)[0].box.x2, 120);
  EXPECT_FLOAT_EQ((*boxes)[0].box.y2, 60);
  EXPECT_EQ((*boxes)[0].class_name, "b");
  // None above the threshold: no prediction at all.
  image.predictions = {low};
  EXPECT_FALSE(LabelStudioTask(image, "u", 0, {"a", "b"}, 0.5).contains("predictions"));
}

TEST(LabelStudioBoxes, UsesTheResultsImageSizeAndUnrotates) {
  const json result = json::parse(R"([
    {"type": "rectanglelabels", "original_width": 400, "original_height": 200,
     "value": {"x": 25, "y": 50, "width": 50, "height": 25, "rotation": 90,
               "rectanglelabels": ["a"]}},
    {"type": "choices", "value": {"choices": ["x"]}}
  ])");
  absl::StatusOr<std::vector<ReturnedBox>> boxes = LabelStudioBoxes(result, 1, 1, "task 4");
  ASSERT_TRUE(boxes.ok()) << boxes.status();
  ASSERT_EQ(boxes->size(), 1u);  // the choice is not a box
  // (100, 100), 200 wide and 50 high, turned 90 degrees clockwise about its
  // top-left corner: x from 50 to 100, y from 100 to 300.
  EXPECT_NEAR((*boxes)[0].box.x1, 50, 1e-4);
  EXPECT_NEAR((*boxes)[0].box.y1, 100, 1e-4);
  EXPECT_NEAR((*boxes)[0].box.x2, 100, 1e-4);
  EXPECT_NEAR((*boxes)[0].box.y2, 300, 1e-4);
  EXPECT_EQ((*boxes)[0].where, "task 4: result[0]");
}

TEST(LabelStudioBoxes, AMalformedRectangleIsNamed) {
  const json no_label = json::parse(
      R"([{"type": "rectanglelabels", "value": {"x": 1, "y": 1, "width": 2, "height": 2}}])");
  absl::StatusOr<std::vector<ReturnedBox>> boxes = LabelStudioBoxes(no_label, 10, 10, "task 9");
  ASSERT_FALSE(boxes.ok());
  EXPECT_EQ(boxes.status().message(),
            "task 9: result[0].value.rectanglelabels: expected exactly one class name");
  const json no_width = json::parse(
      R"([{"type": "rectanglelabels", "value": {"x": 1, "y": 1, "height": 2,
          "rectanglelabels": ["a"]}}])");
  EXPECT_FALSE(LabelStudioBoxes(no_width, 10, 10, "task 9").ok());
}

TEST(ReadLabelStudioTask, TheNewestAnnotationDecides) {
  absl::StatusOr<LabelStudioTaskState> pending = ReadLabelStudioTask(json::parse(
      R"({"id": 5, "data": {"image": "u", "huale_id": "a", "huale_cycle": 1}, "annotations": []})"));
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->state, LabelStudioTaskState::kPending);
  EXPECT_EQ(pending->huale_id, "a");
  EXPECT_EQ(pending->cycle, 1);
  absl::StatusOr<LabelStudioTaskState> relabelled = ReadLabelStudioTask(json::parse(R"({"id": 6,
      "annotations": [{"id": 3, "was_cancelled": true, "result": []},
                      {"id": 8, "was_cancelled": false, "result": [{"type": "x"}]}]})"));
  ASSERT_TRUE(relabelled.ok());
  EXPECT_EQ(relabelled->state, LabelStudioTaskState::kLabelled);
  EXPECT_EQ(relabelled->annotation_id, 8);
  EXPECT_EQ(relabelled->result.size(), 1u);
  EXPECT_TRUE(relabelled->huale_id.empty());
  absl::StatusOr<LabelStudioTaskState> skipped = ReadLabelStudioTask(json::parse(R"({"id": 7,
      "annotations": [{"id": 9, "was_cancelled": true, "result": []}]})"));
  ASSERT_TRUE(skipped.ok());
  EXPECT_EQ(skipped->state, LabelStudioTaskState::kSkipped);
  EXPECT_FALSE(ReadLabelStudioTask(json::parse(R"({"id": 7, "annotations": 3})")).ok());
}

TEST(UrlEncode, KeepsSlashesAndEscapesTheRest) {
  EXPECT_EQ(UrlEncode("JPEGImages/a b&c.jpg"), "JPEGImages/a%20b%26c.jpg");
}

}  // namespace
}  // namespace huale
