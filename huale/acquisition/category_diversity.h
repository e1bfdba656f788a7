// Category Diversity (method doc §3.2): how unlike the labelled set's class mix
// the classes seen in the image are.
//   q_x(c) = max score of the boxes labelled c over both views, L1-normalised
//   CD     = JS₂(q_x ‖ q_L)
// q_L = per-class share of gt instances in the labelled set (empty or all zero:
// uniform). An image without any detection has no q_x: CD = 0 [choice].
// `min_score` drops the boxes below it from q_x [choice]: with every kept box
// (s >= 0.05) nearly every class gets some maximum from background clutter, q_x
// drifts towards uniform and CD stops telling images apart.
// The direction (higher or lower = more informative) is a spec option.
#ifndef HUALE_ACQUISITION_CATEGORY_DIVERSITY_H_
#define HUALE_ACQUISITION_CATEGORY_DIVERSITY_H_

#include <vector>

#include "huale/core/detections.h"

namespace huale {

// q_x, [num_classes] (unnormalised per-class maxima; all zero without boxes).
std::vector<double> ImageClassScores(const ImageDetections& original,
                                     const ImageDetections& flipped_mapped_back,
                                     int num_classes, double min_score = 0.0);

double CategoryDiversity(const ImageDetections& original,
                         const ImageDetections& flipped_mapped_back,
                         const std::vector<double>& labelled_class_share, int num_classes,
                         double min_score = 0.0);

}  // namespace huale

#endif  // HUALE_ACQUISITION_CATEGORY_DIVERSITY_H_
