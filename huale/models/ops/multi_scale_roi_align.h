// RoIAlign over FPN levels, equal to torchvision.ops.MultiScaleRoIAlign (0.26.0):
// each box is pooled from the level given by Eqn. (1) of the FPN paper (Lin et
// al., 2017), k = floor(k0 + log2(sqrt(area) / 224) + 1e-6) clamped to the
// levels present; level scales are inferred from feature size / image size.
#ifndef HUALE_MODELS_OPS_MULTI_SCALE_ROI_ALIGN_H_
#define HUALE_MODELS_OPS_MULTI_SCALE_ROI_ALIGN_H_

#include <cstdint>
#include <utility>
#include <vector>

#include <torch/types.h>

namespace huale {
namespace ops {

// torchvision's LevelMapper: boxes [K, 4] (image pixels) -> int64 [K] level index
// in [0, k_max - k_min].
torch::Tensor MapBoxesToLevels(const torch::Tensor& boxes, int64_t k_min,
                               int64_t k_max, int64_t canonical_scale = 224,
                               int64_t canonical_level = 4, double eps = 1e-6);

// torchvision's _infer_scale: 2^round(log2(feature_height / image_height)).
double InferScale(int64_t feature_height, int64_t image_height);

class MultiScaleRoiAlign {
 public:
  // output_size: pooled height and width (7 in Faster R-CNN); sampling_ratio as
  // in RoiAlign (2 in Faster R-CNN); aligned = false, as torchvision's pooler.
  MultiScaleRoiAlign(int64_t output_size, int64_t sampling_ratio,
                     int64_t canonical_scale = 224, int64_t canonical_level = 4);
  MultiScaleRoiAlign(std::pair<int64_t, int64_t> output_size, int64_t sampling_ratio,
                     int64_t canonical_scale = 224, int64_t canonical_level = 4);

  // features: the pooled levels, finest first, each [B, C, Hl, Wl] (torchvision's
  // featmap_names filter is the caller's job: pass P2..P5, not "pool").
  // boxes_per_image: B tensors [Ki, 4] xyxy in image pixels (Ki may be 0).
  // image_sizes: (height, width) of each image after resizing, before padding, as
  // torchvision's image_shapes; the scales come from their maximum.
  // Returns [sum Ki, C, out_h, out_w] in the order of the input boxes.
  // Differentiable w.r.t. features.
  torch::Tensor operator()(
      const std::vector<torch::Tensor>& features,
      const std::vector<torch::Tensor>& boxes_per_image,
      const std::vector<std::pair<int64_t, int64_t>>& image_sizes) const;

  // The scale (1 / stride) of each level for these inputs, as torchvision infers it.
  std::vector<double> Scales(
      const std::vector<torch::Tensor>& features,
      const std::vector<std::pair<int64_t, int64_t>>& image_sizes) const;

 private:
  int64_t output_height_;
  int64_t output_width_;
  int64_t sampling_ratio_;
  int64_t canonical_scale_;
  int64_t canonical_level_;
};

}  // namespace ops
}  // namespace huale

#endif  // HUALE_MODELS_OPS_MULTI_SCALE_ROI_ALIGN_H_
