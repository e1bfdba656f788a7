// The loader: order, batching, seeded shuffling and flips independent of the
// thread count, tensors equal to the transform's output, bad images skipped
// and counted or failing fast, and the scoring flip view.
#include "huale/data/loader.h"

#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace huale {
namespace {

using ::testing::HasSubstr;

// `n` small PNG images of different sizes, image i filled with value i and
// holding one box of label i % 3.
Dataset MakeDataset(const std::string& name, int n) {
  Dataset dataset;
  dataset.class_names = {"a", "b", "c"};
  for (int i = 0; i < n; ++i) {
    ImageRecord record;
    record.id = absl::StrCat(name, "_", i);
    record.path = absl::StrCat(std::getenv("TEST_TMPDIR"), "/", record.id, ".png");
    record.width = 20 + i;
    record.height = 10 + i;
    cv::Mat image(record.height, record.width, CV_8UC3, cv::Scalar(i, 2 * i, 3 * i));
    image.at<cv::Vec3b>(0, 0) = cv::Vec3b(255, 0, 0);  // blue top-left: shows flips
    cv::imwrite(record.path, image);
    Annotation annotation;
    annotation.box = Box{1, 2, 5.0 + i, 8};
    annotation.label = i % 3;
    record.annotations.push_back(annotation);
    dataset.images.push_back(record);
  }
  return dataset;
}

std::vector<int64_t> Iota(int n) {
  std::vector<int64_t> v(n);
  for (int i = 0; i < n; ++i) v[i] = i;
  return v;
}

LoaderOptions NoResize() {
  LoaderOptions options;
  options.transform.min_size = 0;
  return options;
}

// Dataset indices of one epoch, with their flip flags.
std::vector<std::pair<int64_t, bool>> Epoch(DataLoader& loader, int64_t epoch,
                                            std::vector<int>* batch_sizes = nullptr) {
  loader.StartEpoch(epoch);
  std::vector<std::pair<int64_t, bool>> seen;
  while (true) {
    absl::StatusOr<std::optional<Batch>> batch = loader.Next();
    EXPECT_TRUE(batch.ok()) << batch.status();
    if (!batch.ok() || !batch->has_value()) break;
    if (batch_sizes) batch_sizes->push_back((*batch)->size());
    for (const LoadedImage& image : **batch) seen.push_back({image.dataset_index, image.flipped});
  }
  return seen;
}

TEST(DataLoader, KeepsTheGivenOrderAndBatchesWithoutShuffle) {
  const Dataset dataset = MakeDataset("order", 10);
  LoaderOptions options = NoResize();
  options.batch_size = 3;
  options.num_threads = 3;
  DataLoader loader(dataset, {9, 0, 4, 1, 2, 3, 5, 6, 7, 8}, options);
  std::vector<int> sizes;
  const auto seen = Epoch(loader, 0, &sizes);
  ASSERT_EQ(seen.size(), 10u);
  EXPECT_EQ(seen[0].first, 9);
  EXPECT_EQ(seen[1].first, 0);
  EXPECT_EQ(seen[9].first, 8);
  EXPECT_THAT(sizes, ::testing::ElementsAre(3, 3, 3, 1));
  options.drop_last = true;
  DataLoader dropping(dataset, Iota(10), options);
  sizes.clear();
  EXPECT_EQ(Epoch(dropping, 0, &sizes).size(), 9u);
  EXPECT_THAT(sizes, ::testing::ElementsAre(3, 3, 3));
}

TEST(DataLoader, ShuffleAndFlipsDependOnSeedAndEpochNotOnThreads) {
  const Dataset dataset = MakeDataset("shuffle", 12);
  LoaderOptions options = NoResize();
  options.shuffle = true;
  options.flip_probability = 0.5;
  options.seed = 7;
  options.batch_size = 2;
  options.num_threads = 1;
  DataLoader one_thread(dataset, Iota(12), options);
  options.num_threads = 4;
  options.prefetch_batches = 1;
  DataLoader four_threads(dataset, Iota(12), options);
  const auto a = Epoch(one_thread, 3);
  EXPECT_EQ(a, Epoch(four_threads, 3));
  std::set<int64_t> indices;
  int flips = 0;
  for (const auto& [index, flipped] : a) {
    indices.insert(index);
    flips += flipped;
  }
  EXPECT_EQ(indices.size(), 12u);  // a permutation
  EXPECT_GT(flips, 0);
  EXPECT_LT(flips, 12);
  EXPECT_NE(a, Epoch(one_thread, 4));  // another epoch, another order
  EXPECT_EQ(a, Epoch(one_thread, 3));  // restarting an epoch repeats it
  options.seed = 8;
  DataLoader other_seed(dataset, Iota(12), options);
  EXPECT_NE(a, Epoch(other_seed, 3));
}

TEST(DataLoader, TensorsMatchTheTransformWithOneBasedLabels) {
  const Dataset dataset = MakeDataset("tensors", 3);
  LoaderOptions options;
  options.transform.min_size = 30;
  options.transform.max_size = 60;
  options.flip_probability = 1;
  DataLoader loader(dataset, {2}, options);
  absl::StatusOr<std::optional<Batch>> batch = loader.Next();
  ASSERT_TRUE(batch.ok() && batch->has_value());
  const LoadedImage& image = (**batch)[0];
  absl::StatusOr<TransformedImage> expected =
      TransformImage(dataset.images[2], options.transform, /*flip=*/true);
  ASSERT_TRUE(expected.ok());
  ASSERT_EQ(image.image.sizes(), (std::vector<int64_t>{3, expected->image.rows, expected->image.cols}));
  EXPECT_EQ(image.image.dtype(), torch::kFloat32);
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < expected->image.rows; y += 7) {
      for (int x = 0; x < expected->image.cols; x += 5) {
        EXPECT_EQ(image.image[c][y][x].item<float>(), expected->image.at<cv::Vec3f>(y, x)[c]);
      }
    }
  }
  // The blue top-left pixel ends up top-right after the flip, in channel 2 (RGB).
  EXPECT_FLOAT_EQ(image.image[2][0][image.image.size(2) - 1].item<float>(), 1.0f);
  EXPECT_EQ(image.labels.dtype(), torch::kInt64);
  EXPECT_EQ(image.labels[0].item<int64_t>(), 2 % 3 + 1);
  EXPECT_NEAR(image.boxes[0][0].item<float>(), expected->boxes[0].x1, 1e-5);
  EXPECT_NEAR(image.boxes[0][2].item<float>(), expected->boxes[0].x2, 1e-5);
  EXPECT_TRUE(image.flipped);
  EXPECT_EQ(image.original_width, 22);
  EXPECT_EQ(image.original_height, 12);
  EXPECT_FLOAT_EQ(image.scale, ResizeScale(22, 12, 30, 60));
  EXPECT_EQ(image.image_id, "tensors_2");
}

