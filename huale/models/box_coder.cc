#include "huale/models/box_coder.h"

#include <torch/torch.h>

namespace huale {

// torchvision's encode_boxes, operation by operation (float rounding included).
torch::Tensor BoxCoder::Encode(const torch::Tensor& gt, const torch::Tensor& reference) const {
  const torch::Tensor ref = reference.to(gt.dtype());
  const torch::Tensor ex_w = ref.select(1, 2) - ref.select(1, 0);
  const torch::Tensor ex_h = ref.select(1, 3) - ref.select(1, 1);
  const torch::Tensor ex_x = ref.select(1, 0) + 0.5 * ex_w;
  const torch::Tensor ex_y = ref.select(1, 1) + 0.5 * ex_h;
  const torch::Tensor gt_w = gt.select(1, 2) - gt.select(1, 0);
  const torch::Tensor gt_h = gt.select(1, 3) - gt.select(1, 1);
  const torch::Tensor gt_x = gt.select(1, 0) + 0.5 * gt_w;
  const torch::Tensor gt_y = gt.select(1, 1) + 0.5 * gt_h;
  const auto scalar = [&](double v) { return torch::scalar_tensor(v, gt.options()); };
  const torch::Tensor dx = scalar(weights_[0]) * (gt_x - ex_x) / ex_w;
  const torch::Tensor dy = scalar(weights_[1]) * (gt_y - ex_y) / ex_h;
  const torch::Tensor dw = scalar(weights_[2]) * torch::log(gt_w / ex_w);
  const torch::Tensor dh = scalar(weights_[3]) * torch::log(gt_h / ex_h);
  return torch::stack({dx, dy, dw, dh}, 1);
}

// torchvision's decode_single.
torch::Tensor BoxCoder::Decode(const torch::Tensor& deltas, const torch::Tensor& reference) const {
  using torch::indexing::None;
  using torch::indexing::Slice;
  const torch::Tensor ref = reference.to(deltas.dtype());
  const torch::Tensor w = (ref.select(1, 2) - ref.select(1, 0)).unsqueeze(1);
  const torch::Tensor h = (ref.select(1, 3) - ref.select(1, 1)).unsqueeze(1);
  const torch::Tensor cx = ref.select(1, 0).unsqueeze(1) + 0.5 * w;
  const torch::Tensor cy = ref.select(1, 1).unsqueeze(1) + 0.5 * h;
  const torch::Tensor dx = deltas.index({Slice(), Slice(0, None, 4)}) / weights_[0];
  const torch::Tensor dy = deltas.index({Slice(), Slice(1, None, 4)}) / weights_[1];
  const torch::Tensor dw =
      (deltas.index({Slice(), Slice(2, None, 4)}) / weights_[2]).clamp_max(clip_);
  const torch::Tensor dh =
      (deltas.index({Slice(), Slice(3, None, 4)}) / weights_[3]).clamp_max(clip_);
  const torch::Tensor pcx = dx * w + cx;
  const torch::Tensor pcy = dy * h + cy;
  const torch::Tensor pw = torch::exp(dw) * w;
  const torch::Tensor ph = torch::exp(dh) * h;
  const torch::Tensor half = torch::scalar_tensor(0.5, deltas.options());
  const torch::Tensor hw = half * pw;
  const torch::Tensor hh = half * ph;
  return torch::stack({pcx - hw, pcy - hh, pcx + hw, pcy + hh}, 2).flatten(1);
}

}  // namespace huale
