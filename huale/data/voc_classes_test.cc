#include "huale/data/voc_classes.h"

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

class VocClassesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    root_ = std::string(tmp != nullptr ? tmp : "/tmp") + "/" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  void Write(const std::string& relative, const std::string& text) {
    std::ofstream(root_ + "/" + relative) << text;
  }
  std::string root_;
};

TEST_F(VocClassesTest, ClassListStripsWhitespaceAndSkipsBlankLines) {
  Write("classes.txt", "  llama \r\n\n\t\nkiwi bird\n# teapot\n");
  absl::StatusOr<VocClassList> classes = ReadVocClassList(root_ + "/classes.txt");
  ASSERT_TRUE(classes.ok()) << classes.status();
  // '#' starts no comment: it is part of the name.
  EXPECT_THAT(classes->names, ElementsAre("llama", "kiwi bird", "# teapot"));
  EXPECT_EQ(classes->source, root_ + "/classes.txt");
}

TEST_F(VocClassesTest, ClassListedTwiceNamesFileAndLines) {
  Write("classes.txt", "llama\nkiwi\n\n llama\n");
  absl::StatusOr<VocClassList> classes = ReadVocClassList(root_ + "/classes.txt");
  ASSERT_FALSE(classes.ok());
  EXPECT_THAT(classes.status().message(),
              HasSubstr(root_ + "/classes.txt:4: class 'llama' is listed twice (first on line 1)"));
  EXPECT_FALSE(VocClassesOfRoot(root_).ok());
}

TEST_F(VocClassesTest, EmptyOrMissingClassList) {
  Write("empty.txt", "\n  \n");
  EXPECT_THAT(ReadVocClassList(root_ + "/empty.txt").status().message(), HasSubstr("found none"));
  EXPECT_THAT(ReadVocClassList(root_ + "/missing.txt").status().message(),
              HasSubstr(root_ + "/missing.txt: cannot read"));
  // The root's own classes.txt: missing or empty falls back to the devkit classes.
  absl::StatusOr<VocClassList> devkit = VocClassesOfRoot(root_);
  ASSERT_TRUE(devkit.ok());
  EXPECT_EQ(devkit->names, VocClassNames());
  Write("classes.txt", "\n");
  devkit = VocClassesOfRoot(root_);
  ASSERT_TRUE(devkit.ok());
  EXPECT_EQ(devkit->names.size(), 20u);
  Write("classes.txt", "kiwi\n");
  absl::StatusOr<VocClassList> custom = VocClassesOfRoot(root_);
  ASSERT_TRUE(custom.ok());
  EXPECT_THAT(custom->names, ElementsAre("kiwi"));
}

}  // namespace
}  // namespace huale
