// Mirrors torchvision/ops/poolers.py (0.26.0) with the same tensor operations in
// the same order, so level assignment agrees at the boundaries too. One
// difference: torchvision caches the scales from its first call; these are
// recomputed per call (equal for FPN inputs, whose strides never change).
#include "huale/models/ops/multi_scale_roi_align.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

#include "huale/models/ops/box_iou.h"
#include "huale/models/ops/roi_align.h"

namespace huale {
namespace ops {
namespace {

constexpr char kOp[] = "huale::ops::MultiScaleRoiAlign";

// -log2(scale) as torchvision computes it (float32), truncated by int().
int64_t LevelOfScale(double scale) {
  const float level =
      -at::log2(at::scalar_tensor(scale, at::kFloat)).item<float>();
  return static_cast<int64_t>(level);
}

}  // namespace

torch::Tensor MapBoxesToLevels(const torch::Tensor& boxes, int64_t k_min,
                               int64_t k_max, int64_t canonical_scale,
                               int64_t canonical_level, double eps) {
  const at::Tensor s = at::sqrt(BoxArea(boxes));
  const at::Tensor target = at::floor(at::log2(s / canonical_scale) + canonical_level +
                                      at::scalar_tensor(eps, s.options()));
  return at::clamp(target, k_min, k_max).to(at::kLong) - k_min;
}

double InferScale(int64_t feature_height, int64_t image_height) {
  const double approx = static_cast<double>(feature_height) /
                        static_cast<double>(image_height);
  const float exponent =
      at::scalar_tensor(approx, at::kFloat).log2().round().item<float>();
  return std::pow(2.0, static_cast<double>(exponent));
}

MultiScaleRoiAlign::MultiScaleRoiAlign(int64_t output_size, int64_t sampling_ratio,
                                       int64_t canonical_scale, int64_t canonical_level)
    : MultiScaleRoiAlign({output_size, output_size}, sampling_ratio, canonical_scale,
                         canonical_level) {}

MultiScaleRoiAlign::MultiScaleRoiAlign(std::pair<int64_t, int64_t> output_size,
                                       int64_t sampling_ratio, int64_t canonical_scale,
                                       int64_t canonical_level)
    : output_height_(output_size.first),
      output_width_(output_size.second),
      sampling_ratio_(sampling_ratio),
      canonical_scale_(canonical_scale),
      canonical_level_(canonical_level) {
  TORCH_CHECK(output_height_ > 0 && output_width_ > 0, kOp,
              ": output size must be positive, found ", output_height_, "x",
              output_width_);
  TORCH_CHECK(canonical_scale_ > 0, kOp, ": canonical_scale must be positive, found ",
              canonical_scale_);
}

std::vector<double> MultiScaleRoiAlign::Scales(
    const std::vector<torch::Tensor>& features,
    const std::vector<std::pair<int64_t, int64_t>>& image_sizes) const {
  TORCH_CHECK(!image_sizes.empty(), kOp, ": image_sizes should not be empty");
  int64_t max_h = 0;
  for (const auto& size : image_sizes) max_h = std::max(max_h, size.first);
  TORCH_CHECK(max_h > 0, kOp, ": image heights must be positive");
  std::vector<double> scales;
  for (const at::Tensor& f : features) scales.push_back(InferScale(f.size(-2), max_h));
  return scales;
}

torch::Tensor MultiScaleRoiAlign::operator()(
    const std::vector<torch::Tensor>& features,
    const std::vector<torch::Tensor>& boxes_per_image,
    const std::vector<std::pair<int64_t, int64_t>>& image_sizes) const {
  TORCH_CHECK(!features.empty(), kOp, ": expected at least one feature level");
  const at::Tensor& first = features[0];
  for (size_t l = 0; l < features.size(); ++l) {
    TORCH_CHECK(features[l].dim() == 4 && features[l].size(0) == first.size(0) &&
                    features[l].size(1) == first.size(1),
                kOp, ": feature level ", l, " has shape ", features[l].sizes(),
                "; expected [", first.size(0), ", ", first.size(1), ", H, W]");
  }
  TORCH_CHECK(static_cast<int64_t>(boxes_per_image.size()) == first.size(0), kOp,
              ": got boxes for ", boxes_per_image.size(), " images but features for ",
              first.size(0));
  for (size_t i = 0; i < boxes_per_image.size(); ++i) {
    TORCH_CHECK(boxes_per_image[i].dim() == 2 && boxes_per_image[i].size(1) == 4, kOp,
                ": boxes of image ", i, " should be [K, 4], found ",
                boxes_per_image[i].sizes());
  }
  const std::vector<double> scales = Scales(features, image_sizes);

  // torchvision _convert_to_roi_format: (image index, x1, y1, x2, y2).
  const at::Tensor concat_boxes = at::cat(boxes_per_image, 0);
  std::vector<at::Tensor> ids;
  for (size_t i = 0; i < boxes_per_image.size(); ++i) {
    ids.push_back(at::full({boxes_per_image[i].size(0), 1}, static_cast<double>(i),
                           concat_boxes.options()));
  }
  const at::Tensor rois = at::cat({at::cat(ids, 0), concat_boxes}, 1);

  if (features.size() == 1) {
    return RoiAlign(first, rois, scales[0], output_height_, output_width_,
                    sampling_ratio_, /*aligned=*/false);
  }
  const int64_t k_min = LevelOfScale(scales.front());
  const int64_t k_max = LevelOfScale(scales.back());
  const at::Tensor levels = MapBoxesToLevels(concat_boxes, k_min, k_max,
                                             canonical_scale_, canonical_level_);
  at::Tensor result = at::zeros(
      {rois.size(0), first.size(1), output_height_, output_width_}, first.options());
  for (size_t level = 0; level < features.size(); ++level) {
    const at::Tensor idx_in_level = at::where(levels == static_cast<int64_t>(level))[0];
    const at::Tensor pooled =
        RoiAlign(features[level], rois.index_select(0, idx_in_level), scales[level],
                 output_height_, output_width_, sampling_ratio_, /*aligned=*/false);
    result.index_put_({idx_in_level}, pooled.to(result.scalar_type()));
  }
  return result;
}

}  // namespace ops
}  // namespace huale
