// The generator's smoke profile, read back by both real readers.
#include "huale/data/fmnist_det.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "huale/data/coco_reader.h"
#include "huale/data/loader.h"
#include "huale/data/voc_reader.h"

namespace huale {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class FmnistDetSmoke : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new std::string(std::string(std::getenv("TEST_TMPDIR")) + "/fmnist/smoke");
    fs::remove_all(*root_);
    absl::StatusOr<FmnistDetOptions> options = FmnistDetProfile("smoke");
    ASSERT_TRUE(options.ok());
    options->output_dir = *root_;
    absl::StatusOr<FmnistDetResult> result = MakeFmnistDet(*options);
    ASSERT_TRUE(result.ok()) << result.status();
    result_ = new FmnistDetResult(*result);
    std::cout << result->histogram;
  }
  static DatasetSpec Spec(const std::string& format) {
    DatasetSpec spec;
    spec.set_format(format);
    spec.set_root(*root_);
    spec.set_bad_sample_policy(DatasetSpec::FAIL_FAST);
    spec.set_coco_image_dir("JPEGImages");
    // No class list: the VOC reader takes classes.txt, the COCO reader the categories.
    return spec;
  }
  static std::string* root_;
  static FmnistDetResult* result_;
};
std::string* FmnistDetSmoke::root_ = nullptr;
FmnistDetResult* FmnistDetSmoke::result_ = nullptr;

TEST_F(FmnistDetSmoke, BothReadersLoadTheSameScenes) {
  for (const char* split : {"trainval", "test"}) {
    absl::StatusOr<Dataset> voc = ReadVocDataset(Spec("voc"), split);
    absl::StatusOr<Dataset> coco = ReadCocoDataset(Spec("coco"), split);
    ASSERT_TRUE(voc.ok()) << voc.status();
    ASSERT_TRUE(coco.ok()) << coco.status();
    EXPECT_TRUE(voc->bad_samples.empty()) << voc->bad_samples.ToJson();
    EXPECT_TRUE(coco->bad_samples.empty()) << coco->bad_samples.ToJson();
    EXPECT_EQ(coco->class_names, FmnistClassNames());
    EXPECT_EQ(voc->class_names, FmnistClassNames());
    ASSERT_EQ(voc->images.size(), coco->images.size());
    EXPECT_EQ(voc->images.size(), std::string(split) == "test" ? 30u : 60u);
    for (size_t i = 0; i < voc->images.size(); ++i) {
      const ImageRecord& v = voc->images[i];
      const ImageRecord& c = coco->images[i];
      EXPECT_EQ(v.path, c.path);
      EXPECT_EQ(v.width, 160);
      EXPECT_EQ(c.height, 160);
      ASSERT_EQ(v.annotations.size(), c.annotations.size());
      EXPECT_GE(v.annotations.size(), 1u);
      EXPECT_LE(v.annotations.size(), 8u);
      for (size_t k = 0; k < v.annotations.size(); ++k) {
        // VOC holds the devkit's 1-based inclusive pixels: xmin = x + 1, xmax = x + w.
        const Box& vb = v.annotations[k].box;
        const Box& cb = c.annotations[k].box;
        EXPECT_EQ(vb.x1, cb.x1 + 1);
        EXPECT_EQ(vb.y1, cb.y1 + 1);
        EXPECT_EQ(vb.x2, cb.x2);
        EXPECT_EQ(vb.y2, cb.y2);
        EXPECT_EQ(v.annotations[k].label, c.annotations[k].label);
        EXPECT_GE(std::max(cb.width(), cb.height()), 8);  // 16..96 px objects, tight
        EXPECT_LE(std::max(cb.width(), cb.height()), 96);
      }
    }
  }
}

