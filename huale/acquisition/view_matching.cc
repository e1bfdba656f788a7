#include "huale/acquisition/view_matching.h"

#include <algorithm>

namespace huale {

ViewMatch BestMatch(const Box& box, const ImageDetections& flipped_mapped_back) {
  ViewMatch best;
  const auto& others = flipped_mapped_back.detections;
  for (int j = 0; j < static_cast<int>(others.size()); ++j) {
    const double iou = Iou(box, others[j].box);
    if (best.index < 0 || iou > best.iou) best = ViewMatch{j, iou};
  }
  return best;
}

std::vector<double> ClassDistribution(const Detection& detection, int num_classes) {
  const size_t n = detection.class_probs.size();
  if (n > 0 && (num_classes <= 0 || n == static_cast<size_t>(num_classes) + 1)) {
    return std::vector<double>(detection.class_probs.begin(), detection.class_probs.end());
  }
  const int size = std::max({num_classes, detection.label + 1, 1}) + 1;
  std::vector<double> p(size, 0.0);
  const double s = std::clamp(static_cast<double>(detection.score), 0.0, 1.0);
  p[0] = 1.0 - s;
  p[std::max(0, detection.label) + 1] += s;
  return p;
}

int EffectiveNumClasses(int num_classes, const ImageDetections& original,
                        const ImageDetections& flipped_mapped_back) {
  if (num_classes > 0) return num_classes;
  int c = 1;
  for (const ImageDetections* view : {&original, &flipped_mapped_back}) {
    for (const Detection& d : view->detections) {
      c = std::max(c, static_cast<int>(d.class_probs.size()) - 1);
      c = std::max(c, d.label + 1);
    }
  }
  return c;
}

}  // namespace huale
