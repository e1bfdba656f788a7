#include "huale/acquisition/category_diversity.h"

#include <algorithm>

#include "huale/acquisition/jensen_shannon.h"
#include "huale/acquisition/view_matching.h"

namespace huale {

std::vector<double> ImageClassScores(const ImageDetections& original,
                                     const ImageDetections& flipped_mapped_back,
                                     int num_classes, double min_score) {
  std::vector<double> q(std::max(num_classes, 0), 0.0);
  for (const ImageDetections* view : {&original, &flipped_mapped_back}) {
    for (const Detection& d : view->detections) {
      if (d.label < 0 || d.label >= num_classes || !(d.score > 0) || d.score < min_score) {
        continue;
      }
      q[d.label] = std::max(q[d.label], static_cast<double>(d.score));
    }
  }
  return q;
}

double CategoryDiversity(const ImageDetections& original,
                         const ImageDetections& flipped_mapped_back,
                         const std::vector<double>& labelled_class_share, int num_classes,
                         double min_score) {
  int c = num_classes > 0 ? num_classes : static_cast<int>(labelled_class_share.size());
  c = std::max(c, EffectiveNumClasses(0, original, flipped_mapped_back));
  const std::vector<double> q_x = ImageClassScores(original, flipped_mapped_back, c, min_score);
  bool any = false;
  for (double v : q_x) any = any || v > 0;
  if (!any) return 0.0;
  std::vector<double> q_l = labelled_class_share;
  q_l.resize(c, 0.0);  // Normalized() turns an all-zero share into uniform
  return JensenShannon2(q_x, q_l);
}

}  // namespace huale
