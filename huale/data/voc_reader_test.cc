// The VOC reader on small devkit trees written by the test, including every bad
// input of the data issue that concerns annotations.
#include "huale/data/voc_reader.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
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
using ::testing::HasSubstr;

class VocTree {
 public:
  explicit VocTree(const std::string& name)
      : root_(fs::path(std::getenv("TEST_TMPDIR")) / name) {
    fs::remove_all(root_);
    fs::create_directories(root_ / "JPEGImages");
    fs::create_directories(root_ / "Annotations");
    fs::create_directories(root_ / "ImageSets/Main");
  }
  std::string root() const { return root_.string(); }

  void AddImage(const std::string& id, int width, int height) {
    cv::imwrite((root_ / "JPEGImages" / (id + ".jpg")).string(),
                cv::Mat(height, width, CV_8UC3, cv::Scalar(10, 20, 30)));
  }
  // `objects`: raw <object> elements.
  void AddXml(const std::string& id, int width, int height, const std::string& objects) {
    Write("Annotations/" + id + ".xml",
          absl::StrCat("<annotation><filename>", id, ".jpg</filename><size><width>", width,
                       "</width><height>", height, "</height><depth>3</depth></size>", objects,
                       "</annotation>"));
  }
  void Write(const std::string& relative, const std::string& text) {
    std::ofstream(root_ / relative) << text;
  }
  void SetSplit(const std::string& split, const std::vector<std::string>& ids) {
    Write("ImageSets/Main/" + split + ".txt", absl::StrJoin(ids, "\n") + "\n");
  }
  DatasetSpec Spec(bool fail_fast = false) const {
    DatasetSpec spec;
    spec.set_format("voc");
    spec.set_root(root());
    spec.add_classes("cat");
    spec.add_classes("dog");
    spec.set_bad_sample_policy(fail_fast ? DatasetSpec::FAIL_FAST : DatasetSpec::SKIP_AND_COUNT);
    return spec;
  }

 private:
  fs::path root_;
};

std::string Object(const std::string& name, int x1, int y1, int x2, int y2,
                   const std::string& extra = "") {
  return absl::StrCat("<object><name>", name, "</name>", extra, "<bndbox><xmin>", x1,
                      "</xmin><ymin>", y1, "</ymin><xmax>", x2, "</xmax><ymax>", y2,
                      "</ymax></bndbox></object>");
}

TEST(VocReader, ReadsBoxesLabelsAndFlagsAsWritten) {
  VocTree tree("voc_good");
  tree.AddImage("a", 50, 40);
  tree.AddXml("a", 50, 40,
              Object("dog", 1, 2, 30, 40, "<difficult>1</difficult>") +
                  Object("cat", 5, 6, 7, 8, "<truncated>1</truncated>"));
  tree.SetSplit("train", {"a"});
  absl::StatusOr<Dataset> dataset = ReadVocDataset(tree.Spec(), "train");
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  ASSERT_EQ(dataset->images.size(), 1u);
  const ImageRecord& image = dataset->images[0];
  EXPECT_EQ(image.id, "a");
  EXPECT_EQ(image.path, tree.root() + "/JPEGImages/a.jpg");
  EXPECT_EQ(image.width, 50);
  EXPECT_EQ(image.height, 40);
  ASSERT_EQ(image.annotations.size(), 2u);
  EXPECT_EQ(image.annotations[0].box, (Box{1, 2, 30, 40}));
  EXPECT_EQ(image.annotations[0].label, 1);  // "dog" is second in the spec's list
  EXPECT_TRUE(image.annotations[0].difficult);
  EXPECT_FALSE(image.annotations[0].truncated);
  EXPECT_EQ(image.annotations[1].label, 0);
  EXPECT_TRUE(image.annotations[1].truncated);
  EXPECT_DOUBLE_EQ(image.annotations[1].area, 4.0);  // (7-5) * (8-6)
  EXPECT_TRUE(dataset->bad_samples.empty());
}

TEST(VocReader, DefaultsToTheTwentyVocClasses) {
  VocTree tree("voc_default_classes");
  tree.AddImage("a", 10, 10);
  tree.AddXml("a", 10, 10, Object("tvmonitor", 1, 1, 5, 5));
  tree.SetSplit("val", {"a"});
  DatasetSpec spec = tree.Spec();
  spec.clear_classes();
  absl::StatusOr<Dataset> dataset = ReadVocDataset(spec, "val");
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  EXPECT_EQ(dataset->class_names.size(), 20u);
  EXPECT_EQ(dataset->images[0].annotations[0].label, 19);
}

