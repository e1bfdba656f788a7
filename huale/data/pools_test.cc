// Pools: seeded initial sampling, labelling, seeded subsets, and persistence
// with validation of what is reloaded.
#include "huale/data/pools.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace huale {
namespace {

using ::testing::HasSubstr;

Dataset MakeDataset(int n) {
  Dataset dataset;
  for (int i = 0; i < n; ++i) {
    ImageRecord record;
    record.id = absl::StrCat("img", i);
    dataset.images.push_back(record);
  }
  return dataset;
}

std::string FreshDir(const std::string& name) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(Pools, InitialSampleIsSeededAndOfTheRequestedSize) {
  const Dataset dataset = MakeDataset(100);
  absl::StatusOr<Pools> a = Pools::WithInitialSample(dataset, 10, 1);
  absl::StatusOr<Pools> b = Pools::WithInitialSample(dataset, 10, 1);
  absl::StatusOr<Pools> c = Pools::WithInitialSample(dataset, 10, 2);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->num_labelled(), 10);
  EXPECT_EQ(a->num_unlabelled(), 90);
  EXPECT_EQ(a->labelled(), b->labelled());
  EXPECT_NE(a->labelled(), c->labelled());
  EXPECT_EQ(std::set<int64_t>(a->labelled().begin(), a->labelled().end()).size(), 10u);
  for (const int64_t index : a->unlabelled()) EXPECT_FALSE(a->IsLabelled(index));
  EXPECT_FALSE(Pools::WithInitialSample(dataset, 101, 1).ok());
}

TEST(Pools, LabelRejectsLabelledRepeatedAndOutOfRangeIndices) {
  const Dataset dataset = MakeDataset(5);
  Pools pools(dataset);
  ASSERT_TRUE(pools.Label({3, 1}).ok());
  EXPECT_EQ(pools.labelled(), (std::vector<int64_t>{3, 1}));
  EXPECT_THAT(std::string(pools.Label({1}).message()), HasSubstr("'img1': already labelled"));
  EXPECT_FALSE(pools.Label({0, 0}).ok());
  EXPECT_FALSE(pools.Label({5}).ok());
  EXPECT_FALSE(pools.Label({-1}).ok());
  EXPECT_EQ(pools.num_labelled(), 2);  // failed calls change nothing
  EXPECT_EQ(pools.unlabelled(), (std::vector<int64_t>{0, 2, 4}));
}

TEST(Pools, UnlabelledSubsetIsSeededAndNeverLabelled) {
  const Dataset dataset = MakeDataset(50);
  absl::StatusOr<Pools> pools = Pools::WithInitialSample(dataset, 20, 3);
  ASSERT_TRUE(pools.ok());
  const std::vector<int64_t> subset = pools->UnlabelledSubset(10, 5);
  EXPECT_EQ(subset.size(), 10u);
  EXPECT_EQ(subset, pools->UnlabelledSubset(10, 5));
  EXPECT_NE(subset, pools->UnlabelledSubset(10, 6));
  for (const int64_t index : subset) EXPECT_FALSE(pools->IsLabelled(index));
  EXPECT_EQ(pools->UnlabelledSubset(0, 5).size(), 30u);
  EXPECT_EQ(pools->UnlabelledSubset(1000, 5).size(), 30u);
}

TEST(Pools, SaveAndLoadRoundTrip) {
  const Dataset dataset = MakeDataset(30);
  absl::StatusOr<Pools> pools = Pools::WithInitialSample(dataset, 7, 9);
  ASSERT_TRUE(pools.ok());
  ASSERT_TRUE(pools->Label({pools->unlabelled()[4], pools->unlabelled()[0]}).ok());
  const std::string dir = FreshDir("pools_roundtrip");
  ASSERT_TRUE(pools->Save(dir).ok());
  std::ifstream labelled(dir + "/labelled.txt");
  std::string first_line;
  std::getline(labelled, first_line);
  EXPECT_EQ(first_line, dataset.images[pools->labelled()[0]].id);  // readable ids
  absl::StatusOr<Pools> loaded = Pools::Load(dataset, dir);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->labelled(), pools->labelled());
  EXPECT_EQ(loaded->unlabelled(), pools->unlabelled());
}

TEST(Pools, LoadNamesTheFileAndLineOfABadId) {
  const Dataset dataset = MakeDataset(4);
  const std::string dir = FreshDir("pools_bad");
  std::ofstream(dir + "/labelled.txt") << "img0\nimg9\n";
  std::ofstream(dir + "/unlabelled.txt") << "img1\nimg2\nimg3\n";
  absl::StatusOr<Pools> unknown = Pools::Load(dataset, dir);
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(std::string(unknown.status().message()),
              HasSubstr("labelled.txt:2: image id 'img9' is not in the dataset"));
  std::ofstream(dir + "/labelled.txt", std::ios::trunc) << "img0\nimg1\n";
  absl::StatusOr<Pools> both = Pools::Load(dataset, dir);
  ASSERT_FALSE(both.ok());
  EXPECT_THAT(std::string(both.status().message()),
              HasSubstr("unlabelled.txt:1: image id 'img1' is already listed in labelled.txt"));
  std::ofstream(dir + "/labelled.txt", std::ios::trunc) << "img0\n";
  std::ofstream(dir + "/unlabelled.txt", std::ios::trunc) << "img1\nimg2\n";
  absl::StatusOr<Pools> missing = Pools::Load(dataset, dir);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("'img3'"));
  EXPECT_FALSE(Pools::Load(dataset, FreshDir("pools_empty_dir")).ok());
}

}  // namespace
}  // namespace huale
