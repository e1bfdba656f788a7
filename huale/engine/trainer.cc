#include "huale/engine/trainer.h"

#include <chrono>
#include <cmath>
#include <filesystem>

#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "glog/logging.h"
#include "huale/data/loader.h"
#include "huale/data/seeded_random.h"
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

}  // namespace

absl::StatusOr<TrainSummary> TrainDetector(Detector& model, const Dataset& dataset,
                                           const std::vector<int64_t>& labelled,
                                           const TrainerOptions& options) {
  const TrainingSpec& training = options.training;
  const torch::Device device(options.device);
  model.to(device);
  model.train();

  torch::optim::SGD optimizer(TrainableParameters(model),
                              torch::optim::SGDOptions(training.learning_rate())
                                  .momentum(training.momentum())
                                  .weight_decay(training.weight_decay()));
  TrainPosition position;
  if (!options.train_state_path.empty() && std::filesystem::exists(options.train_state_path)) {
    absl::StatusOr<TrainPosition> resumed =
        LoadCheckpoint(options.train_state_path, model, &optimizer);
    if (!resumed.ok()) return resumed.status();
    position = *resumed;
    LOG(INFO) << options.label << ": resuming training after epoch " << position.epochs_done;
  }

  LoaderOptions loader_options;
  loader_options.batch_size = training.batch_size();
  loader_options.num_threads = training.loader_threads();
  loader_options.shuffle = true;
  loader_options.seed = StreamSeed(options.seed, options.cycle);
  loader_options.flip_probability = training.horizontal_flip_probability();
  loader_options.fail_fast = options.fail_fast_on_bad_images;
  loader_options.transform.min_size = training.min_size();
  loader_options.transform.max_size = training.max_size();
  DataLoader loader(dataset, labelled, loader_options);

  const LrScheduleOptions schedule = ScheduleFrom(training);
  TrainSummary summary;
  const auto start = std::chrono::steady_clock::now();
  int64_t images_seen = 0;
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
    ProgressBar bar(EpochLabel(options, epoch, position.iteration), loader.size(), "img");
    double loss_sum = 0;
    int64_t batches = 0;
    while (!budget_spent()) {
      absl::StatusOr<std::optional<Batch>> next = loader.Next();
      if (!next.ok()) return next.status();
      if (!next->has_value()) break;
      const Batch& batch = **next;
      std::vector<torch::Tensor> images;
      std::vector<DetectionTarget> targets;
      for (const LoadedImage& item : batch) {
        images.push_back(ToDevice(item.image, device));
        targets.push_back({ToDevice(item.boxes, device), ToDevice(item.labels, device)});
      }
      const double lr = LearningRateAt(schedule, position.iteration, epoch);
      for (auto& group : optimizer.param_groups()) {
        static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
      }
      absl::StatusOr<std::map<std::string, torch::Tensor>> losses;
      {
        const AutocastScope autocast(device, training.amp());
        losses = model.Losses(images, targets);
      }
      if (!losses.ok()) return losses.status();
      torch::Tensor total = torch::zeros({}, torch::TensorOptions().device(device));
      for (const auto& [name, value] : *losses) total = total + value;
      const double total_value = total.item<double>();
      if (!std::isfinite(total_value) && training.stop_on_nonfinite_loss()) {
        return absl::FailedPreconditionError(absl::StrCat(
            options.label, " epoch ", epoch + 1, " iteration ", position.iteration,
            ": the loss is not finite (", DescribeLosses(*losses), "); lower the learning rate "
            "or check the data. The last good checkpoint is ",
            options.train_state_path.empty() ? "(none)" : options.train_state_path));
      }
      optimizer.zero_grad();
      total.backward();
      if (training.clip_grad_norm() > 0) {
        torch::nn::utils::clip_grad_norm_(optimizer.param_groups()[0].params(),
                                          training.clip_grad_norm());
      }
      optimizer.step();
      ++position.iteration;
      ++batches;
      loss_sum += total_value;
      images_seen += static_cast<int64_t>(batch.size());
      bar.Advance(static_cast<int64_t>(batch.size()),
                  absl::StrFormat("loss %.3f lr %.2g", loss_sum / batches, lr));
    }
    bar.Finish();
    if (batches == 0 && iteration_budget) break;  // nothing labelled: no budget can be spent
    const double mean_loss = batches > 0 ? loss_sum / batches : 0;
    summary.epoch_mean_loss.push_back(mean_loss);
    ++summary.epochs_trained;
    position.epochs_done = epoch + 1;
    if (!options.train_state_path.empty()) {
      if (absl::Status saved = SaveCheckpoint(options.train_state_path, model, &optimizer, position);
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
