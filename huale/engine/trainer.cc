#include "huale/engine/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>

#include <unistd.h>

#include <torch/torch.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "glog/logging.h"
#include "huale/data/loader.h"
#include "huale/data/seeded_random.h"
#include "huale/core/atomic_file.h"
#include "huale/core/status_macros.h"
#include "huale/engine/checkpoint.h"
#include "huale/engine/device.h"
#include "huale/engine/lr_schedule.h"
#include "huale/engine/progress.h"

namespace huale {
namespace {

LrScheduleOptions ScheduleFrom(const TrainingSpec& training) {
  LrScheduleOptions options;
  options.base_lr = training.learning_rate();
  options.warmup_iterations = training.warmup_iterations();
  options.warmup_factor = training.warmup_factor();
  options.lr_steps.assign(training.lr_steps().begin(), training.lr_steps().end());
  options.gamma = training.lr_gamma();
  options.steps_in_iterations = training.iterations() > 0;
  return options;
}

std::vector<torch::Tensor> TrainableParameters(Detector& model) {
  std::vector<torch::Tensor> parameters;
  for (const torch::Tensor& p : model.parameters()) {
    if (p.requires_grad()) parameters.push_back(p);
  }
  return parameters;
}

std::string DescribeLosses(const std::map<std::string, torch::Tensor>& losses) {
  std::vector<std::string> terms;
  for (const auto& [name, value] : losses) {
    terms.push_back(absl::StrFormat("%s=%g", name, value.item<double>()));
  }
  return absl::StrJoin(terms, " ");
}

// "cycle 2/7 epoch 3/20", or with an iteration budget "cycle 2/7 epoch 3, step 40/500".
std::string EpochLabel(const TrainerOptions& options, int epoch, int64_t iteration) {
  const TrainingSpec& training = options.training;
  if (training.iterations() > 0) {
    return absl::StrFormat("%s epoch %d, step %d/%d", options.label, epoch + 1, iteration,
                           training.iterations());
  }
  return absl::StrFormat("%s epoch %d/%d", options.label, epoch + 1, training.epochs());
}

absl::Status NonFiniteLoss(const TrainerOptions& options, int epoch, int64_t iteration,
                           const std::string& terms) {
  return absl::FailedPreconditionError(absl::StrCat(
      options.label, " epoch ", epoch + 1, " iteration ", iteration, ": the loss is not finite (",
      terms, "); lower the learning rate or check the data. The last good checkpoint is ",
      options.train_state_path.empty() || !std::filesystem::exists(options.train_state_path)
          ? "(none)"
          : options.train_state_path));
}

// Where training starts, the same on every rank: rank 0 resumes from the train
// state when there is one (and sends it to the others), else every rank takes
// rank 0's weights (its fresh initialisation or the warm start it loaded).
absl::StatusOr<TrainPosition> StartPosition(Detector& model, torch::optim::SGD& optimizer,
                                            Collectives& group, const TrainerOptions& options) {
  const std::string& path = options.train_state_path;
  const bool has_state = group.is_main() && !path.empty() && std::filesystem::exists(path);
  TrainPosition position;
  absl::Status loaded;
  std::string state_file = path;  // the train state that loaded (maybe the previous one)
  if (has_state) {
    absl::StatusOr<TrainPosition> resumed =
        LoadCheckpointOrPrevious(path, model, &optimizer, &state_file);
    if (resumed.ok()) {
      position = *resumed;
      LOG(INFO) << options.label << ": resuming training after epoch " << position.epochs_done;
    }
    loaded = resumed.status();
  }
  if (group.world_size() == 1) {
    if (!loaded.ok()) return loaded;
    return position;
  }
  // 0: start from rank 0's weights, 1: from its train state, -1: it failed.
  HUALE_ASSIGN_OR_RETURN(const int64_t how,
                         group.BroadcastValue(!loaded.ok() ? -1 : (has_state ? 1 : 0),
                                              absl::StrCat(options.label, ": training start")));
  if (!loaded.ok()) return loaded;
  if (how < 0) return absl::AbortedError("rank 0 could not load the train state (see its log)");
  if (how == 0) {
    HUALE_RETURN_IF_ERROR(
        BroadcastModuleState(model, group, absl::StrCat(options.label, ": start weights")));
    return position;
  }
  std::string state;
  if (group.is_main()) {
    HUALE_ASSIGN_OR_RETURN(state, ReadFile(state_file));
  }
  HUALE_ASSIGN_OR_RETURN(state,
                         group.BroadcastBytes(state, absl::StrCat(options.label, ": train state")));
  if (group.is_main()) return position;
  // LibTorch reads archives from files: a private copy, removed at once.
  const std::string copy = (std::filesystem::temp_directory_path() /
                            absl::StrCat("huale_train_state.", getpid(), ".pt"))
                               .string();
  HUALE_RETURN_IF_ERROR(WriteFileAtomically(copy, state));
  absl::StatusOr<TrainPosition> resumed = LoadCheckpoint(copy, model, &optimizer);
  std::error_code ignored;
  std::filesystem::remove(copy, ignored);
  return resumed;
}

// Sums over ranks (shard images x shard-mean gradient) and (shard images x
// shard loss), divides by the batch's images: the gradient and loss of the
// whole-batch mean, given that every image contributes the same number of
// sampled anchors and proposals (the samplers fill batch_size_per_image). Each
// parameter's .grad is replaced by the average. Returns (loss, batch images).
absl::StatusOr<std::pair<double, int64_t>> AverageGradients(
    Collectives& group, const std::vector<torch::Tensor>& parameters, double shard_loss,
    int64_t shard_images, const torch::Device& device, const std::string& what) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> sums;
  sums.reserve(parameters.size() + 1);
  for (const torch::Tensor& p : parameters) {
    sums.push_back(p.grad().defined() ? p.grad() * static_cast<double>(shard_images)
                                      : torch::zeros_like(p));
  }
  sums.push_back(torch::tensor({shard_loss * shard_images, static_cast<double>(shard_images)},
                               torch::kFloat64));
  HUALE_RETURN_IF_ERROR(group.AllReduceSum(sums, what));
  const double loss_sum = sums.back()[0].item<double>();
  const int64_t images = std::llround(sums.back()[1].item<double>());
  if (images == 0) return std::make_pair(0.0, int64_t{0});
  for (size_t i = 0; i < parameters.size(); ++i) {
    torch::Tensor p = parameters[i];
    p.mutable_grad() = (sums[i] / static_cast<double>(images)).to(device);
  }
  return std::make_pair(loss_sum / images, images);
}

}  // namespace

