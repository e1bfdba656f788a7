// The COCO reader on small instances files written by the test, including the
// bad inputs of the data issue that concern annotations.
#include "huale/data/coco_reader.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "huale/data/dataset_format.h"

namespace huale {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class CocoTree {
 public:
  explicit CocoTree(const std::string& name)
      : root_(fs::path(std::getenv("TEST_TMPDIR")) / name) {
    fs::remove_all(root_);
    fs::create_directories(root_ / "annotations");
    fs::create_directories(root_ / "train");
  }
  std::string root() const { return root_.string(); }
  void AddImageFile(const std::string& file_name, int width, int height) {
    cv::imwrite((root_ / "train" / file_name).string(),
                cv::Mat(height, width, CV_8UC3, cv::Scalar(1, 2, 3)));
  }
  void SetJson(const std::string& images, const std::string& annotations,
               const std::string& categories = kCategories) {
    std::ofstream(root_ / "annotations/instances_train.json")
        << "{\"info\": {\"year\": 2017}, \"images\": [" << images << "], \"annotations\": ["
        << annotations << "], \"categories\": [" << categories << "]}";
  }
  void SetRawJson(const std::string& text) {
    std::ofstream(root_ / "annotations/instances_train.json") << text;
  }
  DatasetSpec Spec(bool fail_fast = false) const {
    DatasetSpec spec;
    spec.set_format("coco");
    spec.set_root(root());
    spec.set_bad_sample_policy(fail_fast ? DatasetSpec::FAIL_FAST : DatasetSpec::SKIP_AND_COUNT);
    return spec;
  }
  // Categories deliberately out of id order and non-contiguous.
  static constexpr char kCategories[] =
      "{\"id\": 18, \"name\": \"dog\", \"supercategory\": \"animal\"},"
      "{\"id\": 1, \"name\": \"person\"}, {\"name\": \"cat\", \"id\": 17}";

 private:
  fs::path root_;
};

std::string ImageJson(int id, const std::string& file, int width, int height) {
  return absl::StrCat("{\"id\": ", id, ", \"file_name\": \"", file, "\", \"width\": ", width,
                      ", \"height\": ", height, ", \"license\": 3}");
}

std::string AnnotationJson(int id, int image_id, int category, const std::string& bbox,
                           const std::string& extra = "") {
  return absl::StrCat("{\"segmentation\": [[1.5, 2.0, 3, 4, 5, 6]], \"id\": ", id,
                      ", \"image_id\": ", image_id, ", \"category_id\": ", category,
                      ", \"bbox\": [", bbox, "]", extra, "}");
}

TEST(CocoReader, MapsCategoriesToContiguousLabelsInIdOrderAndBack) {
  CocoTree tree("coco_good");
  tree.AddImageFile("a.jpg", 40, 30);
  tree.SetJson(ImageJson(7, "a.jpg", 40, 30),
               AnnotationJson(1, 7, 18, "1.5, 2, 10, 20", ", \"area\": 123.5, \"iscrowd\": 1") +
                   "," + AnnotationJson(2, 7, 1, "0, 0, 4, 4"));
  absl::StatusOr<Dataset> dataset = ReadCocoDataset(tree.Spec(), "train");
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  EXPECT_THAT(dataset->class_names, ElementsAre("person", "cat", "dog"));
  EXPECT_THAT(dataset->category_ids, ElementsAre(1, 17, 18));
  ASSERT_EQ(dataset->images.size(), 1u);
  const ImageRecord& image = dataset->images[0];
  EXPECT_EQ(image.id, "7");
  EXPECT_EQ(image.path, tree.root() + "/train/a.jpg");
  EXPECT_EQ(image.width, 40);
  EXPECT_EQ(image.height, 30);
  ASSERT_EQ(image.annotations.size(), 2u);
  EXPECT_EQ(image.annotations[0].box, (Box{1.5, 2, 11.5, 22}));  // xywh -> xyxy
  EXPECT_EQ(image.annotations[0].label, 2);                      // category 18 = "dog"
  EXPECT_TRUE(image.annotations[0].crowd);
  EXPECT_DOUBLE_EQ(image.annotations[0].area, 123.5);
  EXPECT_EQ(image.annotations[1].label, 0);
  EXPECT_FALSE(image.annotations[1].crowd);
  EXPECT_DOUBLE_EQ(image.annotations[1].area, 16);  // no "area": the box's
}

TEST(CocoReader, SpecClassListChoosesTheLabelOrder) {
  CocoTree tree("coco_spec_classes");
  tree.AddImageFile("a.jpg", 40, 30);
  tree.SetJson(ImageJson(7, "a.jpg", 40, 30), AnnotationJson(1, 7, 18, "1, 2, 3, 4"));
  DatasetSpec spec = tree.Spec();
  spec.add_classes("dog");
  spec.add_classes("cat");
  spec.add_classes("person");
  absl::StatusOr<Dataset> dataset = ReadCocoDataset(spec, "train");
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  EXPECT_THAT(dataset->category_ids, ElementsAre(18, 17, 1));
  EXPECT_EQ(dataset->images[0].annotations[0].label, 0);
  spec.add_classes("zebra");
  absl::StatusOr<Dataset> bad = ReadCocoDataset(spec, "train");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("dataset.classes: 'zebra'"));
}

