// Multi-threaded data loader: N worker threads decode and transform images
// (transforms.h) into a bounded prefetch buffer; batches come out in a seeded
// per-epoch order that does not depend on thread timing, so a run is
// reproducible whatever the thread count. The same loader serves training
// (shuffle, random flips), evaluation and pool scoring (no shuffle, no flip);
// FlippedView() gives the scoring flip view from the same transform code.
#ifndef HUALE_DATA_LOADER_H_
#define HUALE_DATA_LOADER_H_

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <torch/types.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "huale/data/bad_samples.h"
#include "huale/data/dataset.h"
#include "huale/data/transforms.h"

namespace huale {

// One image as the detector takes it (before its own normalise + pad).
struct LoadedImage {
  std::string image_id;
  int64_t dataset_index = 0;     // index into Dataset::images
  torch::Tensor image;           // [3, H, W] float32 RGB in [0, 1]
  torch::Tensor boxes;           // [N, 4] float32 xyxy in the resized (flipped) image
  torch::Tensor labels;          // [N] int64, ONE-based (0 = background, torchvision)
  float scale = 1;               // nominal resize factor
  bool flipped = false;
  int original_width = 0;
  int original_height = 0;
  // Position in the loader's epoch order (0 for images loaded otherwise): with
  // the seed and epoch it names the image's draws (e.g. the detector's samplers)
  // whatever batch or process it lands in.
  int64_t epoch_position = 0;
};

using Batch = std::vector<LoadedImage>;

struct LoaderOptions {
  int batch_size = 1;
  int num_threads = 2;
  // Capacity of the prefetch buffer, in batches (at least one image per thread).
  int prefetch_batches = 2;
  // Seeded per-epoch permutation of the indices; false keeps the given order.
  bool shuffle = false;
  uint64_t seed = 0;
  // Each image is flipped with this probability, decided by (seed, epoch,
  // position): 0 for evaluation/scoring, 0.5 for training, 1 for a flipped pass.
  double flip_probability = 0;
  // Leave out a last, smaller batch.
  bool drop_last = false;
  // Data-parallel sharding. Batches are formed over the whole seeded epoch
  // order exactly as with one shard (same order, flips and batch boundaries:
  // batch k is positions [k*b, (k+1)*b)); this loader decodes and returns only
  // its slice of each: of a batch of m positions, shard s of n takes
  // [floor(s*m/n), floor((s+1)*m/n)). Every shard returns one Batch (maybe
  // empty) per global batch, so the shards stay in step.
  int shard_index = 0;
  int num_shards = 1;
  // A corrupt or missing image stops the epoch with an error (FAIL_FAST) or is
  // skipped and counted (SKIP_AND_COUNT).
  bool fail_fast = false;
  TransformOptions transform;
};

// Turns a transformed image into tensors (HWC -> CHW, labels + 1).
LoadedImage ToLoadedImage(const TransformedImage& transformed, const ImageRecord& record,
                          int64_t dataset_index);

// Loads one image synchronously, through the same path as the loader.
absl::StatusOr<LoadedImage> LoadImage(const Dataset& dataset, int64_t dataset_index,
                                      const TransformOptions& options, bool flip);

// The horizontally mirrored view of `image` (image and boxes), for pool scoring.
LoadedImage FlippedView(const LoadedImage& image);

class DataLoader {
 public:
  // `dataset` must outlive the loader. `indices` index Dataset::images.
  DataLoader(const Dataset& dataset, std::vector<int64_t> indices, LoaderOptions options);
  ~DataLoader();
  DataLoader(const DataLoader&) = delete;
  DataLoader& operator=(const DataLoader&) = delete;

  // Starts (or restarts) epoch `epoch`: order and flips depend on (seed, epoch).
  void StartEpoch(int64_t epoch);

  // The next batch of the current epoch; nullopt once the epoch is done. Batch k
  // holds the positions [k*b, (k+1)*b) of the epoch order (this shard's part of
  // them); a skipped image leaves its batch one smaller, and a batch whose
  // images were all skipped is empty, not the end. Under fail_fast, a bad image
  // ends the epoch with its error. Starts epoch 0 if no epoch was started.
  absl::StatusOr<std::optional<Batch>> Next();

  // Images in an epoch, over all shards.
  int64_t size() const { return static_cast<int64_t>(indices_.size()); }
  // Batches in an epoch (the same on every shard).
  int64_t num_batches() const;
  // Images skipped so far (all epochs).
  BadSampleSummary bad_samples() const { return log_.summary(); }

 private:
  struct Slot {
    std::optional<LoadedImage> image;  // empty: skipped
    absl::Status failure;              // why the image did not load
    int64_t index = -1;                // its dataset index, when it did not
  };
  void StopWorkers();
  void WorkerLoop();

  const Dataset& dataset_;
  const std::vector<int64_t> indices_;
  const LoaderOptions options_;
  BadSampleLog log_;
  std::set<int64_t> warned_;  // images whose skip was logged (consumer thread)

  std::mutex mutex_;
  std::condition_variable slot_ready_;
  std::condition_variable slot_free_;
  std::vector<std::thread> workers_;
  bool started_ = false;
  bool stop_ = false;
  int64_t epoch_ = 0;
  std::vector<int64_t> order_;  // dataset indices in this epoch's order
  std::vector<bool> flips_;
  // The epoch positions this shard loads, in order, and per global batch its
  // [begin, end) range of them. Workers and the consumer count in mine_'s
  // indices.
  std::vector<int64_t> mine_;
  std::vector<std::pair<int64_t, int64_t>> batches_;
  int64_t next_batch_ = 0;
  int64_t next_to_claim_ = 0;
  int64_t next_to_consume_ = 0;
  std::map<int64_t, Slot> ready_;
};

}  // namespace huale

#endif  // HUALE_DATA_LOADER_H_