TEST(VocReader, IsRegisteredAsVoc) {
  absl::StatusOr<std::unique_ptr<DatasetFormat>> format =
      DatasetFormatRegistry::Get().Create("voc");
  ASSERT_TRUE(format.ok()) << format.status();
  VocTree tree("voc_registry");
  tree.AddImage("a", 10, 10);
  tree.AddXml("a", 10, 10, Object("cat", 1, 1, 5, 5));
  tree.SetSplit("train", {"a"});
  EXPECT_TRUE((*format)->CheckAvailable(tree.Spec(), "train").ok());
  EXPECT_FALSE((*format)->CheckAvailable(tree.Spec(), "nosuchsplit").ok());
  EXPECT_TRUE((*format)->Read(tree.Spec(), "train").ok());
}

// One good image plus one bad; SKIP_AND_COUNT keeps the good one and counts the
// bad one; FAIL_FAST returns an error whose message contains `message`.
void ExpectSkippedAndFailFast(VocTree& tree, BadSampleKind kind, const std::string& message) {
  tree.AddImage("good", 20, 20);
  tree.AddXml("good", 20, 20, Object("cat", 1, 1, 10, 10));
  absl::StatusOr<Dataset> skipped = ReadVocDataset(tree.Spec(false), "train");
  ASSERT_TRUE(skipped.ok()) << skipped.status();
  EXPECT_EQ(skipped->images.size(), 1u);
  EXPECT_EQ(skipped->images[0].id, "good");
  EXPECT_EQ(skipped->bad_samples.Count(kind), 1) << skipped->bad_samples.ToJson();
  ASSERT_FALSE(skipped->bad_samples.examples.empty());
  EXPECT_THAT(skipped->bad_samples.examples[0], HasSubstr(message));
  absl::StatusOr<Dataset> failed = ReadVocDataset(tree.Spec(true), "train");
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(std::string(failed.status().message()), HasSubstr(message));
}

TEST(VocReader, XmlThatDoesNotParseIsSkippedOrFails) {
  VocTree tree("voc_bad_xml");
  tree.AddImage("bad", 20, 20);
  tree.Write("Annotations/bad.xml", "<annotation><size><width>20</width>");
  tree.SetSplit("train", {"bad", "good"});
  ExpectSkippedAndFailFast(tree, BadSampleKind::kUnreadableAnnotation,
                           "Annotations/bad.xml: XML does not parse");
}

TEST(VocReader, MissingFieldsNameTheField) {
  VocTree tree("voc_missing_field");
  tree.AddImage("bad", 20, 20);
  tree.AddXml("bad", 20, 20,
              "<object><name>cat</name><bndbox><xmin>1</xmin><ymin>1</ymin>"
              "<xmax>5</xmax></bndbox></object>");
  tree.SetSplit("train", {"bad", "good"});
  ExpectSkippedAndFailFast(tree, BadSampleKind::kUnreadableAnnotation,
                           "bad.xml: annotation/object[0]/bndbox/ymax: required field is missing");
}

TEST(VocReader, MissingSizeNamesTheField) {
  VocTree tree("voc_missing_size");
  tree.AddImage("bad", 20, 20);
  tree.Write("Annotations/bad.xml", "<annotation><filename>bad.jpg</filename></annotation>");
  tree.SetSplit("train", {"bad", "good"});
  ExpectSkippedAndFailFast(tree, BadSampleKind::kUnreadableAnnotation,
                           "annotation/size: required field is missing");
}

TEST(VocReader, NonNumericCoordinateNamesTheField) {
  VocTree tree("voc_nan_coordinate");
  tree.AddImage("bad", 20, 20);
  tree.AddXml("bad", 20, 20,
              "<object><name>cat</name><bndbox><xmin>one</xmin><ymin>1</ymin>"
              "<xmax>5</xmax><ymax>5</ymax></bndbox></object>");
  tree.SetSplit("train", {"bad", "good"});
  ExpectSkippedAndFailFast(tree, BadSampleKind::kUnreadableAnnotation,
                           "object[0]/bndbox/xmin: expected a number, found 'one'");
}

TEST(VocReader, MissingAnnotationFileIsSkippedOrFails) {
  VocTree tree("voc_missing_xml");
  tree.AddImage("bad", 20, 20);
  tree.SetSplit("train", {"bad", "good"});
  ExpectSkippedAndFailFast(tree, BadSampleKind::kUnreadableAnnotation,
                           "Annotations/bad.xml: cannot read file");
}

