// Box coder of Faster R-CNN (Girshick 2015, eq. 6-9; torchvision
// models/detection/_utils.py BoxCoder): deltas (dx, dy, dw, dh) of a box relative
// to a reference box, scaled by weights (RPN: 1, 1, 1, 1; RoI heads: 10, 10, 5, 5),
// with dw, dh clamped at log(1000 / 16) when decoding.
#ifndef HUALE_MODELS_BOX_CODER_H_
#define HUALE_MODELS_BOX_CODER_H_

#include <array>
#include <cmath>

#include <torch/types.h>

namespace huale {

class BoxCoder {
 public:
  explicit BoxCoder(std::array<double, 4> weights,
                    double bbox_xform_clip = std::log(1000.0 / 16))
      : weights_(weights), clip_(bbox_xform_clip) {}

  // gt [N, 4], reference [N, 4] xyxy -> deltas [N, 4].
  torch::Tensor Encode(const torch::Tensor& gt, const torch::Tensor& reference) const;
  // deltas [N, 4k], reference [N, 4] -> boxes [N, 4k] (k boxes per reference).
  // Differentiable w.r.t. deltas.
  torch::Tensor Decode(const torch::Tensor& deltas, const torch::Tensor& reference) const;

  const std::array<double, 4>& weights() const { return weights_; }

 private:
  std::array<double, 4> weights_;
  double clip_;
};

}  // namespace huale

#endif  // HUALE_MODELS_BOX_CODER_H_
