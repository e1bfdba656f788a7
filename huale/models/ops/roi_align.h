// RoIAlign (He et al., Mask R-CNN, 2017), equal to torchvision.ops.roi_align
// (0.26.0) forward and backward: same sampling points, same bilinear weights,
// same float expressions, so values agree with torchvision's CPU kernels to
// rounding (bitwise in practice). The ops huale::roi_align and
// huale::_roi_align_backward in the dispatcher: CPU kernels (roi_align.cc,
// at::parallel_for) and, in a --config=cuda build, CUDA kernels
// (roi_align_cuda.cu), so callers are device-agnostic.
#ifndef HUALE_MODELS_OPS_ROI_ALIGN_H_
#define HUALE_MODELS_OPS_ROI_ALIGN_H_

#include <cstdint>

#include <torch/types.h>

namespace huale {
namespace ops {

// input [N, C, H, W]; rois [K, 5] = (batch index, x1, y1, x2, y2) in image
// pixels, same dtype as input; spatial_scale maps image pixels to feature cells
// (1/stride). Returns [K, C, pooled_height, pooled_width]. sampling_ratio <= 0
// samples ceil(roi_size / pooled_size) points per bin and axis; aligned = true
// shifts by half a pixel (Detectron2's ROIAlignV2). Differentiable w.r.t. input
// (not rois), like torchvision. Half and bfloat16 inputs (autocast) are pooled
// in float and the result cast back.
torch::Tensor RoiAlign(const torch::Tensor& input, const torch::Tensor& rois,
                       double spatial_scale, int64_t pooled_height,
                       int64_t pooled_width, int64_t sampling_ratio, bool aligned);

// The gradient kernel on its own, with torchvision's _roi_align_backward
// signature: grad [K, C, pooled_height, pooled_width] -> [batch_size, channels,
// height, width].
torch::Tensor RoiAlignBackward(const torch::Tensor& grad, const torch::Tensor& rois,
                               double spatial_scale, int64_t pooled_height,
                               int64_t pooled_width, int64_t batch_size,
                               int64_t channels, int64_t height, int64_t width,
                               int64_t sampling_ratio, bool aligned);

namespace internal {
// The argument checks the CPU and CUDA kernels share (shapes, dtypes, one
// device, batch indices in range, finite RoIs); `op` names the caller.
void CheckRoiAlignForward(const torch::Tensor& input, const torch::Tensor& rois,
                          double spatial_scale, int64_t pooled_height,
                          int64_t pooled_width, int64_t sampling_ratio, const char* op);
void CheckRoiAlignBackward(const torch::Tensor& grad, const torch::Tensor& rois,
                           double spatial_scale, int64_t pooled_height,
                           int64_t pooled_width, int64_t batch_size, int64_t channels,
                           int64_t height, int64_t width, int64_t sampling_ratio,
                           const char* op);
}  // namespace internal

}  // namespace ops
}  // namespace huale

#endif  // HUALE_MODELS_OPS_ROI_ALIGN_H_