TEST(CocoReader, IsRegisteredAsCocoAndHonoursTheImageDir) {
  absl::StatusOr<std::unique_ptr<DatasetFormat>> format =
      DatasetFormatRegistry::Get().Create("coco");
  ASSERT_TRUE(format.ok()) << format.status();
  CocoTree tree("coco_registry");
  fs::create_directories(tree.root() + "/JPEGImages");
  cv::imwrite(tree.root() + "/JPEGImages/a.png", cv::Mat(5, 5, CV_8UC3, cv::Scalar(0)));
  tree.SetJson(ImageJson(1, "a.png", 5, 5), "");
  DatasetSpec spec = tree.Spec();
  spec.set_coco_image_dir("JPEGImages");
  absl::StatusOr<Dataset> dataset = (*format)->Read(spec, "train");
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  EXPECT_EQ(dataset->images[0].path, tree.root() + "/JPEGImages/a.png");
  EXPECT_FALSE((*format)->CheckAvailable(spec, "val").ok());
}

// SKIP_AND_COUNT keeps image "good" and counts one `kind`; FAIL_FAST fails with
// `message`.
void ExpectSkippedAndFailFast(CocoTree& tree, BadSampleKind kind, const std::string& message,
                              size_t kept_images = 1) {
  absl::StatusOr<Dataset> skipped = ReadCocoDataset(tree.Spec(false), "train");
  ASSERT_TRUE(skipped.ok()) << skipped.status();
  ASSERT_EQ(skipped->images.size(), kept_images);
  EXPECT_EQ(skipped->images[0].id, "1");
  EXPECT_EQ(skipped->bad_samples.Count(kind), 1) << skipped->bad_samples.ToJson();
  ASSERT_FALSE(skipped->bad_samples.examples.empty());
  EXPECT_THAT(skipped->bad_samples.examples[0], HasSubstr(message));
  absl::StatusOr<Dataset> failed = ReadCocoDataset(tree.Spec(true), "train");
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(std::string(failed.status().message()), HasSubstr(message));
}

TEST(CocoReader, AnnotationOfAMissingImageIsSkippedOrFails) {
  CocoTree tree("coco_orphan");
  tree.AddImageFile("good.jpg", 20, 20);
  tree.SetJson(ImageJson(1, "good.jpg", 20, 20),
               AnnotationJson(1, 1, 1, "1, 1, 5, 5") + "," + AnnotationJson(2, 99, 1, "1, 1, 5, 5"));
  ExpectSkippedAndFailFast(tree, BadSampleKind::kOrphanAnnotation,
                           "annotations[1]: field 'image_id': image 99 is not among the images");
}

TEST(CocoReader, MissingImageFileIsSkippedOrFails) {
  CocoTree tree("coco_missing_image");
  tree.AddImageFile("good.jpg", 20, 20);
  tree.SetJson(ImageJson(1, "good.jpg", 20, 20) + "," + ImageJson(2, "gone.jpg", 20, 20),
               AnnotationJson(1, 2, 1, "1, 1, 5, 5"));
  ExpectSkippedAndFailFast(tree, BadSampleKind::kMissingImage,
                           "images[1]: field 'file_name': image file");
  // The skipped image's annotation is not reported again as an orphan.
  absl::StatusOr<Dataset> skipped = ReadCocoDataset(tree.Spec(false), "train");
  EXPECT_EQ(skipped->bad_samples.Total(), 1);
}

