#include "huale/models/fpn.h"

#include <torch/torch.h>

namespace huale {
namespace {

namespace nn = torch::nn;

// torchvision wraps each conv in Conv2dNormActivation (a Sequential), hence the
// ".0" in the parameter names; init kaiming_uniform_(a=1), bias 0.
nn::Sequential WrappedConv(int64_t in, int64_t out, int64_t kernel) {
  nn::Conv2d conv(nn::Conv2dOptions(in, out, kernel).padding(kernel / 2));
  nn::init::kaiming_uniform_(conv->weight, 1.0);
  nn::init::zeros_(conv->bias);
  return nn::Sequential(conv);
}

}  // namespace

FeaturePyramidImpl::FeaturePyramidImpl(const std::vector<int64_t>& in_channels,
                                       int64_t out_channels, bool last_level_max_pool)
    : last_level_max_pool_(last_level_max_pool) {
  for (int64_t c : in_channels) {
    inner_blocks_->push_back(WrappedConv(c, out_channels, 1));
    layer_blocks_->push_back(WrappedConv(out_channels, out_channels, 3));
  }
  register_module("inner_blocks", inner_blocks_);
  register_module("layer_blocks", layer_blocks_);
}

std::vector<torch::Tensor> FeaturePyramidImpl::forward(const std::vector<torch::Tensor>& x) {
  const int64_t n = static_cast<int64_t>(x.size());
  std::vector<torch::Tensor> results(n);
  torch::Tensor last_inner = inner_blocks_->ptr<nn::SequentialImpl>(n - 1)->forward(x[n - 1]);
  results[n - 1] = layer_blocks_->ptr<nn::SequentialImpl>(n - 1)->forward(last_inner);
  for (int64_t i = n - 2; i >= 0; --i) {
    const torch::Tensor lateral = inner_blocks_->ptr<nn::SequentialImpl>(i)->forward(x[i]);
    const torch::Tensor top_down = nn::functional::interpolate(
        last_inner, nn::functional::InterpolateFuncOptions()
                        .size(std::vector<int64_t>{lateral.size(2), lateral.size(3)})
                        .mode(torch::kNearest));
    last_inner = lateral + top_down;
    results[i] = layer_blocks_->ptr<nn::SequentialImpl>(i)->forward(last_inner);
  }
  if (last_level_max_pool_) results.push_back(torch::max_pool2d(results.back(), 1, 2, 0));
  return results;
}

}  // namespace huale
