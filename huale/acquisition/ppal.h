// The pieces of the "ppal" acquisition function (ppal.cc) that its tests check
// by hand: PPAL's class quality and difficulty weight and its
// category-conditioned matching distance (Yang, Huang & Crowley, CVPR 2024).
#ifndef HUALE_ACQUISITION_PPAL_H_
#define HUALE_ACQUISITION_PPAL_H_

#include <vector>

#include "huale/acquisition/acquisition_function.h"

namespace huale {

// Q_c: the mean over the labelled set's positive detections of class c (a
// detection whose best-overlapping truth box, at IoU >= 0.5, is of class c) of
// p_c ** score_exponent * IoU ** (1 - score_exponent), with p_c the detection's
// softmax entry for c (its score when it carries no softmax and predicted c,
// else 0); 0 for a class without positives. [num_classes] entries in [0, 1].
std::vector<double> PpalClassQuality(const std::vector<LabelledImageDetections>& labelled,
                                     int num_classes, double score_exponent);

// w = 1 + alpha * upper_bound * ln(b * (1 - quality) + 1), b = exp(1/alpha) - 1.
double PpalDifficultyWeight(double quality, double alpha, double upper_bound);

// CCMS distance: the mean of the two directed distances, each the
// score-weighted mean over one image's instances of the smallest 1 - cosine
// (features already L2-normalised) to an instance of the same class in the
// other image, or `unmatched_distance` without one. Two images without
// instances are at 0; one without instances is at `unmatched_distance` from
// one with.
double PpalDistance(const std::vector<InstanceScore>& a, const std::vector<InstanceScore>& b,
                    double unmatched_distance);

}  // namespace huale

#endif  // HUALE_ACQUISITION_PPAL_H_
