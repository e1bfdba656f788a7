// Pairwise box overlap, as torchvision.ops.box_iou / box_area (0.26): boxes are
// [N, 4] in (x1, y1, x2, y2) pixels with no "+1" on widths. Differentiable: built
// from tensor ops, so autograd flows through it.
#ifndef HUALE_MODELS_OPS_BOX_IOU_H_
#define HUALE_MODELS_OPS_BOX_IOU_H_

#include <torch/types.h>

namespace huale {
namespace ops {

// [N, 4] -> [N]: (x2 - x1) * (y2 - y1). Half/bfloat16 are upcast to float and
// small integer types to int32, like torchvision's _upcast.
torch::Tensor BoxArea(const torch::Tensor& boxes);

// [N, 4], [M, 4] -> [N, M] intersection over union. Same operation order as
// torchvision, so the values are bit-identical to it on the same dtype.
torch::Tensor BoxIou(const torch::Tensor& boxes1, const torch::Tensor& boxes2);

}  // namespace ops
}  // namespace huale

#endif  // HUALE_MODELS_OPS_BOX_IOU_H_
