// Learning rate of CALD's / torchvision's detection recipe: linear warm-up over
// the first iterations (torchvision references' warmup_lr_scheduler), then
// MultiStepLR on epoch boundaries, or on optimiser steps for a training budget
// in iterations.
#ifndef HUALE_ENGINE_LR_SCHEDULE_H_
#define HUALE_ENGINE_LR_SCHEDULE_H_

#include <cstdint>
#include <vector>

namespace huale {

struct LrScheduleOptions {
  double base_lr = 0.0025;
  int64_t warmup_iterations = 1000;
  double warmup_factor = 0.001;
  // 0-based epoch index (or iteration, with steps_in_iterations) from which the
  // drop applies.
  std::vector<int> lr_steps;
  bool steps_in_iterations = false;
  double gamma = 0.1;
};

// `iteration` counts from 0 over the whole training run; `epoch` from 0.
double LearningRateAt(const LrScheduleOptions& options, int64_t iteration, int epoch);

}  // namespace huale

#endif  // HUALE_ENGINE_LR_SCHEDULE_H_
