// The COCO instances parser: fields as written, per-entry problems that name the
// entry and field, and whole-file errors.
#include "huale/data/coco_instances.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace huale {
namespace {

using ::testing::HasSubstr;

TEST(CocoInstances, KeepsFieldsAsWritten) {
  absl::StatusOr<CocoInstances> file = ParseCocoInstances(
      R"({"info": {"year": 2017},
          "images": [{"id": 7, "file_name": "a.jpg", "width": 40, "height": 30.0}],
          "annotations": [{"id": 3.0, "image_id": 7, "category_id": 18,
                           "bbox": [1.5, 2, 10, -20], "area": 123.5, "iscrowd": true,
                           "segmentation": [[1, 2, 3]]},
                          {"image_id": 7, "category_id": 1, "bbox": [0, 0, 4, 4]}],
          "categories": [{"id": 18, "name": "dog", "supercategory": "animal"}]})",
      "gt.json");
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_EQ(file->images->size(), 1u);
  const CocoInstances::Image& image = (*file->images)[0];
  EXPECT_EQ(image.id, 7);
  EXPECT_EQ(image.file_name, "a.jpg");
  EXPECT_EQ(image.width, 40);
  EXPECT_EQ(image.height, 30);
  ASSERT_EQ(file->annotations->size(), 2u);
  const CocoInstances::Object& object = (*file->annotations)[0];
  EXPECT_EQ(object.id, 3);  // an integral number is an integer
  EXPECT_EQ(object.category_id, 18);
  EXPECT_EQ(*object.bbox, (std::array<double, 4>{1.5, 2, 10, -20}));  // as written
  EXPECT_EQ(object.area, 123.5);
  EXPECT_TRUE(object.crowd);
  EXPECT_TRUE(object.problem.empty());
  EXPECT_FALSE((*file->annotations)[1].id.has_value());
  EXPECT_FALSE((*file->annotations)[1].area.has_value());
  EXPECT_FALSE((*file->annotations)[1].crowd);
  EXPECT_EQ((*file->categories)[0].name, "dog");
}

TEST(CocoInstances, AbsentTopLevelFieldsAreNullopt) {
  absl::StatusOr<CocoInstances> file = ParseCocoInstances(R"({"images": []})", "gt.json");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_TRUE(file->images.has_value());
  EXPECT_FALSE(file->annotations.has_value());
  EXPECT_FALSE(file->categories.has_value());
}

TEST(CocoInstances, WrongTypesBecomeProblemsThatNameTheEntryAndField) {
  absl::StatusOr<CocoInstances> file = ParseCocoInstances(
      R"({"images": [{"id": "1"}, 5, {"id": 2.5}],
          "annotations": [{"bbox": [1, 2, "x", 4]}, {"bbox": [1, 2, 3]}, {"iscrowd": "no"}],
          "categories": [{"id": 1, "name": 3}]})",
      "gt.json");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ((*file->images)[0].problem, "images[0]: field 'id': expected an integer, found a string");
  EXPECT_EQ((*file->images)[1].problem, "images[1]: expected an object");
  EXPECT_EQ((*file->images)[2].problem, "images[2]: field 'id': expected an integer, found 2.5");
  EXPECT_THAT((*file->annotations)[0].problem,
              HasSubstr("annotations[0]: field 'bbox': expected 4 numbers"));
  EXPECT_EQ((*file->annotations)[1].problem,
            "annotations[1]: field 'bbox': expected 4 numbers, found 3");
  EXPECT_EQ((*file->annotations)[2].problem,
            "annotations[2]: field 'iscrowd': expected 0, 1 or a boolean, found a string");
  EXPECT_EQ((*file->categories)[0].problem,
            "categories[0]: field 'name': expected a string, found a number");
}

TEST(CocoInstances, BrokenFilesAreErrorsNamingTheSource) {
  // A syntax error is named by line, column and byte.
  EXPECT_THAT(ParseCocoInstances("{\"images\": [\n  {\"id\": 1", "gt.json").status().message(),
              HasSubstr("gt.json: not valid JSON at line 2, column 11 (byte 23): "));
  EXPECT_THAT(ParseCocoInstances("{\"images\": [{\"id\": 1}],\n x}", "gt.json").status().message(),
              HasSubstr("gt.json: not valid JSON at line 2, column 2 (byte "));
  EXPECT_THAT(ParseCocoInstances(R"({"images": 3})", "gt.json").status().message(),
              HasSubstr("at field 'images': expected an array"));
  EXPECT_FALSE(ParseCocoInstances("[1, 2]", "gt.json").ok());
  EXPECT_FALSE(ParseCocoInstances("", "gt.json").ok());
  EXPECT_EQ(ReadCocoInstancesFile("/nonexistent/gt.json").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace huale
