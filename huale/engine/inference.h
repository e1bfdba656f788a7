// Running a trained detector over images: the test split for evaluation, and
// the unlabelled pool for scoring (each image and its flip in one batched pass,
// streamed into the acquisition function so memory does not grow with the pool).
#ifndef HUALE_ENGINE_INFERENCE_H_
#define HUALE_ENGINE_INFERENCE_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "huale/engine/experiment_spec.pb.h"
#include "huale/acquisition/acquisition_function.h"
#include "huale/core/detections.h"
#include "huale/data/dataset.h"
#include "huale/models/detector.h"

namespace huale {

struct InferenceOptions {
  int batch_size = 4;
  int loader_threads = 2;
  int min_size = 600;
  int max_size = 1000;
  std::string device = "cpu";
  bool fail_fast_on_bad_images = false;
  // Pool scoring's detections: AcquisitionSpec.one_detection_per_proposal.
  bool one_detection_per_proposal = true;
  std::string label;  // progress bar prefix
  // Where the progress bar goes; null = nowhere (the non-main ranks of a
  // distributed run).
  FILE* progress = stderr;
};

// The pipeline a run evaluates and scores with: the training resize, batch
// size, loader threads, device and bad-image policy of `spec`.
InferenceOptions InferenceOptionsFor(const ExperimentSpec& spec, std::string label);

// Detections for `indices` of `dataset`, in original-image pixels, image ids set.
absl::StatusOr<std::vector<ImageDetections>> DetectImages(Detector& model, const Dataset& dataset,
                                                          const std::vector<int64_t>& indices,
                                                          const InferenceOptions& options,
                                                          const DetectOptions& detect_options = {});

struct PoolScoringResult {
  std::vector<ImageScore> scores;
  double seconds = 0;
  double images_per_second = 0;
};

// Scores `indices` with `acquisition`. The detector (may be null when the
// function needs no detections) sees x and flip(x) in one batch; the flipped
// view's detections are mapped back before Score().
absl::StatusOr<PoolScoringResult> ScorePool(Detector* model, const Dataset& dataset,
                                            const std::vector<int64_t>& indices,
                                            const AcquisitionFunction& acquisition,
                                            const ScoringContext& context,
                                            const InferenceOptions& options);

// q_L of the method doc: per-class share of gt instances among `labelled`.
std::vector<double> LabelledClassShare(const Dataset& dataset,
                                       const std::vector<int64_t>& labelled);

// For ORACLE acquisition functions only (needs_ground_truth()): fills
// context.ground_truth_class_counts (per-class gt box counts of each of
// `candidates`, by image id) and context.labelled_class_counts.
void FillGroundTruthClassCounts(const Dataset& dataset, const std::vector<int64_t>& labelled,
                                const std::vector<int64_t>& candidates,
                                ScoringContext& context);

}  // namespace huale

#endif  // HUALE_ENGINE_INFERENCE_H_