TEST_F(FmnistDetSmoke, PoolIsLongTailedAndTestIsBalanced) {
  const auto& pool = result_->pool_objects_per_class;
  const auto& test = result_->test_objects_per_class;
  const auto [pool_min, pool_max] = std::minmax_element(pool.begin(), pool.end());
  const auto [test_min, test_max] = std::minmax_element(test.begin(), test.end());
  ASSERT_GT(*pool_min, 0);
  EXPECT_GT(static_cast<double>(*pool_max) / *pool_min, 8.0);  // configured 20
  EXPECT_LE(*test_max - *test_min, 3);
  // The counts match what the reader finds.
  absl::StatusOr<Dataset> coco = ReadCocoDataset(Spec("coco"), "trainval");
  ASSERT_TRUE(coco.ok());
  std::vector<int64_t> counted(10, 0);
  for (const ImageRecord& image : coco->images) {
    for (const Annotation& a : image.annotations) ++counted[a.label];
  }
  EXPECT_EQ(counted, pool);
}

TEST_F(FmnistDetSmoke, LoaderDecodesEveryScene) {
  absl::StatusOr<Dataset> voc = ReadVocDataset(Spec("voc"), "test");
  ASSERT_TRUE(voc.ok());
  LoaderOptions options;
  options.transform.min_size = 160;
  options.transform.max_size = 160;
  options.batch_size = 4;
  options.fail_fast = true;
  std::vector<int64_t> indices(voc->images.size());
  for (size_t i = 0; i < indices.size(); ++i) indices[i] = i;
  DataLoader loader(*voc, indices, options);
  int images = 0;
  while (true) {
    absl::StatusOr<std::optional<Batch>> batch = loader.Next();
    ASSERT_TRUE(batch.ok()) << batch.status();
    if (!batch->has_value()) break;
    for (const LoadedImage& image : **batch) {
      EXPECT_EQ(image.image.size(1), 160);
      EXPECT_GE(image.labels.min().item<int64_t>(), 1);
      EXPECT_LE(image.labels.max().item<int64_t>(), 10);
      ++images;
    }
  }
  EXPECT_EQ(images, 30);
}

TEST_F(FmnistDetSmoke, IsDeterministicBySeedAndReusedWhenPresent) {
  absl::StatusOr<FmnistDetOptions> options = FmnistDetProfile("smoke");
  options->output_dir = std::string(std::getenv("TEST_TMPDIR")) + "/fmnist/again";
  fs::remove_all(options->output_dir);
  absl::StatusOr<FmnistDetResult> again = MakeFmnistDet(*options);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->reused);
  for (const char* file : {"annotations/instances_trainval.json", "annotations/instances_test.json",
                           "JPEGImages/000007.jpg", "Annotations/000061.xml"}) {
    EXPECT_EQ(ReadAll(fs::path(*root_) / file), ReadAll(fs::path(options->output_dir) / file))
        << file;
  }
  absl::StatusOr<FmnistDetResult> reused = MakeFmnistDet(*options);
  ASSERT_TRUE(reused.ok());
  EXPECT_TRUE(reused->reused);
  EXPECT_EQ(reused->histogram, again->histogram);
  options->seed = 1;
  absl::StatusOr<FmnistDetResult> conflict = MakeFmnistDet(*options);
  ASSERT_FALSE(conflict.ok());
  EXPECT_THAT(std::string(conflict.status().message()), HasSubstr("not generated with these settings"));
  options->output_dir += "_seed1";
  fs::remove_all(options->output_dir);
  ASSERT_TRUE(MakeFmnistDet(*options).ok());
  EXPECT_NE(ReadAll(fs::path(*root_) / "annotations/instances_trainval.json"),
            ReadAll(fs::path(options->output_dir) / "annotations/instances_trainval.json"));
}

TEST(FmnistDet, UnknownProfileAndMissingSourceAreErrors) {
  EXPECT_FALSE(FmnistDetProfile("huge").ok());
  absl::StatusOr<FmnistDetOptions> options = FmnistDetProfile("smoke");
  options->source_dir = "/nonexistent";
  options->output_dir = std::string(std::getenv("TEST_TMPDIR")) + "/fmnist/nosource";
  absl::StatusOr<FmnistDetResult> result = MakeFmnistDet(*options);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("dataset-fashion-mnist"));
  EXPECT_FALSE(fs::exists(options->output_dir));
}

// Every file of a generated folder, relative path -> bytes.
std::map<std::string, std::string> FolderBytes(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) {
      files[fs::relative(entry.path(), root).string()] = ReadAll(entry.path());
    }
  }
  return files;
}

class FmnistDetV2 : public ::testing::TestWithParam<std::string> {};

