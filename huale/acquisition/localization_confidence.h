// Localization Confidence (method doc §3.2), per-edge agreement of a box with its
// flipped counterpart:
//   c_e = max(0, 1 - |e - e^f| / (0.5 * side)),   side = the box's width for x1, x2
//         and its height for y1, y2 (the box on x, not its match)
//   LC  = 1 - mean of c_e over the 4 edges of every box (score >= min_score)
// Higher = less confident = more informative. A box whose best flipped match has
// IoU < match_iou (or an empty flipped view) has c_e = 0 on every edge; an image
// without boxes on x: 1 if the flipped view has one, else 0 (as Semantic Affinity).
// Option (min_side): side = max(side, min_side), so tiny boxes' edges do not
// disagree completely over a pixel. Option: LC = 1 - mean u_i of the IoU head's
// predictions.
#ifndef HUALE_ACQUISITION_LOCALIZATION_CONFIDENCE_H_
#define HUALE_ACQUISITION_LOCALIZATION_CONFIDENCE_H_

#include <optional>

#include "huale/core/detections.h"

namespace huale {

double LocalizationConfidence(const ImageDetections& original,
                              const ImageDetections& flipped_mapped_back,
                              double min_score = 0.05, double match_iou = 0.5,
                              double min_side = 0);

// 1 - mean predicted_iou over boxes with score >= min_score and a prediction;
// nullopt when no such box carries one (no IoU head).
std::optional<double> LocalizationConfidenceFromIouHead(const ImageDetections& original,
                                                        double min_score = 0.05);

}  // namespace huale

#endif  // HUALE_ACQUISITION_LOCALIZATION_CONFIDENCE_H_
