#include "huale/models/anchor_generator.h"

#include <torch/torch.h>

#include "glog/logging.h"

namespace huale {

AnchorGenerator::AnchorGenerator(std::vector<std::vector<double>> sizes,
                                 std::vector<double> aspect_ratios) {
  for (const std::vector<double>& level_sizes : sizes) {
    // torchvision's generate_anchors: w = scale / sqrt(r), h = scale * sqrt(r),
    // ratio-major order, (-w, -h, w, h) / 2 rounded.
    const torch::Tensor scales = torch::tensor(level_sizes, torch::kFloat);
    const torch::Tensor ratios = torch::tensor(aspect_ratios, torch::kFloat);
    const torch::Tensor h_ratios = torch::sqrt(ratios);
    const torch::Tensor w_ratios = 1 / h_ratios;
    const torch::Tensor ws = (w_ratios.unsqueeze(1) * scales.unsqueeze(0)).view(-1);
    const torch::Tensor hs = (h_ratios.unsqueeze(1) * scales.unsqueeze(0)).view(-1);
    cell_anchors_.push_back((torch::stack({-ws, -hs, ws, hs}, 1) / 2).round());
  }
}

int64_t AnchorGenerator::num_anchors_per_location() const {
  return cell_anchors_.empty() ? 0 : cell_anchors_[0].size(0);
}

torch::Tensor AnchorGenerator::operator()(int64_t padded_height, int64_t padded_width,
                                          const std::vector<torch::Tensor>& features) const {
  CHECK_EQ(features.size(), cell_anchors_.size()) << "one anchor size list per level";
  std::vector<torch::Tensor> all;
  for (size_t l = 0; l < features.size(); ++l) {
    const int64_t gh = features[l].size(2), gw = features[l].size(3);
    const int64_t stride_h = padded_height / gh, stride_w = padded_width / gw;
    const auto opts = torch::TensorOptions().dtype(torch::kInt32).device(features[l].device());
    const torch::Tensor sx = torch::arange(0, gw, opts).to(torch::kFloat) * stride_w;
    const torch::Tensor sy = torch::arange(0, gh, opts).to(torch::kFloat) * stride_h;
    const std::vector<torch::Tensor> grid = torch::meshgrid({sy, sx}, "ij");
    const torch::Tensor shift_y = grid[0].reshape(-1), shift_x = grid[1].reshape(-1);
    const torch::Tensor shifts = torch::stack({shift_x, shift_y, shift_x, shift_y}, 1);
    const torch::Tensor cell = cell_anchors_[l].to(features[l].device());
    all.push_back((shifts.view({-1, 1, 4}) + cell.view({1, -1, 4})).reshape({-1, 4}));
  }
  return torch::cat(all, 0);
}

}  // namespace huale
