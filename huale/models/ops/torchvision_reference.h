// Test and benchmark helper: torchvision's own kernels, called in-process.
// The pinned torchvision wheel (tools/requirements.txt, in /opt/huale/py) ships
// torchvision/_C.so built against the same torch wheel huale links; dlopen()ing
// it registers torchvision::nms, ::roi_align and ::_roi_align_backward with the
// c10 dispatcher, where they are called by name. _C.so needs the wheel's
// libtorch.so, libtorch_cuda.so and libtorch_python.so, and the last needs
// libpython's symbols: those are loaded first (no interpreter is started).
#ifndef HUALE_MODELS_OPS_TORCHVISION_REFERENCE_H_
#define HUALE_MODELS_OPS_TORCHVISION_REFERENCE_H_

#include <cstdint>
#include <string>

#include <torch/types.h>

#include "absl/status/status.h"

namespace huale {
namespace ops {
namespace reference {

// Loads _C.so once per process from the Python prefix $HUALE_PY_PREFIX (default
// /opt/huale/py, where tools/setup.sh installs it). NotFound, naming what is
// missing, when it cannot: callers fail (the reference is part of the setup).
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
