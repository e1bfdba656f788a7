// The FILES annotator round-trips a batch through COCO JSON and through a
// Label Studio export: what goes out (links, predictions) and what comes back.
#include <filesystem>
#include <fstream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "huale/engine/annotator.h"
#include "nlohmann/json.hpp"

namespace huale {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

class FilesAnnotatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(root_);
    fs::create_directories(root_ / "images");
    for (const char* id : {"000001", "000002", "000003"}) {
      std::ofstream(root_ / "images" / absl::StrCat(id, ".jpg")) << "jpeg";
      LabelTask task;
      task.image_id = id;
      task.path = (root_ / "images" / absl::StrCat(id, ".jpg")).string();
      task.width = 100;
      task.height = 50;
      batch_.images.push_back(task);
    }
    Detection detection;
    detection.box = Box{10, 5, 40, 25};
    detection.score = 0.8f;
    detection.label = 1;
    batch_.images[0].predictions = {detection};
    batch_.cycle = 1;
    batch_.cycle_directory = (root_ / "run" / "cycle_01").string();
    AnnotatorContext context;
    context.class_names = {"cat", "dog"};
    absl::StatusOr<std::unique_ptr<Annotator>> made =
        AnnotatorRegistry::Get().Create("files", context);
    ASSERT_TRUE(made.ok()) << made.status();
    annotator_ = std::move(*made);
  }

  void WriteLabels(const std::string& text) {
    std::ofstream(fs::path(batch_.cycle_directory) / "to_label" / "labels.json") << text;
  }

  fs::path root_;
  LabelBatch batch_;
  std::unique_ptr<Annotator> annotator_;
};

TEST_F(FilesAnnotatorTest, WritesLinksAndPredictionsAsCoco) {
  absl::StatusOr<std::string> record = annotator_->Send(batch_, "");
  ASSERT_TRUE(record.ok()) << record.status();
  const fs::path folder = fs::path(batch_.cycle_directory) / "to_label";
  EXPECT_TRUE(fs::is_symlink(folder / "images" / "000002.jpg"));
  EXPECT_EQ(fs::read_symlink(folder / "images" / "000002.jpg"), batch_.images[1].path);
  EXPECT_TRUE(fs::exists(folder / "README.txt"));
  std::ifstream in(folder / "predictions.json");
  const json predictions = json::parse(in);
  ASSERT_EQ(predictions["images"].size(), 3u);
  EXPECT_EQ(predictions["images"][0]["file_name"], "images/000001.jpg");
  EXPECT_EQ(predictions["categories"][1]["name"], "dog");
  ASSERT_EQ(predictions["annotations"].size(), 1u);
  EXPECT_EQ(predictions["annotations"][0]["category_id"], 2);
  EXPECT_EQ(predictions["annotations"][0]["bbox"], json::array({10, 5, 30, 20}));

  // Nothing back yet: all pending, and where to label.
  std::string kept = *record;
  absl::StatusOr<ReturnedLabels> none = annotator_->Collect(batch_, kept);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->pending, 3);
  EXPECT_EQ(none->where_to_label, folder.string());

  // The predictions corrected by a person, as a tool exports them: image 1's
  // box moved, image 2 with no object, image 3 not done yet, and an image that
  // was not sent.
  json labels = predictions;
  labels["annotations"][0]["bbox"] = json::array({12, 6, 30, 20});
  labels["images"].erase(2);
  labels["images"].push_back({{"id", 9}, {"file_name", "other.jpg"}, {"width", 5}, {"height", 5}});
  WriteLabels(labels.dump());
  absl::StatusOr<ReturnedLabels> back = annotator_->Collect(batch_, kept);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->pending, 1);
  ASSERT_EQ(back->labelled.size(), 2u);
  EXPECT_EQ(back->labelled[0].image_id, "000001");
  ASSERT_EQ(back->labelled[0].boxes.size(), 1u);
  EXPECT_EQ(back->labelled[0].boxes[0].class_name, "dog");
  EXPECT_FLOAT_EQ(back->labelled[0].boxes[0].box.x1, 12);
  EXPECT_FLOAT_EQ(back->labelled[0].boxes[0].box.y2, 26);
  EXPECT_EQ(back->labelled[1].image_id, "000002");
  EXPECT_TRUE(back->labelled[1].boxes.empty());
  ASSERT_EQ(back->warnings.size(), 1u);
  EXPECT_NE(back->warnings[0].find("'other.jpg') is not an image of this batch"), std::string::npos)
      << back->warnings[0];
}

TEST_F(FilesAnnotatorTest, ReadsALabelStudioExportWithASkip) {
  std::string record = *annotator_->Send(batch_, "");
  WriteLabels(R"([
    {"id": 1, "data": {"image": "/data/upload/1/000001.jpg"}, "annotations": [
      {"id": 4, "was_cancelled": false, "result": [
        {"type": "rectanglelabels", "original_width": 100, "original_height": 50,
         "value": {"x": 10, "y": 20, "width": 50, "height": 40, "rotation": 0,
                   "rectanglelabels": ["cat"]}}]}]},
    {"id": 2, "data": {"image": "/data/local-files/?d=images/000002.jpg"},
     "annotations": [{"id": 5, "was_cancelled": true, "result": []}]},
    {"id": 3, "data": {"image": "/data/upload/1/000003.jpg"}, "annotations": []}
  ])");
  absl::StatusOr<ReturnedLabels> back = annotator_->Collect(batch_, record);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->pending, 1);
  ASSERT_EQ(back->labelled.size(), 1u);
  ASSERT_EQ(back->labelled[0].boxes.size(), 1u);
  EXPECT_FLOAT_EQ(back->labelled[0].boxes[0].box.x1, 10);
  EXPECT_FLOAT_EQ(back->labelled[0].boxes[0].box.y1, 10);
  EXPECT_FLOAT_EQ(back->labelled[0].boxes[0].box.x2, 60);
  EXPECT_FLOAT_EQ(back->labelled[0].boxes[0].box.y2, 30);
  ASSERT_EQ(back->skipped.size(), 1u);
  EXPECT_EQ(back->skipped[0].first, "000002");
}

TEST_F(FilesAnnotatorTest, AMalformedLabelsFileIsNamed) {
  std::string record = *annotator_->Send(batch_, "");
  WriteLabels(R"({"images": [{"id": 1, "file_name": "000001.jpg", "width": 100, "height": 50}],
                 "categories": [{"id": 1, "name": "cat"}],
                 "annotations": [{"id": 1, "image_id": 1, "category_id": 7, "bbox": [1, 1, 2, 2]}]})");
  absl::StatusOr<ReturnedLabels> back = annotator_->Collect(batch_, record);
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.status().message().find("labels.json: annotations[0].category_id: 7 is not in "
                                         "the file's categories"),
            std::string::npos)
      << back.status();
  WriteLabels("{\"images\": [");
  back = annotator_->Collect(batch_, record);
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.status().message().find("labels.json"), std::string::npos) << back.status();
}

}  // namespace
}  // namespace huale
