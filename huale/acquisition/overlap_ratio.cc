#include "huale/acquisition/overlap_ratio.h"

#include <vector>

namespace huale {

double OverlapRatio(const ImageDetections& view, double confident_score) {
  std::vector<const Box*> confident;
  for (const Detection& d : view.detections) {
    if (d.score >= confident_score) confident.push_back(&d.box);
  }
  if (confident.size() < 2) return 0.0;
  int overlapping = 0;
  for (size_t i = 0; i < confident.size(); ++i) {
    for (size_t j = 0; j < confident.size(); ++j) {
      if (i != j && Iou(*confident[i], *confident[j]) > 0) {
        ++overlapping;
        break;
      }
    }
  }
  return static_cast<double>(overlapping) / confident.size();
}

}  // namespace huale
