// Trains a detector on the labelled images: SGD with momentum and weight decay,
// linear warm-up, step decay (TrainingSpec), a checkpoint after every epoch.
// The budget is `epochs` epochs, or `iterations` optimiser steps over as many
// (the last partial) epochs as they need.
// Each epoch reseeds torch from (seed, cycle, epoch) and the loader orders images
// by (seed, cycle, epoch), so a run resumed from a checkpoint trains exactly as
// an uninterrupted one.
#ifndef HUALE_ENGINE_TRAINER_H_
#define HUALE_ENGINE_TRAINER_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "huale/engine/experiment_spec.pb.h"
#include "huale/data/bad_samples.h"
#include "huale/data/dataset.h"
#include "huale/engine/distributed.h"
#include "huale/engine/event_writer.h"
#include "huale/models/detector.h"

namespace huale {

struct TrainerOptions {
  TrainingSpec training;
  uint64_t seed = 0;
  int cycle = 0;
  std::string device = "cpu";
  bool fail_fast_on_bad_images = false;
  // Under the skip policy: the share of the labelled images that may be
  // unreadable (checked over all ranks after the first epoch trained; all of
  // them unreadable always stops). DatasetSpec.max_skipped_image_share.
  double max_skipped_image_share = 0.05;
  // Written after every epoch (and at the end of an iteration budget); resumed
  // from when present.
  std::string train_state_path;
  // Optional TensorBoard scalars ("train/loss", "train/lr", one point per epoch).
  EventWriter* events = nullptr;
  // Prefix of the progress bars, e.g. "cycle 2/7".
  std::string label;
  // Data-parallel training (null: one process). Every rank calls TrainDetector
  // with the same arguments; each trains on its shard of every global batch
  // (LoaderOptions::shard_index), gradients are summed weighted by each shard's
  // image count and divided by the batch's, so the step is the one-process
  // step on the whole batch: world size changes speed, not the recipe
  // (batch_size and learning_rate stay the global ones). Rank 0 alone reads and
  // writes train_state_path and `events`; it sends the others its start
  // weights (or the train state it resumed from).
  Collectives* collectives = nullptr;
  // Progress bars; null on the non-main ranks.
  FILE* progress = stderr;
};

struct TrainSummary {
  int epochs_trained = 0;   // in this call (resumed epochs excluded)
  int64_t iterations = 0;   // total optimiser steps
  int64_t epochs_done = 0;  // total epochs (resumed ones included; the last may be partial)
  double seconds = 0;
  double images_per_second = 0;
  std::vector<double> epoch_mean_loss;  // for the epochs trained in this call
  // The images the loader could not read in the first epoch trained in this
  // call, over every rank (the same on each).
  BadSampleSummary skipped;
};

// FailedPrecondition when a loss turns NaN or infinite (the message names the
// terms and the checkpoint that remains).
absl::StatusOr<TrainSummary> TrainDetector(Detector& model, const Dataset& dataset,
                                           const std::vector<int64_t>& labelled,
                                           const TrainerOptions& options);

}  // namespace huale

#endif  // HUALE_ENGINE_TRAINER_H_
