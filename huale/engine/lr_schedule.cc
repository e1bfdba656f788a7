#include "huale/engine/lr_schedule.h"

namespace huale {

double LearningRateAt(const LrScheduleOptions& options, int64_t iteration, int epoch) {
  double lr = options.base_lr;
  const int64_t position = options.steps_in_iterations ? iteration : epoch;
  for (int step : options.lr_steps) {
    if (position >= step) lr *= options.gamma;
  }
  if (iteration < options.warmup_iterations) {
    const double alpha = static_cast<double>(iteration) / options.warmup_iterations;
    lr *= options.warmup_factor * (1 - alpha) + alpha;
  }
  return lr;
}

}  // namespace huale
