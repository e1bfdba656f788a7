#include "tools/detection_output.h"

#include <filesystem>
#include <fstream>

#include <opencv2/imgcodecs.hpp>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "huale/core/atomic_file.h"

namespace huale {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Folder(const std::string& name) {
  const std::string dir = testing::TempDir() + "/" + name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void WriteImage(const std::string& path) {
  ASSERT_TRUE(cv::imwrite(path, cv::Mat(20, 30, CV_8UC3, cv::Scalar(40, 40, 40))));
}

TEST(ListImages, FolderGivesItsImagesSortedAndAListGivesItsLines) {
  const std::string dir = Folder("list_images");
  WriteImage(dir + "/b.png");
  WriteImage(dir + "/a.JPG");
  std::ofstream(dir + "/notes.txt") << "not an image";
  WriteImage(dir + "/c.bmp");  // huale reads JPEG and PNG only
  EXPECT_THAT(*ListImages(dir), ElementsAre(dir + "/a.JPG", dir + "/b.png"));
  std::ofstream(dir + "/list.txt") << "  x.jpg \n\ny.png\n";
  EXPECT_THAT(*ListImages(dir + "/list.txt"), ElementsAre("x.jpg", "y.png"));
  EXPECT_THAT(ListImages(dir + "/missing.txt").status().message(), HasSubstr("missing.txt"));
}

TEST(ImageIdOf, NumericStemElsePosition) {
  EXPECT_EQ(ImageIdOf("coco/000000397133.jpg", 7), "397133");
  EXPECT_EQ(ImageIdOf("photos/cat.jpg", 7), "8");
}

Detection MakeDetection(double x1, double y1, double x2, double y2, float score, int label) {
  Detection d;
  d.box = {x1, y1, x2, y2};
  d.score = score;
  d.label = label;
  return d;
}

TEST(DetectionOutput, CocoResultsWithExactNumbersAndIdsAsTheDatasetSpellsThem) {
  const std::string dir = Folder("detection_output");
  absl::StatusOr<DetectionOutput> output = DetectionOutput::Create(dir + "/r.json", "", 0.5);
  ASSERT_TRUE(output.ok());
  const CategoryOf plus_ten = [](int label) -> absl::StatusOr<Category> {
    return Category{label + 10, "c"};
  };
  ASSERT_TRUE(output->Add("a.jpg", "42", {MakeDetection(1, 2, 4, 8, 0.5f, 1)}, plus_ten).ok());
  ASSERT_TRUE(output->Add("b.jpg", "000005", {MakeDetection(0.1, 0, 1, 1, 0.25f, 0)}, plus_ten).ok());
  ASSERT_TRUE(output->Finish().ok());
  // huale/eval/coco_results' format: shortest exact numbers (0.9 is the double
  // 1 - 0.1), VOC's id a string with its zeros.
  EXPECT_EQ(*ReadFile(dir + "/r.json"),
            R"([{"image_id":42,"category_id":11,"bbox":[1.0,2.0,3.0,6.0],"score":0.5},)"
            R"({"image_id":"000005","category_id":10,"bbox":[0.1,0.0,0.9,1.0],"score":0.25}])"
            "\n");
}

TEST(DetectionOutput, CategoryErrorNamesTheImageAndWritesNothing) {
  const std::string dir = Folder("detection_output_error");
  absl::StatusOr<DetectionOutput> output = DetectionOutput::Create(dir + "/r.json", "", 0.5);
  const CategoryOf none = [](int label) -> absl::StatusOr<Category> {
    return absl::InternalError("label outside");
  };
  const absl::Status s = output->Add("a.jpg", "1", {MakeDetection(0, 0, 1, 1, 1, 3)}, none);
  EXPECT_THAT(s.message(), HasSubstr("a.jpg: label outside"));
  EXPECT_FALSE(fs::exists(dir + "/r.json"));
}

TEST(DetectionOutput, DrawsConfidentBoxesIntoTheDrawFolder) {
  const std::string dir = Folder("detection_output_draw");
  WriteImage(dir + "/img.png");
  absl::StatusOr<DetectionOutput> output =
      DetectionOutput::Create(dir + "/r.json", dir + "/drawn", 0.5);
  ASSERT_TRUE(output.ok());
  const CategoryOf id = [](int label) -> absl::StatusOr<Category> { return Category{label, "x"}; };
  ASSERT_TRUE(output->Add(dir + "/img.png", "1",
                          {MakeDetection(2, 2, 20, 15, 0.9f, 0), MakeDetection(0, 0, 29, 19, 0.1f, 0)},
                          id)
                  .ok());
  const cv::Mat drawn = cv::imread(dir + "/drawn/img.png");
  ASSERT_FALSE(drawn.empty());
  EXPECT_EQ(drawn.at<cv::Vec3b>(8, 2), cv::Vec3b(0, 200, 255));    // the confident box's edge
  EXPECT_EQ(drawn.at<cv::Vec3b>(19, 29), cv::Vec3b(40, 40, 40));   // the other is not drawn
}

}  // namespace
}  // namespace huale
