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

// `optimizer` may be null (a final model without optimiser state).
absl::Status SaveCheckpoint(const std::string& path, const torch::nn::Module& model,
                            const torch::optim::Optimizer* optimizer,
                            const TrainPosition& position);

// Restores what SaveCheckpoint wrote into an existing model (and optimiser, if
// given and present). Errors name the file and the tensor that does not fit.
absl::StatusOr<TrainPosition> LoadCheckpoint(const std::string& path, torch::nn::Module& model,
                                             torch::optim::Optimizer* optimizer);

}  // namespace huale

#endif  // HUALE_ENGINE_CHECKPOINT_H_
