// HUA-style hierarchical uncertainty aggregation (Park et al., ICLR 2023; method
// doc §3.3): unit uncertainties aggregated bottom-up, class -> scale -> object ->
// image, with Sum / Max / Sum as the default operators.
//
// Adapted to Faster R-CNN's NMS detections [choice]:
// - units are the detections themselves (unit_uncertainty.h);
// - objects are detections with score > object_score; a unit belongs to every
//   object it overlaps with IoU > unit_iou (an object is its own unit);
// - a unit's scale is the FPN level the detector's RoI pooler would read it from
//   (FpnLevels, ScoringContext::fpn_levels: torchvision's
//   k = floor(4 + log2(sqrt(area) / 224)) clamped to [2, 5] unless the model
//   says otherwise; the small model pools 64 px boxes from P4, levels 3..5); the
//   value of a level is its most uncertain unit, and the scale operator combines
//   the levels an object has units at.
// An image without objects has no uncertainty (zero set).
#ifndef HUALE_ACQUISITION_HUA_H_
#define HUALE_ACQUISITION_HUA_H_

#include <optional>

#include "absl/status/status.h"
#include "huale/acquisition/acquisition_spec.pb.h"
#include "huale/core/detections.h"
#include "huale/core/fpn_levels.h"

namespace huale {

// HuaOptions' ranges (object_score and unit_iou in [0, 1]).
absl::Status CheckHuaOptions(const HuaOptions& options);

// The image's aggregated uncertainty; nullopt when it has no object.
std::optional<double> HuaImageUncertainty(const ImageDetections& original,
                                          const ImageDetections& flipped_mapped_back,
                                          int num_classes, const HuaOptions& options,
                                          const FpnLevels& levels = FpnLevels());

}  // namespace huale

#endif  // HUALE_ACQUISITION_HUA_H_
