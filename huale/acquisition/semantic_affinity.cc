#include "huale/acquisition/semantic_affinity.h"

#include "huale/acquisition/jensen_shannon.h"
#include "huale/acquisition/view_matching.h"

namespace huale {

double SemanticAffinity(const ImageDetections& original,
                        const ImageDetections& flipped_mapped_back, int num_classes,
                        double min_score, double match_iou) {
  const int c = EffectiveNumClasses(num_classes, original, flipped_mapped_back);
  double sum = 0;
  int boxes = 0;
  for (const Detection& d : original.detections) {
    if (!(d.score >= min_score)) continue;
    ++boxes;
    const ViewMatch match = BestMatch(d.box, flipped_mapped_back);
    if (match.index < 0 || match.iou < match_iou) {
      sum += 1.0;
      continue;
    }
    sum += JensenShannon2(ClassDistribution(d, c),
                          ClassDistribution(flipped_mapped_back.detections[match.index], c));
  }
  if (boxes == 0) {
    for (const Detection& d : flipped_mapped_back.detections) {
      if (d.score >= min_score) return 1.0;
    }
    return 0.0;
  }
  return sum / boxes;
}

}  // namespace huale
