#include "huale/engine/inference.h"

#include <chrono>
#include <optional>

#include <torch/torch.h>

#include "huale/data/loader.h"
#include "huale/engine/device.h"
#include "huale/engine/progress.h"

namespace huale {
namespace {

LoaderOptions PlainLoaderOptions(const InferenceOptions& options) {
  LoaderOptions loader;
  loader.batch_size = options.batch_size;
  loader.num_threads = options.loader_threads;
  loader.shuffle = false;
  loader.flip_probability = 0;
  loader.fail_fast = options.fail_fast_on_bad_images;
  loader.transform.min_size = options.min_size;
  loader.transform.max_size = options.max_size;
  return loader;
}

// Runs the detector on `views` (already on the device) and names the results.
absl::StatusOr<std::vector<ImageDetections>> DetectViews(Detector& model,
                                                         const std::vector<const LoadedImage*>& views,
                                                         const torch::Device& device,
                                                         const DetectOptions& detect_options) {
  std::vector<torch::Tensor> images;
  std::vector<ImageSize> sizes;
  for (const LoadedImage* view : views) {
    images.push_back(ToDevice(view->image, device));
    sizes.push_back({view->original_height, view->original_width});
  }
  absl::StatusOr<std::vector<ImageDetections>> detections =
      model.Detect(images, sizes, detect_options);
  if (!detections.ok()) return detections.status();
  for (size_t i = 0; i < views.size(); ++i) {
    (*detections)[i].image_id = views[i]->image_id;
    (*detections)[i].width = views[i]->original_width;
    (*detections)[i].height = views[i]->original_height;
  }
  return detections;
}

}  // namespace

absl::StatusOr<std::vector<ImageDetections>> DetectImages(Detector& model, const Dataset& dataset,
                                                          const std::vector<int64_t>& indices,
                                                          const InferenceOptions& options,
                                                          const DetectOptions& detect_options) {
  const torch::Device device(options.device);
  model.to(device);
  model.eval();
  torch::NoGradGuard no_grad;
  DataLoader loader(dataset, indices, PlainLoaderOptions(options));
  loader.StartEpoch(0);
  ProgressBar bar(options.label, loader.size(), "img", options.progress);
  std::vector<ImageDetections> all;
  all.reserve(indices.size());
  while (true) {
    absl::StatusOr<std::optional<Batch>> next = loader.Next();
    if (!next.ok()) return next.status();
    if (!next->has_value()) break;
    if ((*next)->empty()) continue;  // every image of the batch was skipped
    std::vector<const LoadedImage*> views;
    for (const LoadedImage& item : **next) views.push_back(&item);
    absl::StatusOr<std::vector<ImageDetections>> detections =
        DetectViews(model, views, device, detect_options);
    if (!detections.ok()) return detections.status();
    for (ImageDetections& d : *detections) all.push_back(std::move(d));
    bar.Advance(static_cast<int64_t>(views.size()));
  }
  return all;
}

absl::StatusOr<PoolScoringResult> ScorePool(Detector* model, const Dataset& dataset,
                                            const std::vector<int64_t>& indices,
                                            const AcquisitionFunction& acquisition,
                                            const ScoringContext& context,
                                            const InferenceOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  PoolScoringResult result;
  result.scores.reserve(indices.size());
  if (!acquisition.needs_detections() || model == nullptr) {
    for (int64_t index : indices) {
      ImageDetections empty;
      empty.image_id = dataset.images[index].id;
      result.scores.push_back(acquisition.Score(empty, empty, context));
    }
  } else {
    const torch::Device device(options.device);
    model->to(device);
    model->eval();
    torch::NoGradGuard no_grad;
    DataLoader loader(dataset, indices, PlainLoaderOptions(options));
    loader.StartEpoch(0);
    ProgressBar bar(options.label, loader.size(), "img", options.progress);
    DetectOptions detect_options;
    detect_options.class_probs = true;
    detect_options.one_per_proposal = options.one_detection_per_proposal;
    detect_options.embedding = acquisition.needs_embeddings();
    detect_options.instance_features = acquisition.needs_instance_features();
    while (true) {
      absl::StatusOr<std::optional<Batch>> next = loader.Next();
      if (!next.ok()) return next.status();
      if (!next->has_value()) break;
      const Batch& batch = **next;
      if (batch.empty()) continue;  // every image of the batch was skipped
      // x and flip(x) in one pass: [x_1..x_B, flip(x_1)..flip(x_B)].
      std::vector<LoadedImage> flipped;
      flipped.reserve(batch.size());
      for (const LoadedImage& item : batch) flipped.push_back(FlippedView(item));
      std::vector<const LoadedImage*> views;
      for (const LoadedImage& item : batch) views.push_back(&item);
      for (const LoadedImage& item : flipped) views.push_back(&item);
      absl::StatusOr<std::vector<ImageDetections>> detections =
          DetectViews(*model, views, device, detect_options);
      if (!detections.ok()) return detections.status();
      for (size_t i = 0; i < batch.size(); ++i) {
        const ImageDetections flipped_back = MapFlippedBack((*detections)[batch.size() + i]);
        result.scores.push_back(acquisition.Score((*detections)[i], flipped_back, context));
      }
      bar.Advance(static_cast<int64_t>(batch.size()));
    }
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.images_per_second = result.seconds > 0 ? result.scores.size() / result.seconds : 0;
  return result;
}

namespace {

// Adds the gt boxes of `record` to `counts` (one entry per class).
template <typename Count>
void AddClassCounts(const ImageRecord& record, std::vector<Count>& counts) {
  for (const Annotation& annotation : record.annotations) {
    if (annotation.label >= 0 && annotation.label < static_cast<int>(counts.size())) {
      counts[annotation.label] += 1;
    }
  }
}

}  // namespace

std::vector<double> LabelledClassShare(const Dataset& dataset,
                                       const std::vector<int64_t>& labelled) {
  std::vector<double> share(dataset.class_names.size(), 0.0);
  for (int64_t index : labelled) AddClassCounts(dataset.images[index], share);
  double total = 0;
  for (double n : share) total += n;
  if (total > 0) {
    for (double& s : share) s /= total;
  }
  return share;
}

void FillGroundTruthClassCounts(const Dataset& dataset, const std::vector<int64_t>& labelled,
                                const std::vector<int64_t>& candidates,
                                ScoringContext& context) {
  const size_t num_classes = dataset.class_names.size();
  context.labelled_class_counts.assign(num_classes, 0);
  for (int64_t index : labelled) {
    AddClassCounts(dataset.images[index], context.labelled_class_counts);
  }
  context.ground_truth_class_counts.clear();
  for (int64_t index : candidates) {
    std::vector<int>& counts = context.ground_truth_class_counts[dataset.images[index].id];
    counts.assign(num_classes, 0);
    AddClassCounts(dataset.images[index], counts);
  }
}

InferenceOptions InferenceOptionsFor(const ExperimentSpec& spec, std::string label) {
  InferenceOptions options;
  options.batch_size = spec.training().batch_size();
  options.loader_threads = spec.training().loader_threads();
  options.min_size = spec.training().min_size();
  options.max_size = spec.training().max_size();
  options.device = spec.device();
  options.fail_fast_on_bad_images =
      spec.dataset().bad_sample_policy() == DatasetSpec::FAIL_FAST;
  options.one_detection_per_proposal = spec.acquisition().one_detection_per_proposal();
  options.label = std::move(label);
  return options;
}

}  // namespace huale
