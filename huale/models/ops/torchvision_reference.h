// Test and benchmark helper: torchvision's own CPU kernels, called in-process.
// Debian's python3-torchvision ships torchvision/_C.so built against the same
// LibTorch 1.13; dlopen()ing it registers torchvision::nms, ::roi_align and
// ::_roi_align_backward with the c10 dispatcher, where they are called by name.
#ifndef HUALE_MODELS_OPS_TORCHVISION_REFERENCE_H_
#define HUALE_MODELS_OPS_TORCHVISION_REFERENCE_H_

#include <cstdint>
#include <string>

#include <torch/types.h>

#include "absl/status/status.h"

namespace huale {
namespace ops {
namespace reference {

// Loads _C.so once per process: from $HUALE_TORCHVISION_C_SO when set, else the
// first torchvision/_C*.so in Debian's dist-packages. NotFound when absent.
absl::Status LoadTorchvision();

torch::Tensor TorchvisionNms(const torch::Tensor& boxes, const torch::Tensor& scores,
                             double iou_threshold);

torch::Tensor TorchvisionRoiAlign(const torch::Tensor& input, const torch::Tensor& rois,
                                  double spatial_scale, int64_t pooled_height,
                                  int64_t pooled_width, int64_t sampling_ratio,
                                  bool aligned);

torch::Tensor TorchvisionRoiAlignBackward(const torch::Tensor& grad,
                                          const torch::Tensor& rois,
                                          double spatial_scale, int64_t pooled_height,
                                          int64_t pooled_width, int64_t batch_size,
                                          int64_t channels, int64_t height,
                                          int64_t width, int64_t sampling_ratio,
                                          bool aligned);

// Sets LibTorch's intra-op thread count from $HUALE_THREADS (default 2).
int SetThreadsFromEnv();

}  // namespace reference
}  // namespace ops
}  // namespace huale

#endif  // HUALE_MODELS_OPS_TORCHVISION_REFERENCE_H_
