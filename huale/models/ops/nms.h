// Non-maximum suppression, equal to torchvision.ops.nms / batched_nms (0.26.0):
// same keep indices, same order, including score ties (candidates are ordered by
// the stable descending sort torchvision's CPU kernel uses) and IoU computed
// with the same float operations. Boxes are [N, 4] xyxy, no "+1".
#ifndef HUALE_MODELS_OPS_NMS_H_
#define HUALE_MODELS_OPS_NMS_H_

#include <cmath>
#include <limits>

#include <torch/types.h>

namespace huale {
namespace ops {

// boxes [N, 4], scores [N] (same floating dtype, same device) -> int64 [K]
// indices of the kept boxes, by decreasing score. A box is dropped when its IoU
// with a kept, higher-scoring box is > iou_threshold. The op huale::nms in the
// dispatcher: the CPU kernel (nms.cc) or, in a --config=cuda build, the CUDA
// kernel (nms_cuda.cu). Half and bfloat16 boxes (autocast) are computed in float.
torch::Tensor Nms(const torch::Tensor& boxes, const torch::Tensor& scores,
                  double iou_threshold);

namespace internal {
// Shapes, dtypes and devices: the checks the CPU and CUDA kernels share.
void CheckNmsInputs(const torch::Tensor& boxes, const torch::Tensor& scores);

// "static_cast<double>(ovr) > iou_threshold" for a T ovr equals "ovr > t" with
// t the largest T not above the threshold; both kernels compare in T.
template <typename T>
T ThresholdAsT(double iou_threshold) {
  T t = static_cast<T>(iou_threshold);
  if (static_cast<double>(t) > iou_threshold) {
    t = std::nextafter(t, -std::numeric_limits<T>::infinity());
  }
  return t;
}
}  // namespace internal

// NMS done independently per category idxs[i] (int64 [N]); the result is sorted by
// decreasing score. Follows torchvision 0.26.0's dispatch: the coordinate-offset
// trick for boxes.numel() <= 4000 on the CPU (<= 100,000 on a GPU), a per-class
// loop above, so results match it bit for bit.
torch::Tensor BatchedNms(const torch::Tensor& boxes, const torch::Tensor& scores,
                         const torch::Tensor& idxs, double iou_threshold);

}  // namespace ops
}  // namespace huale

#endif  // HUALE_MODELS_OPS_NMS_H_
