#include "huale/models/boxes.h"

#include <torch/torch.h>

namespace huale {

torch::Tensor ClipBoxesToImage(const torch::Tensor& boxes, int64_t height, int64_t width) {
  using torch::indexing::None;
  using torch::indexing::Slice;
  const int64_t dim = boxes.dim();
  const torch::Tensor x = boxes.index({"...", Slice(0, None, 2)}).clamp(0, width);
  const torch::Tensor y = boxes.index({"...", Slice(1, None, 2)}).clamp(0, height);
  return torch::stack({x, y}, dim).reshape(boxes.sizes());
}

torch::Tensor RemoveSmallBoxes(const torch::Tensor& boxes, double min_size) {
  const torch::Tensor ws = boxes.select(1, 2) - boxes.select(1, 0);
  const torch::Tensor hs = boxes.select(1, 3) - boxes.select(1, 1);
  return torch::where((ws >= min_size).logical_and(hs >= min_size))[0];
}

}  // namespace huale
