#include "huale/models/ops/box_iou.h"

#include <ATen/ATen.h>

namespace huale {
namespace ops {
namespace {

// torchvision.ops.boxes._upcast: keeps float32/float64 and int32/int64.
at::Tensor Upcast(const at::Tensor& t) {
  if (t.is_floating_point()) {
    return (t.scalar_type() == at::kFloat || t.scalar_type() == at::kDouble)
               ? t
               : t.to(at::kFloat);
  }
  return (t.scalar_type() == at::kInt || t.scalar_type() == at::kLong)
             ? t
             : t.to(at::kInt);
}

void CheckBoxes(const at::Tensor& boxes, const char* name) {
  TORCH_CHECK(boxes.dim() == 2 && boxes.size(1) == 4, name,
              ": expected boxes of shape [N, 4], found ", boxes.sizes());
}

}  // namespace

torch::Tensor BoxArea(const torch::Tensor& boxes) {
  CheckBoxes(boxes, "BoxArea");
  const at::Tensor b = Upcast(boxes);
  return (b.select(1, 2) - b.select(1, 0)) * (b.select(1, 3) - b.select(1, 1));
}

torch::Tensor BoxIou(const torch::Tensor& boxes1, const torch::Tensor& boxes2) {
  CheckBoxes(boxes1, "BoxIou(boxes1)");
  CheckBoxes(boxes2, "BoxIou(boxes2)");
  const at::Tensor area1 = BoxArea(boxes1);
  const at::Tensor area2 = BoxArea(boxes2);
  const at::Tensor b1 = boxes1.unsqueeze(1);                      // [N, 1, 4]
  const at::Tensor lt = at::max(b1.slice(2, 0, 2), boxes2.slice(1, 0, 2));  // [N, M, 2]
  const at::Tensor rb = at::min(b1.slice(2, 2, 4), boxes2.slice(1, 2, 4));  // [N, M, 2]
  const at::Tensor wh = Upcast(rb - lt).clamp_min(0);            // [N, M, 2]
  const at::Tensor inter = wh.select(2, 0) * wh.select(2, 1);     // [N, M]
  const at::Tensor uni = area1.unsqueeze(1) + area2 - inter;
  return inter / uni;
}

}  // namespace ops
}  // namespace huale