TEST(CocoReader, DuplicateImageIdKeepsTheFirst) {
  CocoTree tree("coco_duplicate");
  tree.AddImageFile("good.jpg", 20, 20);
  tree.SetJson(ImageJson(1, "good.jpg", 20, 20) + "," + ImageJson(1, "good.jpg", 20, 20),
               AnnotationJson(1, 1, 1, "1, 1, 5, 5"));
  ExpectSkippedAndFailFast(tree, BadSampleKind::kDuplicateImageId,
                           "images[1]: field 'id': image id 1 appears again");
}

TEST(CocoReader, UnknownCategorySkipsItsImageOrFails) {
  CocoTree tree("coco_unknown_category");
  tree.AddImageFile("good.jpg", 20, 20);
  tree.AddImageFile("bad.jpg", 20, 20);
  tree.SetJson(ImageJson(1, "good.jpg", 20, 20) + "," + ImageJson(2, "bad.jpg", 20, 20),
               AnnotationJson(1, 2, 1, "1, 1, 5, 5") + "," + AnnotationJson(2, 2, 42, "1, 1, 5, 5"));
  ExpectSkippedAndFailFast(tree, BadSampleKind::kUnknownClass,
                           "annotations[1]: field 'category_id': category 42");
}

TEST(CocoReader, WrongTypeOrMissingFieldNamesTheField) {
  CocoTree tree("coco_wrong_type");
  tree.AddImageFile("good.jpg", 20, 20);
  tree.SetJson(ImageJson(1, "good.jpg", 20, 20),
               AnnotationJson(1, 1, 1, "1, 1, 5, 5") + "," +
                   "{\"id\": 2, \"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, \"x\", 4]}");
  ExpectSkippedAndFailFast(tree, BadSampleKind::kUnreadableAnnotation,
                           "annotations[1]: field 'bbox': expected 4 numbers");
  tree.SetJson(ImageJson(1, "good.jpg", 20, 20) + ",{\"id\": 2, \"width\": 3, \"height\": 3}",
               AnnotationJson(1, 1, 1, "1, 1, 5, 5"));
  ExpectSkippedAndFailFast(tree, BadSampleKind::kUnreadableAnnotation,
                           "images[1]: required field 'file_name' is missing");
  tree.SetJson(ImageJson(1, "good.jpg", 20, 20),
               AnnotationJson(1, 1, 1, "1, 1, 5, 5") +
                   ",{\"id\": 2, \"image_id\": \"1\", \"category_id\": 1, \"bbox\": [1, 1, 2, 2]}");
  ExpectSkippedAndFailFast(tree, BadSampleKind::kUnreadableAnnotation,
                           "annotations[1]: field 'image_id': expected an integer");
}

TEST(CocoReader, BoxesAreClippedOrDroppedAndCounted) {
  CocoTree tree("coco_boxes");
  tree.AddImageFile("good.jpg", 20, 10);
  tree.SetJson(ImageJson(1, "good.jpg", 20, 10),
               AnnotationJson(1, 1, 1, "-2, 3, 30, 4") + "," + AnnotationJson(2, 1, 1, "1, 1, 0, 5") +
                   "," + AnnotationJson(3, 1, 1, "1, 1, 5, -1"));
  absl::StatusOr<Dataset> dataset = ReadCocoDataset(tree.Spec(false), "train");
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  ASSERT_EQ(dataset->images[0].annotations.size(), 1u);
  EXPECT_EQ(dataset->images[0].annotations[0].box, (Box{0, 3, 20, 7}));
  EXPECT_EQ(dataset->bad_samples.Count(BadSampleKind::kClippedBox), 1);
  EXPECT_EQ(dataset->bad_samples.Count(BadSampleKind::kDroppedBox), 2);
  // Fail-fast is fail-fast for boxes too (issue 13): the first one stops the read.
  absl::StatusOr<Dataset> failed = ReadCocoDataset(tree.Spec(true), "train");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(failed.status().message(), HasSubstr("field 'bbox': box (-2, 3, 28, 7) reaches"));
}

