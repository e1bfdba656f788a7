// Checks a spec against the registries, the filesystem and itself before any
// work starts, and resolves it into a plan. Every problem is reported at once,
// each prefixed by the spec field it concerns.
#ifndef EXPERIMENTS_SPEC_VALIDATION_H_
#define EXPERIMENTS_SPEC_VALIDATION_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "experiments/spec.pb.h"
#include "huale/data/dataset.h"

namespace huale {

struct ExperimentPlan {
  ExperimentSpec spec;  // as given, with paths resolved
  std::string spec_path;
  std::string run_directory;  // <output_dir>/<name>/seed<seed>
  int pool_images = 0;        // images in the pool split
  int test_images = 0;
  // The splits as read during validation, so the run does not read them again.
  std::shared_ptr<const Dataset> pool;
  std::shared_ptr<const Dataset> test;
  // Labelled images trained on in each cycle: initial, initial + b, ...
  std::vector<int> labelled_per_cycle;
  std::vector<std::string> loss_roles;  // parallel to spec.losses
};

// Fills in what the spec leaves to defaults that proto2 cannot express
// (repeated fields: lr steps, anchor sizes, cascade order).
void ApplyRepeatedDefaults(ExperimentSpec& spec);

// InvalidArgument (problems in the spec), NotFound (unknown components, missing
// data) or FailedPrecondition (data unreadable); the message lists every problem.
absl::StatusOr<ExperimentPlan> ValidateSpec(const ExperimentSpec& spec,
                                            const std::string& spec_path);

// Human-readable plan for --dry_run.
std::string DescribePlan(const ExperimentPlan& plan);

}  // namespace huale

#endif  // EXPERIMENTS_SPEC_VALIDATION_H_
