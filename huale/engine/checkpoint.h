// Training checkpoints: model + optimiser + position in the schedule, written
// atomically so a killed run resumes from the last complete epoch.
#ifndef HUALE_ENGINE_CHECKPOINT_H_
#define HUALE_ENGINE_CHECKPOINT_H_

#include <cstdint>
#include <string>

#include <torch/types.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace torch {
namespace nn {
class Module;
}  // namespace nn
namespace optim {
class Optimizer;
}  // namespace optim
}  // namespace torch

namespace huale {

struct TrainPosition {
  int64_t epochs_done = 0;  // complete epochs
  int64_t iteration = 0;    // optimiser steps so far
};

// `optimizer` may be null (a final model without optimiser state). The archive
// is made in memory, then written atomically: a full disk or a read-only folder
// is an error naming the file, the previous file stays as it was and no
// temporary file is left behind.
absl::Status SaveCheckpoint(const std::string& path, const torch::nn::Module& model,
                            const torch::optim::Optimizer* optimizer,
                            const TrainPosition& position);

// Where the train state before the current one is kept: <path>.previous.
std::string PreviousCheckpointPath(const std::string& path);

// SaveCheckpoint, keeping the file it replaces at PreviousCheckpointPath (a
// hard link: no copy), so a train state damaged after it was written can fall
// back one epoch (LoadCheckpointOrPrevious).
absl::Status SaveCheckpointKeepingPrevious(const std::string& path,
                                           const torch::nn::Module& model,
                                           const torch::optim::Optimizer* optimizer,
                                           const TrainPosition& position);

// Restores what SaveCheckpoint wrote into an existing model (and optimiser, if
// given and present). Errors name the file and the tensor that does not fit.
absl::StatusOr<TrainPosition> LoadCheckpoint(const std::string& path, torch::nn::Module& model,
                                             torch::optim::Optimizer* optimizer);

// LoadCheckpoint(path); when that file exists but does not load (kDataLoss:
// truncated or corrupt), the one at PreviousCheckpointPath, with a warning.
// `loaded_from` (optional) receives the file that loaded.
absl::StatusOr<TrainPosition> LoadCheckpointOrPrevious(const std::string& path,
                                                       torch::nn::Module& model,
                                                       torch::optim::Optimizer* optimizer,
                                                       std::string* loaded_from = nullptr);

}  // namespace huale

#endif  // HUALE_ENGINE_CHECKPOINT_H_
