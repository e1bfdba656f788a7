// VOC evaluation ground truth: the devkit rules the evaluators depend on (boxes
// as written, difficult flags, images without objects kept). The class list's
// rules are tested with huale/data/voc_classes.
#include "huale/eval/voc_annotations.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace huale {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class VocAnnotationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    root_ = std::string(tmp != nullptr ? tmp : "/tmp") + "/" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ + "/Annotations");
    std::filesystem::create_directories(root_ + "/ImageSets/Main");
  }
  void Write(const std::string& relative, const std::string& text) {
    std::ofstream(root_ + "/" + relative) << text;
  }
  std::string root_;
};

TEST_F(VocAnnotationsTest, KeepsDevkitBoxesDifficultFlagsAndEmptyImages) {
  Write("ImageSets/Main/test.txt", "a\nb\n");
  // A box reaching outside the 50x40 image and a one-pixel-wide box
  // (xmin == xmax): the training reader would clip the first and drop the
  // second; the devkit keeps both as written.
  Write("Annotations/a.xml",
        "<annotation><size><width>50</width><height>40</height></size>"
        "<object><name>kiwi</name><difficult>1</difficult>"
        "<bndbox><xmin>-3</xmin><ymin>5</ymin><xmax>60</xmax><ymax>45</ymax></bndbox></object>"
        "<object><name> llama </name>"
        "<bndbox><xmin>7</xmin><ymin>8</ymin><xmax>7</xmax><ymax>20</ymax></bndbox></object>"
        "</annotation>");
  Write("Annotations/b.xml",
        "<annotation><size><width>50</width><height>40</height></size></annotation>");
  absl::StatusOr<Dataset> dataset =
      LoadVocGroundTruth(root_, "test", VocClassList{{"llama", "kiwi"}, "test list"});
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  EXPECT_THAT(dataset->class_names, ElementsAre("llama", "kiwi"));
  ASSERT_EQ(dataset->images.size(), 2u);
  const ImageRecord& a = dataset->images[0];
  ASSERT_EQ(a.annotations.size(), 2u);
  EXPECT_EQ(a.annotations[0].label, 1);
  EXPECT_TRUE(a.annotations[0].difficult);
  EXPECT_EQ(a.annotations[0].box, (Box{-3, 5, 60, 45}));
  EXPECT_EQ(a.annotations[1].label, 0);
  EXPECT_FALSE(a.annotations[1].difficult);
  EXPECT_EQ(a.annotations[1].box, (Box{7, 8, 7, 20}));
  EXPECT_EQ(dataset->images[1].id, "b");
  EXPECT_TRUE(dataset->images[1].annotations.empty());
}

TEST_F(VocAnnotationsTest, UnknownClassNamesXmlFileAndClass) {
  Write("ImageSets/Main/test.txt", "a\n");
  Write("Annotations/a.xml",
        "<annotation><object><name>unicorn</name>"
        "<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object>"
        "</annotation>");
  absl::StatusOr<Dataset> dataset =
      LoadVocGroundTruth(root_, "test", VocClassList{{"llama", "kiwi"}, "my.txt"});
  ASSERT_FALSE(dataset.ok());
  EXPECT_THAT(dataset.status().message(),
              HasSubstr(root_ + "/Annotations/a.xml: object #0: class 'unicorn' is not in the "
                                "class list (my.txt: llama, kiwi)"));
}

}  // namespace
}  // namespace huale
