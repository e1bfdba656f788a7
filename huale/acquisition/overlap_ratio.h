// Overlap Ratio (method doc §3.2), the density of confident detections:
//   OR = #{confident boxes that overlap another confident box with IoU > 0}
//        / #{confident boxes}
// (4 of 5 boxes overlapping -> 0.8). Fewer than two confident boxes -> 0.
// Higher = more informative (crowded scenes).
#ifndef HUALE_ACQUISITION_OVERLAP_RATIO_H_
#define HUALE_ACQUISITION_OVERLAP_RATIO_H_

#include "huale/core/detections.h"

namespace huale {

double OverlapRatio(const ImageDetections& view, double confident_score = 0.5);

}  // namespace huale

#endif  // HUALE_ACQUISITION_OVERLAP_RATIO_H_
