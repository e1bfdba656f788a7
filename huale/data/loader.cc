#include "huale/data/loader.h"

#include <algorithm>
#include <utility>

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "glog/logging.h"
#include "huale/data/seeded_random.h"

namespace huale {

LoadedImage ToLoadedImage(const TransformedImage& transformed, const ImageRecord& record,
                          int64_t dataset_index) {
  LoadedImage out;
  out.image_id = record.id;
  out.dataset_index = dataset_index;
  const int height = transformed.image.rows;
  const int width = transformed.image.cols;
  out.image = torch::empty({3, height, width}, torch::kFloat32);
  float* data = out.image.data_ptr<float>();
  std::vector<cv::Mat> planes;
  for (int c = 0; c < 3; ++c) {
    planes.emplace_back(height, width, CV_32FC1, data + static_cast<int64_t>(c) * height * width);
  }
  cv::split(transformed.image, planes);
  const int64_t n = static_cast<int64_t>(transformed.boxes.size());
  out.boxes = torch::empty({n, 4}, torch::kFloat32);
  out.labels = torch::empty({n}, torch::kInt64);
  auto boxes = out.boxes.accessor<float, 2>();
  auto labels = out.labels.accessor<int64_t, 1>();
  for (int64_t i = 0; i < n; ++i) {
    const Box& box = transformed.boxes[i];
    boxes[i][0] = static_cast<float>(box.x1);
    boxes[i][1] = static_cast<float>(box.y1);
    boxes[i][2] = static_cast<float>(box.x2);
    boxes[i][3] = static_cast<float>(box.y2);
    labels[i] = transformed.labels[i] + 1;
  }
  out.scale = transformed.scale;
  out.flipped = transformed.flipped;
  out.original_width = transformed.original_width;
  out.original_height = transformed.original_height;
  return out;
}

absl::StatusOr<LoadedImage> LoadImage(const Dataset& dataset, int64_t dataset_index,
                                      const TransformOptions& options, bool flip) {
  CHECK_GE(dataset_index, 0);
  CHECK_LT(dataset_index, static_cast<int64_t>(dataset.images.size()));
  const ImageRecord& record = dataset.images[dataset_index];
  absl::StatusOr<TransformedImage> transformed = TransformImage(record, options, flip);
  if (!transformed.ok()) return transformed.status();
  return ToLoadedImage(*transformed, record, dataset_index);
}

LoadedImage FlippedView(const LoadedImage& image) {
  LoadedImage out = image;
  out.image = image.image.flip({2}).contiguous();
  const double width = static_cast<double>(image.image.size(2));
  std::vector<Box> boxes;
  auto in = image.boxes.accessor<float, 2>();
  for (int64_t i = 0; i < image.boxes.size(0); ++i) {
    boxes.push_back(Box{in[i][0], in[i][1], in[i][2], in[i][3]});
  }
  FlipBoxesHorizontally(boxes, width);
  out.boxes = torch::empty_like(image.boxes);
  auto flipped = out.boxes.accessor<float, 2>();
  for (int64_t i = 0; i < static_cast<int64_t>(boxes.size()); ++i) {
    flipped[i][0] = static_cast<float>(boxes[i].x1);
    flipped[i][1] = static_cast<float>(boxes[i].y1);
    flipped[i][2] = static_cast<float>(boxes[i].x2);
    flipped[i][3] = static_cast<float>(boxes[i].y2);
  }
  out.flipped = !image.flipped;
  return out;
}

DataLoader::DataLoader(const Dataset& dataset, std::vector<int64_t> indices,
                       LoaderOptions options)
    : dataset_(dataset),
      indices_(std::move(indices)),
      options_(std::move(options)),
      log_(options_.fail_fast) {
  CHECK_GE(options_.batch_size, 1);
  CHECK_GE(options_.num_threads, 1);
  CHECK(options_.num_shards >= 1 && options_.shard_index >= 0 &&
        options_.shard_index < options_.num_shards)
      << "shard " << options_.shard_index << " of " << options_.num_shards;
  for (const int64_t index : indices_) {
    CHECK(index >= 0 && index < static_cast<int64_t>(dataset_.images.size()))
        << "loader index " << index << " outside the dataset of " << dataset_.images.size();
  }
  // The loader's threads are the parallelism; OpenCV's own pool inside each
  // would oversubscribe the cores.
  cv::setNumThreads(1);
}

DataLoader::~DataLoader() { StopWorkers(); }

void DataLoader::StopWorkers() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  slot_free_.notify_all();
  slot_ready_.notify_all();
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
}

