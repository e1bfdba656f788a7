#include "huale/models/transform.h"

#include <algorithm>
#include <cmath>

#include <torch/torch.h>

namespace huale {

torch::Tensor DetectorTransform::ResizeBoxes(const torch::Tensor& boxes, ImageSize from,
                                             ImageSize to) {
  // torchvision computes the ratios as float32 tensors.
  const torch::Tensor rh = torch::scalar_tensor(static_cast<float>(to.height)) /
                           torch::scalar_tensor(static_cast<float>(from.height));
  const torch::Tensor rw = torch::scalar_tensor(static_cast<float>(to.width)) /
                           torch::scalar_tensor(static_cast<float>(from.width));
  return torch::stack({boxes.select(1, 0) * rw, boxes.select(1, 1) * rh,
                       boxes.select(1, 2) * rw, boxes.select(1, 3) * rh},
                      1);
}

ImageBatch DetectorTransform::operator()(const std::vector<torch::Tensor>& images,
                                         std::vector<DetectionTarget>* targets) const {
  const torch::Device device = images.empty() ? torch::Device(torch::kCPU) : images[0].device();
  const torch::Tensor mean =
      torch::tensor(options_.mean, torch::kFloat).view({-1, 1, 1}).to(device);
  const torch::Tensor std = torch::tensor(options_.std, torch::kFloat).view({-1, 1, 1}).to(device);
  std::vector<torch::Tensor> resized;
  ImageBatch batch;
  for (size_t i = 0; i < images.size(); ++i) {
    torch::Tensor image = (images[i] - mean) / std;
    const int64_t h = image.size(1), w = image.size(2);
    if (options_.min_size > 0) {
      // torchvision 0.26's _resize_image_and_masks: the scale in double (from
      // Python ints), the output size floor(size * scale), interpolation from
      // the sizes (recompute_scale_factor = True).
      const double lo = static_cast<double>(std::min(h, w));
      const double hi = static_cast<double>(std::max(h, w));
      const double scale = std::min(options_.min_size / lo, options_.max_size / hi);
      const int64_t oh = static_cast<int64_t>(std::floor(h * scale));
      const int64_t ow = static_cast<int64_t>(std::floor(w * scale));
      image = torch::upsample_bilinear2d(image.unsqueeze(0), {oh, ow}, /*align_corners=*/false)
                  .squeeze(0);
      if (targets != nullptr && (*targets)[i].boxes.numel() > 0) {
        (*targets)[i].boxes = ResizeBoxes((*targets)[i].boxes, {h, w}, {oh, ow});
      }
    }
    batch.image_sizes.push_back({image.size(1), image.size(2)});
    resized.push_back(image);
  }
  int64_t max_h = 0, max_w = 0;
  for (const torch::Tensor& im : resized) {
    max_h = std::max(max_h, im.size(1));
    max_w = std::max(max_w, im.size(2));
  }
  const double d = static_cast<double>(options_.size_divisible);
  max_h = static_cast<int64_t>(std::ceil(max_h / d) * d);
  max_w = static_cast<int64_t>(std::ceil(max_w / d) * d);
  batch.tensors = torch::zeros({static_cast<int64_t>(resized.size()), 3, max_h, max_w},
                               resized.empty() ? torch::TensorOptions() : resized[0].options());
  for (size_t i = 0; i < resized.size(); ++i) {
    batch.tensors[i]
        .slice(1, 0, resized[i].size(1))
        .slice(2, 0, resized[i].size(2))
        .copy_(resized[i]);
  }
  return batch;
}

}  // namespace huale