TEST(CocoReader, ANegativeWidthUnderFailFastIsAnErrorNamingTheAnnotation) {
  CocoTree tree("coco_negative_width");
  tree.AddImageFile("good.jpg", 20, 10);
  tree.SetJson(ImageJson(1, "good.jpg", 20, 10), AnnotationJson(7, 1, 1, "5, 1, -3, 4"));
  absl::StatusOr<Dataset> failed = ReadCocoDataset(tree.Spec(true), "train");
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(), HasSubstr("field 'bbox'"));
  EXPECT_THAT(failed.status().message(), HasSubstr("has zero or negative area"));
}

TEST(CocoReader, JsonThatDoesNotParseIsAnError) {
  CocoTree tree("coco_broken");
  tree.SetRawJson("{\"images\": [{\"id\": 1, \"file_name\": \"a.jpg\"");
  absl::StatusOr<Dataset> dataset = ReadCocoDataset(tree.Spec(false), "train");
  ASSERT_FALSE(dataset.ok());
  EXPECT_THAT(std::string(dataset.status().message()),
              HasSubstr("instances_train.json: not valid JSON at line 1, column 43 (byte 42): "));
  tree.SetRawJson("{\"images\": [], \"categories\": []}");
  dataset = ReadCocoDataset(tree.Spec(false), "train");
  ASSERT_FALSE(dataset.ok());
  EXPECT_THAT(std::string(dataset.status().message()),
              HasSubstr("required field 'annotations' is missing"));
  tree.SetRawJson("[1, 2]");
  EXPECT_FALSE(ReadCocoDataset(tree.Spec(false), "train").ok());
  tree.SetRawJson("");
  EXPECT_FALSE(ReadCocoDataset(tree.Spec(false), "train").ok());
}

TEST(CocoReader, EmptySplitIsAnErrorUnderEitherPolicy) {
  CocoTree tree("coco_empty");
  tree.SetJson("", "");
  for (const bool fail_fast : {false, true}) {
    absl::StatusOr<Dataset> dataset = ReadCocoDataset(tree.Spec(fail_fast), "train");
    ASSERT_FALSE(dataset.ok());
    EXPECT_THAT(std::string(dataset.status().message()), HasSubstr("lists no images"));
  }
}

