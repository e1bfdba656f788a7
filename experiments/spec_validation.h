// Checks a spec against the registries, the filesystem and itself before any
// work starts, and resolves it into a plan. Every problem is reported at once,
// each prefixed by the spec field it concerns.
#ifndef EXPERIMENTS_SPEC_VALIDATION_H_
#define EXPERIMENTS_SPEC_VALIDATION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "experiments/spec_loader.h"
#include "huale/engine/experiment_spec.pb.h"

namespace huale {

struct ExperimentPlan {
  ExperimentSpec as_written;  // as loaded: what the run folder records
  ExperimentSpec spec;        // resolved: defaults filled in, paths absolute
  std::string spec_path;
  std::string run_directory;  // <output_dir>/<name>/seed<seed>
  int pool_images = 0;        // images in the pool split
  int num_classes = 0;        // of the pool split
  // Validation reads the pool split (its size and classes), checks that the
  // test split is there, and keeps neither: the run reads both
  // (experiment_runner.h), so a sweep of many plans holds no dataset.
  // Labelled images trained on in each cycle: initial, initial + b, ...
  std::vector<int64_t> labelled_per_cycle;
  std::vector<std::string> loss_roles;  // parallel to spec.losses
};

// Fills in what the spec leaves to defaults that proto2 cannot express
// (repeated fields: lr steps, anchor sizes, cascade order).
void ApplyRepeatedDefaults(ExperimentSpec& spec);

// `locations` (LoadSpec's) put "file:line:column" before each problem whose
// field the text sets.
// InvalidArgument (problems in the spec), NotFound (unknown components, missing
// data) or FailedPrecondition (data unreadable); the message lists every problem.
absl::StatusOr<ExperimentPlan> ValidateSpec(const ExperimentSpec& spec,
                                            const std::string& spec_path,
                                            const SpecLocations* locations = nullptr);

// Human-readable plan for --dry_run.
std::string DescribePlan(const ExperimentPlan& plan);

}  // namespace huale

#endif  // EXPERIMENTS_SPEC_VALIDATION_H_