// A pool people will label: images without annotation files are read, without
// boxes, at the size their files' headers give; only in the pool split, and
// only when the spec says so.
TEST(VocReader, UnannotatedPoolImagesAreReadWhenTheSpecSaysSo) {
  VocTree tree("voc_unannotated");
  tree.AddImage("a", 20, 20);
  tree.AddXml("a", 20, 20, Object("cat", 1, 1, 10, 10));
  tree.AddImage("new", 33, 17);
  cv::imwrite(tree.root() + "/JPEGImages/new_png.png", cv::Mat(9, 7, CV_8UC3, cv::Scalar(0)));
  tree.SetSplit("trainval", {"a", "new", "new_png"});
  tree.SetSplit("test", {"a", "new"});
  DatasetSpec spec = tree.Spec(true);
  spec.set_unannotated_pool_images(true);
  absl::StatusOr<Dataset> pool = ReadVocDataset(spec, "trainval");
  ASSERT_TRUE(pool.ok()) << pool.status();
  ASSERT_EQ(pool->images.size(), 3u);
  EXPECT_EQ(pool->images[0].annotations.size(), 1u);
  const ImageRecord& fresh = pool->images[1];
  EXPECT_EQ(fresh.id, "new");
  EXPECT_EQ(fresh.path, tree.root() + "/JPEGImages/new.jpg");
  EXPECT_EQ(fresh.width, 33);
  EXPECT_EQ(fresh.height, 17);
  EXPECT_TRUE(fresh.annotations.empty());
  EXPECT_EQ(pool->images[2].path, tree.root() + "/JPEGImages/new_png.png");
  EXPECT_EQ(pool->images[2].width, 7);
  EXPECT_TRUE(pool->bad_samples.empty());
  // The test split, or the option off: a missing annotation file is a bad sample.
  absl::StatusOr<Dataset> test = ReadVocDataset(spec, "test");
  ASSERT_FALSE(test.ok());
  EXPECT_THAT(std::string(test.status().message()), HasSubstr("Annotations/new.xml"));
  spec.set_unannotated_pool_images(false);
  EXPECT_FALSE(ReadVocDataset(spec, "trainval").ok());
  // Neither an annotation nor an image file, or an image that is not one: named.
  spec.set_unannotated_pool_images(true);
  tree.SetSplit("trainval", {"a", "ghost"});
  absl::StatusOr<Dataset> ghost = ReadVocDataset(spec, "trainval");
  ASSERT_FALSE(ghost.ok());
  EXPECT_THAT(std::string(ghost.status().message()),
              HasSubstr("Annotations/ghost.xml does not exist (not yet annotated), nor does "));
  tree.Write("JPEGImages/ghost.jpg", "text, not an image");
  ghost = ReadVocDataset(spec, "trainval");
  ASSERT_FALSE(ghost.ok());
  EXPECT_THAT(std::string(ghost.status().message()),
              HasSubstr("JPEGImages/ghost.jpg: neither a JPEG nor a PNG"));
}

TEST(VocReader, UnknownClassIsSkippedOrFails) {
  VocTree tree("voc_unknown_class");
  tree.AddImage("bad", 20, 20);
  tree.AddXml("bad", 20, 20, Object("cat", 1, 1, 5, 5) + Object("zebra", 1, 1, 5, 5));
  tree.SetSplit("train", {"bad", "good"});
  ExpectSkippedAndFailFast(tree, BadSampleKind::kUnknownClass,
                           "object[1]/name: unknown class 'zebra'");
}

TEST(VocReader, MissingImageFileIsSkippedOrFails) {
  VocTree tree("voc_missing_image");
  tree.AddXml("bad", 20, 20, Object("cat", 1, 1, 5, 5));
  tree.SetSplit("train", {"bad", "good"});
  ExpectSkippedAndFailFast(tree, BadSampleKind::kMissingImage, "JPEGImages/bad.jpg does not exist");
}

TEST(VocReader, DuplicateIdKeepsTheFirst) {
  VocTree tree("voc_duplicate");
  tree.SetSplit("train", {"good", "good"});
  tree.AddImage("good", 20, 20);
  tree.AddXml("good", 20, 20, Object("cat", 1, 1, 10, 10));
  absl::StatusOr<Dataset> skipped = ReadVocDataset(tree.Spec(false), "train");
  ASSERT_TRUE(skipped.ok()) << skipped.status();
  EXPECT_EQ(skipped->images.size(), 1u);
  EXPECT_EQ(skipped->bad_samples.Count(BadSampleKind::kDuplicateImageId), 1);
  absl::StatusOr<Dataset> failed = ReadVocDataset(tree.Spec(true), "train");
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(std::string(failed.status().message()),
              HasSubstr("train.txt:2: image id 'good' is listed again"));
}