TEST_P(FmnistDetV2, PoolNeverUsesPretrainIndicesAndGenerationIsDeterministic) {
  absl::StatusOr<FmnistDetOptions> options = FmnistDetProfile(GetParam());
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->pretrain_reserved, kFmnistPretrainReserved);
  options->pool_images = 40;  // small overrides: the profile's layout, fast
  options->test_images = 12;
  const std::string base = std::string(std::getenv("TEST_TMPDIR")) + "/fmnist/" + GetParam();
  options->output_dir = base + "_1";
  fs::remove_all(options->output_dir);
  absl::StatusOr<FmnistDetResult> first = MakeFmnistDet(*options);
  ASSERT_TRUE(first.ok()) << first.status();
  options->output_dir = base + "_2";
  fs::remove_all(options->output_dir);
  ASSERT_TRUE(MakeFmnistDet(*options).ok());
  const std::map<std::string, std::string> a = FolderBytes(base + "_1");
  const std::map<std::string, std::string> b = FolderBytes(base + "_2");
  EXPECT_EQ(a.size(), b.size());
  for (const auto& [name, bytes] : a) {
    ASSERT_TRUE(b.count(name)) << name;
    EXPECT_TRUE(bytes == b.at(name)) << name << " differs between two generations";
  }

  EXPECT_THAT(a.at("pretrain_split.txt"), HasSubstr("reserved_train_indices: [0, 20000)\n"));
  EXPECT_THAT(a.at("pretrain_split.txt"), HasSubstr("pool_train_indices: [20000, 60000)\n"));
  std::istringstream sources(a.at("object_sources.txt"));
  std::string line;
  std::getline(sources, line);  // header
  int64_t objects = 0;
  while (std::getline(sources, line)) {
    std::istringstream fields(line);
    int image_id = 0, index = -1;
    std::string split, name;
    fields >> image_id >> split >> index >> name;
    ++objects;
    if (image_id <= options->pool_images) {
      EXPECT_EQ(split, "train") << line;
      EXPECT_GE(index, kFmnistPretrainReserved) << "pool object from a reserved index: " << line;
    } else {
      EXPECT_EQ(split, "t10k") << line;
    }
  }
  const int64_t expected =
      std::accumulate(first->pool_objects_per_class.begin(),
                      first->pool_objects_per_class.end(), int64_t{0}) +
      std::accumulate(first->test_objects_per_class.begin(),
                      first->test_objects_per_class.end(), int64_t{0});
  EXPECT_EQ(objects, expected);
}

INSTANTIATE_TEST_SUITE_P(Profiles, FmnistDetV2, ::testing::Values("v2a", "v2b"));

TEST(FmnistDet, V1ProfilesReserveNothingAndKeepTheirSettingsText) {
  for (const char* profile : {"smoke", "small", "full"}) {
    absl::StatusOr<FmnistDetOptions> options = FmnistDetProfile(profile);
    ASSERT_TRUE(options.ok());
    EXPECT_EQ(options->pretrain_reserved, 0);
    const std::string text = FmnistDetSettingsText(*options);
    EXPECT_THAT(text, HasSubstr("generator: huale fmnist_det v1\n"));
    EXPECT_THAT(text, ::testing::Not(HasSubstr("pretrain")));
  }
}

TEST(FmnistDet, RenderedObjectIsDeterministicBySeed) {
  std::vector<uint8_t> pixels(28 * 28, 0);
  for (int y = 4; y < 24; ++y) {
    for (int x = 8; x < 20; ++x) pixels[y * 28 + x] = 200;
  }
  const cv::Mat a = RenderFmnistObject(pixels.data(), 64, 7);
  const cv::Mat b = RenderFmnistObject(pixels.data(), 64, 7);
  const cv::Mat c = RenderFmnistObject(pixels.data(), 64, 8);
  ASSERT_EQ(a.type(), CV_8UC3);
  ASSERT_EQ(a.rows, 64);
  ASSERT_EQ(a.cols, 64);
  EXPECT_EQ(cv::norm(a, b, cv::NORM_L1), 0);
  EXPECT_GT(cv::norm(a, c, cv::NORM_L1), 0);
}

}  // namespace
}  // namespace huale
