// Box tensor helpers of torchvision.ops.boxes used by the detector stages:
// clipping to an image and dropping boxes below a minimum side.
#ifndef HUALE_MODELS_BOXES_H_
#define HUALE_MODELS_BOXES_H_

#include <cstdint>

#include <torch/types.h>

namespace huale {

// boxes [..., 4] xyxy clamped to [0, width] x [0, height].
torch::Tensor ClipBoxesToImage(const torch::Tensor& boxes, int64_t height, int64_t width);

// Indices [K] int64 of boxes [N, 4] whose width and height are both >= min_size.
torch::Tensor RemoveSmallBoxes(const torch::Tensor& boxes, double min_size);

}  // namespace huale

#endif  // HUALE_MODELS_BOXES_H_
