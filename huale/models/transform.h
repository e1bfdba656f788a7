// torchvision's GeneralizedRCNNTransform: normalise with the ImageNet mean/std,
// optionally resize (short side to min_size unless the long side passes max_size,
// torch bilinear, align_corners = false), pad the batch to a multiple of
// size_divisible, and map boxes from the resized images back to the originals.
#ifndef HUALE_MODELS_TRANSFORM_H_
#define HUALE_MODELS_TRANSFORM_H_

#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "huale/models/detector.h"

namespace huale {

struct DetectorTransformOptions {
  int64_t min_size = 0;  // 0 = no resize (images come resized by the data loader)
  int64_t max_size = 0;
  int64_t size_divisible = 32;
  std::vector<double> mean{0.485, 0.456, 0.406};
  std::vector<double> std{0.229, 0.224, 0.225};
};

struct ImageBatch {
  torch::Tensor tensors;                // [B, 3, H, W] padded with zeros
  std::vector<ImageSize> image_sizes;   // each image's size before padding
};

class DetectorTransform {
 public:
  explicit DetectorTransform(DetectorTransformOptions options) : options_(std::move(options)) {}

  // images: [3, H, W]; targets (nullable) get their boxes scaled in place.
  ImageBatch operator()(const std::vector<torch::Tensor>& images,
                        std::vector<DetectionTarget>* targets) const;

  // boxes [N, 4] of an image of size `from` -> the same boxes in an image of size `to`.
  static torch::Tensor ResizeBoxes(const torch::Tensor& boxes, ImageSize from, ImageSize to);

 private:
  DetectorTransformOptions options_;
};

}  // namespace huale

#endif  // HUALE_MODELS_TRANSFORM_H_
