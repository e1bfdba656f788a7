// Pairing a detection on x with its counterpart on flip(x) (method doc §3):
// j*(i) = argmax_j IoU(b_i, b^f_j), and the full class distribution of a
// detection, whether or not the detector filled Detection::class_probs.
#ifndef HUALE_ACQUISITION_VIEW_MATCHING_H_
#define HUALE_ACQUISITION_VIEW_MATCHING_H_

#include <vector>

#include "huale/core/detections.h"

namespace huale {

struct ViewMatch {
  int index = -1;    // j*(i) in the flipped view; -1 when that view is empty
  double iou = 0.0;  // IoU(b_i, b^f_j*), 0 when index == -1
};

// j*(i) for `box` among `flipped_mapped_back` (ties: lowest index).
ViewMatch BestMatch(const Box& box, const ImageDetections& flipped_mapped_back);

// The box's softmax over C + 1 classes, background first. Uses class_probs when
// it has num_classes + 1 entries (num_classes <= 0: whatever size it has);
// otherwise a two-point stand-in: score on label + 1, 1 - score on background.
std::vector<double> ClassDistribution(const Detection& detection, int num_classes);

// num_classes when positive; otherwise inferred from the detections' class_probs
// sizes and labels (at least 1).
int EffectiveNumClasses(int num_classes, const ImageDetections& original,
                        const ImageDetections& flipped_mapped_back);

}  // namespace huale

#endif  // HUALE_ACQUISITION_VIEW_MATCHING_H_