TEST(CocoReader, ImageFilesNeedNotExistWhenVerificationIsOff) {
  CocoTree tree("coco_no_verify");
  tree.SetJson(ImageJson(1, "absent.jpg", 20, 20), AnnotationJson(1, 1, 1, "1, 1, 5, 5"));
  DatasetSpec spec = tree.Spec(true);
  spec.set_verify_image_files(false);
  absl::StatusOr<Dataset> dataset = ReadCocoDataset(spec, "train");
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  EXPECT_EQ(dataset->images.size(), 1u);
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Annotation Labelled(const Box& box, int label) {
  Annotation annotation;
  annotation.box = box;
  annotation.label = label;
  return annotation;
}

// People's labels written back (DatasetFormat::WriteLabels): image 8's
// annotations replaced, image 7's and every field huale does not read kept,
// the old file kept aside, nothing rewritten when nothing changed.
TEST(CocoWriteLabels, ReplacesTheImagesAnnotationsAndKeepsTheOldFile) {
  CocoTree tree("coco_write_labels");
  tree.AddImageFile("a.jpg", 40, 30);
  tree.AddImageFile("b.jpg", 40, 30);
  tree.SetJson(ImageJson(7, "a.jpg", 40, 30) + "," + ImageJson(8, "b.jpg", 40, 30),
               AnnotationJson(1, 7, 18, "1.5, 2, 10, 20", ", \"iscrowd\": 1") + "," +
                   AnnotationJson(5, 8, 1, "0, 0, 4, 4") + "," +
                   AnnotationJson(2, 8, 17, "3, 3, 4, 4"));
  const std::string json = tree.root() + "/annotations/instances_train.json";
  const std::string original = ReadText(json);
  absl::StatusOr<Dataset> before = ReadCocoDataset(tree.Spec(), "train");
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_THAT(before->class_names, ElementsAre("person", "cat", "dog"));

  ImageRecord people = before->images[1];
  ASSERT_EQ(people.id, "8");
  people.annotations = {Labelled(Box{2, 3, 12.25, 13}, 2), Labelled(Box{0, 0, 5, 5}, 0)};
  absl::StatusOr<std::unique_ptr<DatasetFormat>> format =
      DatasetFormatRegistry::Get().Create("coco");
  ASSERT_TRUE(format.ok()) << format.status();
  absl::StatusOr<std::vector<std::string>> kept =
      (*format)->WriteLabels(tree.Spec(), "train", before->class_names, {people});
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_THAT(*kept, ElementsAre(json + ".before-huale"));
  EXPECT_EQ(ReadText(json + ".before-huale"), original);

  absl::StatusOr<Dataset> after = ReadCocoDataset(tree.Spec(), "train");
  ASSERT_TRUE(after.ok()) << after.status();
  ASSERT_EQ(after->images.size(), 2u);
  const ImageRecord& untouched = after->images[0];
  ASSERT_EQ(untouched.annotations.size(), 1u);
  EXPECT_EQ(untouched.annotations[0].box, (Box{1.5, 2, 11.5, 22}));
  EXPECT_TRUE(untouched.annotations[0].crowd);
  const ImageRecord& written = after->images[1];
  ASSERT_EQ(written.annotations.size(), 2u);
  EXPECT_EQ(written.annotations[0].box, (Box{2, 3, 12.25, 13}));
  EXPECT_EQ(written.annotations[0].label, 2);
  EXPECT_DOUBLE_EQ(written.annotations[0].area, 10.25 * 10);
  EXPECT_EQ(written.annotations[1].box, (Box{0, 0, 5, 5}));
  EXPECT_EQ(written.annotations[1].label, 0);
  const std::string text = ReadText(json);
  EXPECT_THAT(text, HasSubstr("\"info\":{\"year\":2017}"));
  EXPECT_THAT(text, HasSubstr("\"segmentation\":[[1.5,2.0,3,4,5,6]]"));
  EXPECT_THAT(text, HasSubstr("\"license\":3"));
  EXPECT_THAT(text, HasSubstr("{\"id\":6,\"image_id\":8,\"category_id\":18,"));
  EXPECT_THAT(text, HasSubstr("{\"id\":7,\"image_id\":8,\"category_id\":1,"));

  // The same labels again: left alone.
  kept = (*format)->WriteLabels(tree.Spec(), "train", before->class_names, {written});
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_TRUE(kept->empty());
  EXPECT_EQ(ReadText(json), text);
  // Other labels (none: the image is empty): the second old file is kept too.
  people.annotations.clear();
  kept = (*format)->WriteLabels(tree.Spec(), "train", before->class_names, {people});
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_THAT(*kept, ElementsAre(json + ".before-huale.2"));
  EXPECT_EQ(ReadText(json + ".before-huale.2"), text);
  absl::StatusOr<Dataset> emptied = ReadCocoDataset(tree.Spec(), "train");
  ASSERT_TRUE(emptied.ok()) << emptied.status();
  EXPECT_TRUE(emptied->images[1].annotations.empty());
  EXPECT_EQ(emptied->images[0].annotations.size(), 1u);
}

TEST(CocoWriteLabels, AnImageOrClassTheFileDoesNotKnowIsRefusedAndNothingWritten) {
  CocoTree tree("coco_write_refused");
  tree.AddImageFile("a.jpg", 40, 30);
  tree.SetJson(ImageJson(7, "a.jpg", 40, 30), AnnotationJson(1, 7, 18, "1, 2, 3, 4"));
  const std::string json = tree.root() + "/annotations/instances_train.json";
  const std::string original = ReadText(json);
  ImageRecord stranger;
  stranger.id = "99";
  absl::StatusOr<std::vector<std::string>> kept =
      WriteCocoLabels(tree.Spec(), "train", {"person", "cat", "dog"}, {stranger});
  ASSERT_FALSE(kept.ok());
  EXPECT_THAT(std::string(kept.status().message()),
              HasSubstr(json + ": image '99' is not among its images"));
  ImageRecord zebra;
  zebra.id = "7";
  zebra.annotations = {Labelled(Box{1, 1, 9, 9}, 3)};
  kept = WriteCocoLabels(tree.Spec(), "train", {"person", "cat", "dog", "zebra"}, {zebra});
  ASSERT_FALSE(kept.ok());
  EXPECT_THAT(std::string(kept.status().message()),
              HasSubstr("class 'zebra' (image 7) is not one of its categories"));
  EXPECT_EQ(ReadText(json), original);
  EXPECT_FALSE(fs::exists(json + ".before-huale"));
}

}  // namespace
}  // namespace huale
