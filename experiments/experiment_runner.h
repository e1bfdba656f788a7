// Runs a validated plan (spec_validation.h): reads its splits, then the
// active-learning loop in its run folder. Shared by the driver and the sweep.
#ifndef EXPERIMENTS_EXPERIMENT_RUNNER_H_
#define EXPERIMENTS_EXPERIMENT_RUNNER_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "experiments/spec_validation.h"
#include "huale/data/dataset.h"
#include "huale/engine/active_learning_loop.h"

namespace huale {

struct ExperimentData {
  Dataset pool;
  Dataset test;
};

// The plan's pool and test splits through its registered format; an error names
// the spec field (dataset.pool_split / dataset.test_split). Nothing is written.
absl::StatusOr<ExperimentData> LoadExperimentData(const ExperimentPlan& plan);

// The loop in plan.run_directory, with `options` (resume, extend, process
// group, waiting for labels; active_learning_loop.h); spec.pbtxt records
// plan.as_written (the options' spec texts are filled in from the plan).
absl::Status RunExperiment(const ExperimentPlan& plan, const ExperimentData& data,
                           LoopOptions options);

}  // namespace huale

#endif  // EXPERIMENTS_EXPERIMENT_RUNNER_H_
