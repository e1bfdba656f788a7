#include "huale/acquisition/unit_uncertainty.h"

#include "huale/acquisition/box_entropy.h"
#include "huale/acquisition/jensen_shannon.h"
#include "huale/acquisition/view_matching.h"

namespace huale {

std::vector<double> UnitUncertaintyTerms(const Detection& unit,
                                         const ImageDetections& flipped_mapped_back,
                                         int num_classes, UnitUncertainty kind,
                                         double match_iou) {
  const std::vector<double> p = ClassDistribution(unit, num_classes);
  if (kind == UNIT_ENTROPY) return BoxEntropyTerms(p);
  const ViewMatch match = BestMatch(unit.box, flipped_mapped_back);
  if (match.index < 0 || match.iou < match_iou) {
    return std::vector<double>(p.size(), 1.0 / p.size());
  }
  return JensenShannon2Terms(
      p, ClassDistribution(flipped_mapped_back.detections[match.index], num_classes));
}

}  // namespace huale
