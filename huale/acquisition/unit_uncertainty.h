// The uncertainty of one detection-assigned unit, split per class, for the
// aggregations of HUA and of the flat ablation (method doc §3.3). With Faster
// R-CNN only the NMS detections reach the scorer, so a unit is a detection
// [choice] and its uncertainty is either its normalised entropy or its flip
// disagreement (spec option UnitUncertainty).
#ifndef HUALE_ACQUISITION_UNIT_UNCERTAINTY_H_
#define HUALE_ACQUISITION_UNIT_UNCERTAINTY_H_

#include <vector>

#include "huale/acquisition/acquisition_spec.pb.h"
#include "huale/core/detections.h"

namespace huale {

// [C + 1] per-class terms; they sum to the unit's uncertainty in [0, 1].
// UNIT_ENTROPY: -p_c log p_c / log(C + 1). UNIT_FLIP_DISAGREEMENT: the JS₂ terms
// against the best flipped match; 1/(C + 1) each when that match has
// IoU < match_iou or the flipped view is empty.
std::vector<double> UnitUncertaintyTerms(const Detection& unit,
                                         const ImageDetections& flipped_mapped_back,
                                         int num_classes, UnitUncertainty kind,
                                         double match_iou = 0.5);

}  // namespace huale

#endif  // HUALE_ACQUISITION_UNIT_UNCERTAINTY_H_
