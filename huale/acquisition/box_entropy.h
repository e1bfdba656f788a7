// Stage 1 of HUALE, retrieval by entropy (method doc §3.1):
//   H_i  = -Σ_c p_i(c) log p_i(c) / log(C + 1)          (in [0, 1])
//   E(x) = max over boxes with s_i >= 0.5 of H_i          (option: mean;
//          option: average of the two views)
// An image with no confident box in either view has no E(x): it belongs to the
// zero set Z.
#ifndef HUALE_ACQUISITION_BOX_ENTROPY_H_
#define HUALE_ACQUISITION_BOX_ENTROPY_H_

#include <optional>

#include "absl/status/status.h"
#include <vector>

#include "huale/acquisition/acquisition_spec.pb.h"
#include "huale/core/detections.h"

namespace huale {

// Normalised Shannon entropy of a distribution (L1-normalised first); 0 for
// fewer than two entries.
double BoxEntropy(const std::vector<double>& probs);

// Per-class terms -p_c log p_c / log(C + 1) (they sum to BoxEntropy).
std::vector<double> BoxEntropyTerms(const std::vector<double>& probs);

// E of one view; nullopt when the view has no box with score >= confident_score.
// EntropyOptions' ranges (confident_score in [0, 1]).
absl::Status CheckEntropyOptions(const EntropyOptions& options);

std::optional<double> ViewEntropy(const ImageDetections& view, const EntropyOptions& options,
                                  int num_classes);

// E(x): the original view's E, or the flipped view's when the original has no
// confident box; with average_views, the mean over the views that have one.
// nullopt = zero set.
std::optional<double> ImageEntropy(const ImageDetections& original,
                                   const ImageDetections& flipped_mapped_back,
                                   const EntropyOptions& options, int num_classes);

}  // namespace huale

#endif  // HUALE_ACQUISITION_BOX_ENTROPY_H_
