#include "huale/engine/initial_model_cache.h"

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
#include "huale/core/atomic_file.h"

namespace huale {
namespace {

namespace fs = std::filesystem;

class InitialModelCacheTest : public testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(testing::TempDir()) / testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(root_);
    fs::create_directories(root_);
    binary_ = (root_ / "binary").string();
    std::ofstream(binary_) << "build 1";
    spec_.set_name("fmnist_huale");
    spec_.set_seed(3);
    spec_.mutable_model()->set_name("fasterrcnn_small_fpn");
    spec_.add_losses()->set_name("cross_entropy");
    spec_.mutable_acquisition()->set_name("huale");
    spec_.mutable_schedule()->set_initial_size(2);
    spec_.mutable_training()->set_epochs(8);
    pool_.class_names = {"shirt", "boot"};
    for (const char* id : {"000007", "000003", "000004"}) {
      ImageRecord image;
      image.id = id;
      image.path = (root_ / (std::string(id) + ".png")).string();
      image.width = 160;
      image.height = 120;
      image.annotations.push_back({Box{10, 20, 50, 60}, /*label=*/1});
      std::ofstream(image.path) << "pixels of " << id;
      pool_.images.push_back(image);
    }
  }

  std::string Key(const ExperimentSpec& spec, int threads = 2) const {
    return InitialModelCache::Key(spec, pool_, initial_, threads, binary_);
  }

  fs::path root_;
  std::string binary_;
  ExperimentSpec spec_;
  Dataset pool_;
  std::vector<int64_t> initial_ = {0, 1};
};

TEST_F(InitialModelCacheTest, MethodsThatDifferOnlyInSelectionShareTheKey) {
  ExperimentSpec random = spec_;
  random.set_name("fmnist_random");
  random.mutable_acquisition()->set_name("random");
  random.mutable_schedule()->set_budget_per_cycle(7);
  random.mutable_schedule()->set_cycles(9);
  random.mutable_schedule()->set_pool_subset(11);
  random.mutable_evaluation()->set_metric("coco");
  random.set_output_dir("elsewhere");
  random.set_threads(1);  // the threads actually used count, not the spec's wish
  EXPECT_EQ(Key(spec_), Key(random));
  EXPECT_EQ(Key(spec_).size(), 16u);
}

TEST_F(InitialModelCacheTest, EverythingThatReachesCycleZeroTrainingChangesTheKey) {
  const std::string key = Key(spec_);
  ExperimentSpec other = spec_;
  other.add_losses()->set_name("emphasis");
  EXPECT_NE(Key(other), key) << "losses";
  other = spec_;
  other.set_seed(4);
  EXPECT_NE(Key(other), key) << "seed";
  other = spec_;
  other.mutable_training()->set_epochs(9);
  EXPECT_NE(Key(other), key) << "training";
  other = spec_;
  other.mutable_schedule()->set_reinitialize_each_cycle(false);
  EXPECT_NE(Key(other), key) << "schedule";
  other = spec_;
  other.mutable_model()->set_name("fasterrcnn_resnet18_fpn");
  EXPECT_NE(Key(other), key) << "model";
  EXPECT_NE(Key(spec_, /*threads=*/1), key) << "threads";
  EXPECT_NE(InitialModelCache::Key(spec_, pool_, {0, 2}, 2, binary_), key) << "initial set";
  // A rebuilt binary (new size or time stamp) may train differently.
  std::ofstream(binary_) << "build 22";
  EXPECT_NE(Key(spec_), key) << "binary";
}

// The same paths with other contents train another model (issue 13: a key of
// paths reused a model trained on edited data).
TEST_F(InitialModelCacheTest, EditedDataUnderTheSamePathsChangesTheKey) {
  const std::string key = Key(spec_);
  EXPECT_EQ(Key(spec_), key) << "deterministic";
  // One image file rewritten (here one byte more: any change counts).
  std::ofstream(pool_.images[1].path, std::ios::app) << ".";
  const std::string edited_image = Key(spec_);
  EXPECT_NE(edited_image, key) << "image bytes";
  // One box moved by a pixel in an annotation.
  pool_.images[0].annotations[0].box.x2 += 1;
  const std::string edited_box = Key(spec_);
  EXPECT_NE(edited_box, edited_image) << "annotation box";
  pool_.images[0].annotations[0].label = 0;
  EXPECT_NE(Key(spec_), edited_box) << "annotation label";
  pool_.images[0].annotations[0].difficult = true;
  const std::string flagged = Key(spec_);
  EXPECT_NE(flagged, edited_box) << "difficult flag";
  pool_.class_names = {"shirt", "sandal"};
  EXPECT_NE(Key(spec_), flagged) << "class list";
  // An image outside the initial set changes nothing.
  const std::string before = Key(spec_);
  std::ofstream(pool_.images[2].path, std::ios::app) << "more";
  EXPECT_EQ(Key(spec_), before) << "an image cycle 0 does not train on";
  // An unreadable image still gives a key (its error stands for its bytes).
  fs::remove(pool_.images[1].path);
  EXPECT_NE(Key(spec_), before) << "a vanished image";
}

TEST_F(InitialModelCacheTest, StoreThenFetchCopiesTheModelAndNamesItsRun) {
  const InitialModelCache cache((root_ / "shared").string());
  const std::string key = Key(spec_);
  const std::string copy = (root_ / "b" / "cycle_00" / "model.pt").string();
  absl::StatusOr<std::optional<std::string>> missing = cache.Fetch(key, copy);
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_FALSE(missing->has_value());
  EXPECT_FALSE(fs::exists(copy));

  const std::string trained = (root_ / "a" / "model.pt").string();
  ASSERT_TRUE(WriteFileAtomically(trained, std::string("weights\0bytes", 13)).ok());
  ASSERT_TRUE(cache.Store(key, trained, "runs/fmnist_random/seed3").ok());
  absl::StatusOr<std::optional<std::string>> found = cache.Fetch(key, copy);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, "runs/fmnist_random/seed3");
  absl::StatusOr<std::string> bytes = ReadFile(copy);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, std::string("weights\0bytes", 13));
  // Another key finds nothing.
  absl::StatusOr<std::optional<std::string>> other = cache.Fetch("0000000000000000", copy);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->has_value());
}

TEST(InitialModelCacheDirectory, LivesUnderTheOutputFolder) {
  ExperimentSpec spec;
  spec.set_output_dir("/tmp/runs");
  EXPECT_EQ(InitialModelCache(spec).directory(), "/tmp/runs/shared/initial_models");
}

}  // namespace
}  // namespace huale