// After the first epoch trained: the images no rank could read, against the
// allowed share (CheckSkippedShare); every rank gets the same answer.
absl::Status CheckSkippedImages(Collectives& group, const DataLoader& loader, int64_t loaded,
                                const TrainerOptions& options, TrainSummary& summary) {
  // Each rank's loader read its own shard: the counts and the images named
  // are every rank's (rank 0 records them in bad_samples.json).
  const BadSampleSummary mine = loader.bad_samples();
  std::string sent = absl::StrCat(loaded, "\n", mine.Total());
  for (const std::string& example : mine.examples) {
    absl::StrAppend(&sent, "\n", absl::StrReplaceAll(example, {{"\n", " "}}));
  }
  HUALE_ASSIGN_OR_RETURN(const std::vector<std::string> all,
                         group.AllGather(sent, absl::StrCat(options.label, " skipped images")));
  int64_t read = 0, skipped = 0;
  std::vector<std::string> examples;
  for (const std::string& rank : all) {
    const std::vector<std::string> lines = absl::StrSplit(rank, '\n');
    int64_t a = 0, b = 0;
    if (lines.size() < 2 || !absl::SimpleAtoi(lines[0], &a) || !absl::SimpleAtoi(lines[1], &b)) {
      return absl::InternalError("malformed skipped-image counts from a rank");
    }
    read += a;
    skipped += b;
    examples.insert(examples.end(), lines.begin() + 2, lines.end());
  }
  summary.skipped = BadSampleSummary();
  for (const std::string& example : examples) {
    summary.skipped.Add(BadSampleKind::kCorruptImage, example);
  }
  if (skipped > 0) {
    // Past BadSampleSummary::kMaxExamples a rank sends its count alone.
    summary.skipped.counts[std::string(BadSampleKindName(BadSampleKind::kCorruptImage))] = skipped;
  }
  return CheckSkippedShare(absl::StrCat(options.label, " training"), skipped, read + skipped,
                           options.max_skipped_image_share, examples);
}