TEST(VocReader, BoxOutsideTheImageIsClippedAndCountedOrUnderFailFastAnError) {
  VocTree tree("voc_clip");
  tree.AddImage("a", 20, 10);
  tree.AddXml("a", 20, 10, Object("cat", -3, 2, 25, 12));
  tree.SetSplit("train", {"a"});
  absl::StatusOr<Dataset> dataset = ReadVocDataset(tree.Spec(false), "train");
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  EXPECT_EQ(dataset->images[0].annotations[0].box, (Box{0, 2, 20, 10}));
  EXPECT_EQ(dataset->bad_samples.Count(BadSampleKind::kClippedBox), 1);
  // Fail-fast is fail-fast for boxes too (issue 13).
  absl::StatusOr<Dataset> failed = ReadVocDataset(tree.Spec(true), "train");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(failed.status().message(),
              HasSubstr("a.xml: annotation/object[0]/bndbox: box (-3, 2, 25, 12) reaches outside "
                        "the 20x10 image"));
  EXPECT_THAT(failed.status().message(), HasSubstr("bad_sample_policy: SKIP_AND_COUNT"));
}

TEST(VocReader, ZeroAndNegativeAreaBoxesAreDroppedAndCounted) {
  VocTree tree("voc_zero_area");
  tree.AddImage("a", 20, 20);
  tree.AddXml("a", 20, 20,
              Object("cat", 5, 5, 5, 9) + Object("dog", 8, 8, 4, 12) + Object("cat", 1, 1, 3, 3) +
                  Object("dog", 25, 25, 30, 30));  // entirely outside: nothing left after clipping
  tree.SetSplit("train", {"a"});
  absl::StatusOr<Dataset> dataset = ReadVocDataset(tree.Spec(false), "train");
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  ASSERT_EQ(dataset->images[0].annotations.size(), 1u);
  EXPECT_EQ(dataset->images[0].annotations[0].box, (Box{1, 1, 3, 3}));
  EXPECT_EQ(dataset->bad_samples.Count(BadSampleKind::kDroppedBox), 3);
  absl::StatusOr<Dataset> failed = ReadVocDataset(tree.Spec(true), "train");
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(), HasSubstr("has zero or negative area"));
}

TEST(VocReader, EmptySplitIsAnErrorUnderEitherPolicy) {
  VocTree tree("voc_empty");
  tree.SetSplit("train", {});
  for (const bool fail_fast : {false, true}) {
    absl::StatusOr<Dataset> dataset = ReadVocDataset(tree.Spec(fail_fast), "train");
    ASSERT_FALSE(dataset.ok());
    EXPECT_THAT(std::string(dataset.status().message()), HasSubstr("lists no images"));
  }
}

TEST(VocReader, AllImagesBadIsAnEmptySplitError) {
  VocTree tree("voc_all_bad");
  tree.SetSplit("train", {"x"});
  absl::StatusOr<Dataset> dataset = ReadVocDataset(tree.Spec(false), "train");
  ASSERT_FALSE(dataset.ok());
  EXPECT_THAT(std::string(dataset.status().message()), HasSubstr("all 1 were skipped"));
}

TEST(VocReader, MissingRootSaysHowToObtainTheData) {
  DatasetSpec spec;
  spec.set_root("/nonexistent/VOCdevkit/VOC2007");
  spec.set_how_to_obtain("download VOCtrainval_06-Nov-2007.tar");
  absl::Status status = CheckVocAvailable(spec, "trainval");
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(status.message()), HasSubstr("VOCtrainval_06-Nov-2007.tar"));
}

TEST(BadSampleSummary, WritesJsonAtomically) {
  BadSampleSummary summary;
  summary.Add(BadSampleKind::kMissingImage, "a.xml: \"quoted\"");
  summary.Add(BadSampleKind::kMissingImage, "b.xml");
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/bad_samples.json";
  ASSERT_TRUE(summary.WriteTo(path).ok());
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_THAT(text, HasSubstr("\"missing_image\": 2"));
  EXPECT_THAT(text, HasSubstr("\"total\": 2"));
  EXPECT_THAT(text, HasSubstr("a.xml: \\\"quoted\\\""));
}

}  // namespace
}  // namespace huale
