// Semantic Affinity (method doc §3.2): how much the classifier's opinion of a box
// changes when the image is flipped.
//   SA = mean over boxes i of x (score >= min_score) of JS₂(p_i ‖ p^f_j*(i)),
// where a box whose best flipped match has IoU < match_iou (or an empty flipped
// view) counts 1. Higher = more informative. Edge cases [choice]: no box on x
// gives 1 if the flipped view has a box (the views disagree on whether anything
// is there), 0 if both are empty.
#ifndef HUALE_ACQUISITION_SEMANTIC_AFFINITY_H_
#define HUALE_ACQUISITION_SEMANTIC_AFFINITY_H_

#include "huale/core/detections.h"

namespace huale {

double SemanticAffinity(const ImageDetections& original,
                        const ImageDetections& flipped_mapped_back, int num_classes,
                        double min_score = 0.05, double match_iou = 0.5);

}  // namespace huale

#endif  // HUALE_ACQUISITION_SEMANTIC_AFFINITY_H_