absl::StatusOr<TrainSummary> TrainDetector(Detector& model, const Dataset& dataset,
                                           const std::vector<int64_t>& labelled,
                                           const TrainerOptions& options) {
  const TrainingSpec& training = options.training;
  const torch::Device device(options.device);
  model.to(device);
  model.train();

  const std::vector<torch::Tensor> parameters = TrainableParameters(model);
  torch::optim::SGD optimizer(parameters,
                              torch::optim::SGDOptions(training.learning_rate())
                                  .momentum(training.momentum())
                                  .weight_decay(training.weight_decay()));
  std::unique_ptr<Collectives> single;
  Collectives& group = options.collectives != nullptr ? *options.collectives
                                                      : *(single = SingleProcess());
  absl::StatusOr<TrainPosition> resumed = StartPosition(model, optimizer, group, options);
  if (!resumed.ok()) return resumed.status();
  TrainPosition position = *resumed;
  const bool main = group.is_main();

  LoaderOptions loader_options;
  loader_options.batch_size = training.batch_size();
  loader_options.num_threads = training.loader_threads();
  loader_options.shuffle = true;
  loader_options.seed = StreamSeed(options.seed, options.cycle);
  loader_options.flip_probability = training.horizontal_flip_probability();
  loader_options.fail_fast = options.fail_fast_on_bad_images;
  loader_options.transform.min_size = training.min_size();
  loader_options.transform.max_size = training.max_size();
  loader_options.shard_index = group.rank();
  loader_options.num_shards = group.world_size();
  DataLoader loader(dataset, labelled, loader_options);

  const LrScheduleOptions schedule = ScheduleFrom(training);
  TrainSummary summary;
  const auto start = std::chrono::steady_clock::now();
  int64_t images_seen = 0;
  int64_t first_epoch_loaded = 0;  // this rank's images read in the first epoch of this call
  // With an iteration budget the epochs run on until the budget is spent; the
  // last one stops part-way.
  const bool iteration_budget = training.iterations() > 0;
  const auto budget_spent = [&] {
    return iteration_budget && position.iteration >= training.iterations();
  };
  for (int epoch = static_cast<int>(position.epochs_done);
       iteration_budget ? !budget_spent() : epoch < training.epochs(); ++epoch) {
    torch::manual_seed(StreamSeed(options.seed, options.cycle, epoch + 1));
    loader.StartEpoch(epoch);
    ProgressBar bar(EpochLabel(options, epoch, position.iteration), loader.size(), "img",
                    options.progress);
    double loss_sum = 0;
    int64_t batches = 0;
    while (!budget_spent()) {
      absl::StatusOr<std::optional<Batch>> next = loader.Next();
      if (!next.ok()) return next.status();
      if (!next->has_value()) break;
      const Batch& batch = **next;
      if (summary.epochs_trained == 0) first_epoch_loaded += static_cast<int64_t>(batch.size());
      std::vector<torch::Tensor> images;
      std::vector<DetectionTarget> targets;
      for (const LoadedImage& item : batch) {
        images.push_back(ToDevice(item.image, device));
        // The image's samples depend on (seed, cycle, epoch, position) only: the
        // same in any batch and on any rank.
        targets.push_back({ToDevice(item.boxes, device), ToDevice(item.labels, device),
                           StreamSeed(MixSeed(options.seed, 0x53414d50),
                                      static_cast<uint64_t>(options.cycle) * 1000003 + epoch + 1,
                                      static_cast<uint64_t>(item.epoch_position))});
      }
      const double lr = LearningRateAt(schedule, position.iteration, epoch);
      for (auto& group_options : optimizer.param_groups()) {
        static_cast<torch::optim::SGDOptions&>(group_options.options()).lr(lr);
      }
      const int64_t shard_images = static_cast<int64_t>(batch.size());
      std::map<std::string, torch::Tensor> losses;
      double total_value = 0;
      optimizer.zero_grad();
      if (shard_images > 0) {
        absl::StatusOr<std::map<std::string, torch::Tensor>> computed;
        {
          const AutocastScope autocast(device, training.amp());
          computed = model.Losses(images, targets);
        }
        if (!computed.ok()) return computed.status();
        losses = std::move(*computed);
        torch::Tensor total = torch::zeros({}, torch::TensorOptions().device(device));
        for (const auto& [name, value] : losses) total = total + value;
        total_value = total.item<double>();
        if (group.world_size() == 1 && !std::isfinite(total_value) &&
            training.stop_on_nonfinite_loss()) {
          return NonFiniteLoss(options, epoch, position.iteration, DescribeLosses(losses));
        }
        total.backward();
      }
      int64_t batch_images = shard_images;
      if (group.world_size() > 1) {
        absl::StatusOr<std::pair<double, int64_t>> reduced =
            AverageGradients(group, parameters, total_value, shard_images, device,
                             absl::StrCat(options.label, " train step ", position.iteration));
        if (!reduced.ok()) return reduced.status();
        total_value = reduced->first;
        batch_images = reduced->second;
        if (!std::isfinite(total_value) && training.stop_on_nonfinite_loss()) {
          return NonFiniteLoss(options, epoch, position.iteration,
                               shard_images > 0 ? DescribeLosses(losses) : "this rank: no images");
        }
      }
      if (batch_images == 0) continue;  // every image of the batch was skipped: no step
      if (training.clip_grad_norm() > 0) {
        torch::nn::utils::clip_grad_norm_(optimizer.param_groups()[0].params(),
                                          training.clip_grad_norm());
      }
      optimizer.step();
      ++position.iteration;
      ++batches;
      loss_sum += total_value;
      images_seen += batch_images;
      bar.Advance(batch_images,
                  absl::StrFormat("loss %.3f lr %.2g", loss_sum / batches, lr));
    }
    bar.Finish();
    if (summary.epochs_trained == 0 && !options.fail_fast_on_bad_images) {
      HUALE_RETURN_IF_ERROR(
          CheckSkippedImages(group, loader, first_epoch_loaded, options, summary));
    }
    if (batches == 0 && iteration_budget) break;  // nothing labelled: no budget can be spent
    const double mean_loss = batches > 0 ? loss_sum / batches : 0;
    summary.epoch_mean_loss.push_back(mean_loss);
    ++summary.epochs_trained;
    position.epochs_done = epoch + 1;
    if (main && !options.train_state_path.empty()) {
      if (absl::Status saved = SaveCheckpointKeepingPrevious(options.train_state_path, model,
                                                             &optimizer, position);
          !saved.ok()) {
        return saved;
      }
    }
    if (options.events != nullptr) {
      const int64_t step = static_cast<int64_t>(options.cycle) * 1000 + epoch;
      options.events->AddScalar(absl::StrCat("train/loss_cycle", options.cycle), mean_loss, epoch + 1)
          .IgnoreError();
      options.events->AddScalar("train/loss", mean_loss, step).IgnoreError();
      options.events->Flush().IgnoreError();
    }
  }
  summary.iterations = position.iteration;
  summary.epochs_done = position.epochs_done;
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  summary.images_per_second = summary.seconds > 0 ? images_seen / summary.seconds : 0;
  return summary;
}

}  // namespace huale