void DataLoader::StartEpoch(int64_t epoch) {
  StopWorkers();
  epoch_ = epoch;
  order_ = indices_;
  const uint64_t epoch_seed = MixSeed(options_.seed, static_cast<uint64_t>(epoch));
  if (options_.shuffle) SeededShuffle(order_, epoch_seed);
  flips_.assign(order_.size(), false);
  SeededRandom flip_random(MixSeed(epoch_seed, 0x9e3779b97f4a7c15ULL));
  for (size_t i = 0; i < order_.size(); ++i) {
    flips_[i] = flip_random.Uniform01() < options_.flip_probability;
  }
  // Global batches, this shard's slice of each.
  mine_.clear();
  batches_.clear();
  const int64_t total = static_cast<int64_t>(order_.size());
  const int64_t b = options_.batch_size, n = options_.num_shards, s = options_.shard_index;
  for (int64_t first = 0; first < total; first += b) {
    const int64_t m = std::min(b, total - first);
    if (options_.drop_last && m < b) break;
    const int64_t begin = static_cast<int64_t>(mine_.size());
    for (int64_t p = first + s * m / n; p < first + (s + 1) * m / n; ++p) mine_.push_back(p);
    batches_.emplace_back(begin, static_cast<int64_t>(mine_.size()));
  }
  next_batch_ = 0;
  next_to_claim_ = 0;
  next_to_consume_ = 0;
  ready_.clear();
  stop_ = false;
  started_ = true;
  const int threads = std::max<int>(1, std::min<int64_t>(options_.num_threads, mine_.size()));
  for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

void DataLoader::WorkerLoop() {
  const int64_t capacity = std::max<int64_t>(
      options_.num_threads, static_cast<int64_t>(options_.prefetch_batches) * options_.batch_size);
  const int64_t total = static_cast<int64_t>(mine_.size());
  while (true) {
    int64_t claimed;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      slot_free_.wait(lock, [&] {
        return stop_ || next_to_claim_ >= total || next_to_claim_ < next_to_consume_ + capacity;
      });
      if (stop_ || next_to_claim_ >= total) return;
      claimed = next_to_claim_++;
    }
    const int64_t position = mine_[claimed];
    const int64_t index = order_[position];
    Slot slot;
    absl::StatusOr<LoadedImage> loaded =
        LoadImage(dataset_, index, options_.transform, flips_[position]);
    if (loaded.ok()) {
      slot.image = std::move(*loaded);
      slot.image->epoch_position = position;
    } else {
      // Counted by the consumer, in epoch order, so bad_samples.json and the
      // warnings do not depend on which worker finished first.
      slot.index = index;
      slot.failure = std::move(loaded).status();
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ready_.emplace(claimed, std::move(slot));
    }
    slot_ready_.notify_all();
  }
}

int64_t DataLoader::num_batches() const {
  const int64_t n = size(), b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

absl::StatusOr<std::optional<Batch>> DataLoader::Next() {
  if (!started_) StartEpoch(0);
  if (next_batch_ >= static_cast<int64_t>(batches_.size())) return std::optional<Batch>();
  const auto [begin, end] = batches_[next_batch_++];
  Batch batch;
  for (int64_t j = begin; j < end; ++j) {
    Slot slot;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      slot_ready_.wait(lock, [&] { return stop_ || ready_.count(j) > 0; });
      if (stop_) return absl::CancelledError("the loader was stopped");
      auto it = ready_.find(j);
      slot = std::move(it->second);
      ready_.erase(it);
      next_to_consume_ = j + 1;
    }
    slot_free_.notify_all();
    if (!slot.failure.ok()) {
      const ImageRecord& record = dataset_.images[slot.index];
      absl::string_view reason = slot.failure.message();
      absl::ConsumePrefix(&reason, absl::StrCat(record.path, ": "));  // named once
      const std::string message =
          absl::StrCat("image '", record.id, "' (", record.path, "): ", reason);
      absl::Status verdict = log_.Skip(BadSampleKind::kCorruptImage, message);
      if (!verdict.ok()) {  // fail-fast
        StopWorkers();
        next_batch_ = static_cast<int64_t>(batches_.size());  // the epoch ends here
        return verdict;
      }
      // Said once per image, not once per epoch.
      if (warned_.insert(slot.index).second) LOG(WARNING) << "skipped " << message;
    }
    if (slot.image) batch.push_back(std::move(*slot.image));
  }
  return std::optional<Batch>(std::move(batch));
}

}  // namespace huale
