// HUA-style hierarchical uncertainty aggregation (Park et al., ICLR 2023; method
// doc §3.3): unit uncertainties aggregated bottom-up, class -> scale -> object ->
// image, with Sum / Max / Sum as the default operators.
//
// Adapted to Faster R-CNN's NMS detections [choice]:
// - units are the detections themselves (unit_uncertainty.h);
// - objects are detections with score > object_score; a unit belongs to every
//   object it overlaps with IoU > unit_iou (an object is its own unit);
// - a unit's scale is the FPN level the RoI would be pooled from, by torchvision's
//   MultiScaleRoIAlign mapping k = floor(4 + log2(sqrt(area) / 224)) clamped to
//   [2, 5]; the value of a level is its most uncertain unit, and the scale
//   operator combines the levels an object has units at.
// An image without objects has no uncertainty (zero set).
#ifndef HUALE_ACQUISITION_HUA_H_
#define HUALE_ACQUISITION_HUA_H_

#include <optional>

#include "huale/acquisition/acquisition_spec.pb.h"
#include "huale/core/detections.h"

namespace huale {

// FPN level 2..5 of a box (empty boxes: level 2).
int FpnLevel(const Box& box);

// The image's aggregated uncertainty; nullopt when it has no object.
std::optional<double> HuaImageUncertainty(const ImageDetections& original,
                                          const ImageDetections& flipped_mapped_back,
                                          int num_classes, const HuaOptions& options);

}  // namespace huale

#endif  // HUALE_ACQUISITION_HUA_H_