TEST(DataLoader, FlippedViewEqualsLoadingFlipped) {
  const Dataset dataset = MakeDataset("flip_view", 2);
  TransformOptions transform;
  transform.min_size = 25;
  transform.max_size = 50;
  absl::StatusOr<LoadedImage> plain = LoadImage(dataset, 1, transform, false);
  absl::StatusOr<LoadedImage> flipped = LoadImage(dataset, 1, transform, true);
  ASSERT_TRUE(plain.ok() && flipped.ok());
  const LoadedImage view = FlippedView(*plain);
  EXPECT_TRUE(view.flipped);
  EXPECT_TRUE(torch::equal(view.image, flipped->image));
  EXPECT_TRUE(torch::allclose(view.boxes, flipped->boxes));
  EXPECT_TRUE(torch::equal(view.labels, flipped->labels));
}

TEST(DataLoader, CorruptAndMissingImagesAreSkippedAndCounted) {
  Dataset dataset = MakeDataset("bad", 6);
  std::ofstream(dataset.images[2].path, std::ios::binary | std::ios::trunc) << "garbage";
  dataset.images[4].path += ".missing";
  LoaderOptions options = NoResize();
  options.batch_size = 2;
  DataLoader loader(dataset, Iota(6), options);
  std::vector<int> sizes;
  const auto seen = Epoch(loader, 0, &sizes);
  ASSERT_EQ(seen.size(), 4u);
  // Batches are positions [2k, 2k+2): a skipped image leaves its batch one
  // smaller (so data-parallel shards agree on batch boundaries without
  // decoding each other's images).
  EXPECT_THAT(sizes, ::testing::ElementsAre(2, 1, 1));
  EXPECT_EQ(loader.bad_samples().Count(BadSampleKind::kCorruptImage), 2);
  EXPECT_THAT(loader.bad_samples().examples[0], HasSubstr("bad_2.png): image does not decode"));
}

// bad_samples.json lists skips in epoch order, whichever worker decoded first:
// a missing file fails at once while a corrupt one is read first, so with the
// skips counted by the workers the order changed from run to run.
TEST(DataLoader, SkipsAreRecordedInEpochOrderWhateverTheThreads) {
  Dataset dataset = MakeDataset("bad_order", 12);
  for (int i : {1, 5, 9}) {
    std::ofstream(dataset.images[i].path, std::ios::binary | std::ios::trunc)
        << std::string(4096, 'x');
  }
  for (int i : {2, 6, 10}) dataset.images[i].path += ".missing";
  for (int threads : {1, 4, 8}) {
    for (int repeat = 0; repeat < 10; ++repeat) {
      LoaderOptions options = NoResize();
      options.batch_size = 4;
      options.num_threads = threads;
      DataLoader loader(dataset, Iota(12), options);
      ASSERT_EQ(Epoch(loader, 0).size(), 6u);
      const std::vector<std::string> examples = loader.bad_samples().examples;
      ASSERT_EQ(examples.size(), 6u);
      const std::vector<int> expected = {1, 2, 5, 6, 9, 10};
      for (size_t k = 0; k < expected.size(); ++k) {
        EXPECT_THAT(examples[k], HasSubstr(absl::StrCat("image 'bad_order_", expected[k], "'")))
            << threads << " threads, repeat " << repeat;
      }
    }
  }
}

TEST(DataLoader, FailFastStopsTheEpochWithTheFileName) {
  Dataset dataset = MakeDataset("fail_fast", 6);
  std::ofstream(dataset.images[3].path, std::ios::binary | std::ios::trunc) << "garbage";
  LoaderOptions options = NoResize();
  options.batch_size = 2;
  options.fail_fast = true;
  DataLoader loader(dataset, Iota(6), options);
  absl::StatusOr<std::optional<Batch>> first = loader.Next();
  ASSERT_TRUE(first.ok());
  absl::StatusOr<std::optional<Batch>> second = loader.Next();
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(std::string(second.status().message()), HasSubstr("fail_fast_3.png"));
  absl::StatusOr<std::optional<Batch>> after = loader.Next();
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->has_value());
}

TEST(DataLoader, CanBeAbandonedMidEpoch) {
  const Dataset dataset = MakeDataset("abandon", 8);
  LoaderOptions options = NoResize();
  options.num_threads = 3;
  auto loader = std::make_unique<DataLoader>(dataset, Iota(8), options);
  ASSERT_TRUE(loader->Next().ok());
  loader->StartEpoch(1);
  ASSERT_TRUE(loader->Next().ok());
  loader.reset();  // joins its workers without hanging
}

}  // namespace
}  // namespace huale
