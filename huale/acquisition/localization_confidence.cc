#include "huale/acquisition/localization_confidence.h"

#include <algorithm>
#include <cmath>

#include "huale/acquisition/view_matching.h"

namespace huale {
namespace {

double EdgeAgreement(double edge, double flipped_edge, double box_side, double min_side) {
  const double side = std::max(box_side, min_side);
  if (!(side > 0)) return edge == flipped_edge ? 1.0 : 0.0;
  return std::max(0.0, 1.0 - std::abs(edge - flipped_edge) / (0.5 * side));
}

}  // namespace

double LocalizationConfidence(const ImageDetections& original,
                              const ImageDetections& flipped_mapped_back, double min_score,
                              double match_iou, double min_side) {
  double agreement = 0;
  int edges = 0;
  for (const Detection& d : original.detections) {
    if (!(d.score >= min_score)) continue;
    edges += 4;
    const ViewMatch match = BestMatch(d.box, flipped_mapped_back);
    if (match.index < 0 || match.iou < match_iou) continue;  // c_e = 0
    const Box& b = d.box;
    const Box& f = flipped_mapped_back.detections[match.index].box;
    agreement += EdgeAgreement(b.x1, f.x1, b.width(), min_side) +
                 EdgeAgreement(b.x2, f.x2, b.width(), min_side) +
                 EdgeAgreement(b.y1, f.y1, b.height(), min_side) +
                 EdgeAgreement(b.y2, f.y2, b.height(), min_side);
  }
  if (edges == 0) {
    for (const Detection& d : flipped_mapped_back.detections) {
      if (d.score >= min_score) return 1.0;
    }
    return 0.0;
  }
  return 1.0 - agreement / edges;
}

std::optional<double> LocalizationConfidenceFromIouHead(const ImageDetections& original,
                                                        double min_score) {
  double sum = 0;
  int n = 0;
  for (const Detection& d : original.detections) {
    if (!(d.score >= min_score) || !(d.predicted_iou >= 0)) continue;
    sum += std::min(1.0, static_cast<double>(d.predicted_iou));
    ++n;
  }
  if (n == 0) return std::nullopt;
  return 1.0 - sum / n;
}

}  // namespace huale
