// Inference over a split shared by the ranks of a distributed run: each rank
// runs the detector over its contiguous block of the indices (ShardRange), and
// every rank receives all results in the original order, so rank 0 selects and
// evaluates exactly as one process would with the same model. With one
// process these are DetectImages / ScorePool.
#ifndef HUALE_ENGINE_SHARDED_INFERENCE_H_
#define HUALE_ENGINE_SHARDED_INFERENCE_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "huale/acquisition/acquisition_function.h"
#include "huale/core/detections.h"
#include "huale/data/dataset.h"
#include "huale/engine/distributed.h"
#include "huale/engine/inference.h"
#include "huale/models/detector.h"

namespace huale {

absl::StatusOr<std::vector<ImageDetections>> DetectImagesSharded(
    Collectives& group, Detector& model, const Dataset& dataset,
    const std::vector<int64_t>& indices, const InferenceOptions& options,
    const DetectOptions& detect_options = {});

// `seconds` and `images_per_second` cover the whole split (all ranks, the
// exchange included), as the run's timings report them.
absl::StatusOr<PoolScoringResult> ScorePoolSharded(Collectives& group, Detector* model,
                                                   const Dataset& dataset,
                                                   const std::vector<int64_t>& indices,
                                                   const AcquisitionFunction& acquisition,
                                                   const ScoringContext& context,
                                                   const InferenceOptions& options);

// The wire form of the results (exposed for tests): exact round trips.
std::string EncodeDetections(const std::vector<ImageDetections>& images);
absl::StatusOr<std::vector<ImageDetections>> DecodeDetections(const std::string& bytes);
std::string EncodeScores(const std::vector<ImageScore>& scores);
absl::StatusOr<std::vector<ImageScore>> DecodeScores(const std::string& bytes);

}  // namespace huale

#endif  // HUALE_ENGINE_SHARDED_INFERENCE_H_
