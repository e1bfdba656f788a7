// The active-learning loop of the method doc §1, for any spec:
//
//   cycle 0: L = seeded random initial set, U = rest of the pool
//   each cycle: train on L -> evaluate on the test split -> score U (or a seeded
//   subset) -> select b images -> L += selected
//
// Every stage writes its result into the run folder (run_folder.h) atomically,
// and a stage whose result exists is skipped, so a run killed at any point and
// restarted with resume continues where it stopped and ends with the same
// selections and metrics as an uninterrupted run.
#ifndef HUALE_ENGINE_ACTIVE_LEARNING_LOOP_H_
#define HUALE_ENGINE_ACTIVE_LEARNING_LOOP_H_

#include <string>

#include "absl/status/status.h"
#include "huale/engine/experiment_spec.pb.h"
#include "huale/data/dataset.h"
#include "huale/engine/distributed.h"

namespace huale {

struct LoopOptions {
  // Continue a run folder that already holds this spec's results; without it an
  // existing run folder is an error (nothing is overwritten).
  bool resume = false;
  // What the run folder records as spec.pbtxt: the spec as written (text
  // format, relative paths as given), so a moved checkout still resumes. A
  // resume must give the same text.
  std::string spec_as_written;
  // Also accepted on resume: the resolved spec's text, which runs started before
  // spec.pbtxt kept the spec as written recorded. Empty = none.
  std::string legacy_spec_text;
  // With `resume`: the run folder may hold a run of this spec with fewer
  // schedule.cycles; the run goes on to this spec's last cycle and spec.pbtxt
  // records it (RunFolder::Start).
  bool extend = false;
  // The process group of a distributed run (distributed.h), null for one
  // process. Every rank calls RunActiveLearning with the same spec and data;
  // rank 0 alone reads and writes the run folder, the others train on their
  // shard of each batch and score / evaluate their shard of the images.
  Collectives* collectives = nullptr;
  // People labelling (ScheduleSpec.annotator other than GROUND_TRUTH): wait,
  // looking every LabellingSpec.poll_seconds, until a batch is labelled,
  // rather than stop with WaitingForLabelsError (annotator.h).
  bool wait_for_labels = false;
};

// `spec` is validated and resolved (experiments/spec_validation.h: defaults
// filled in, paths made absolute); `pool` and `test` are its pool and test splits.
absl::Status RunActiveLearning(const ExperimentSpec& spec, const Dataset& pool,
                               const Dataset& test, const std::string& run_directory,
                               const LoopOptions& options);

}  // namespace huale

#endif  // HUALE_ENGINE_ACTIVE_LEARNING_LOOP_H_
