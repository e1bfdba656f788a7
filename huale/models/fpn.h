// Feature Pyramid Network (Lin et al. 2017) as torchvision's
// ops.FeaturePyramidNetwork with LastLevelMaxPool: 1x1 lateral convs
// (inner_blocks.N.0), nearest top-down upsampling, 3x3 output convs
// (layer_blocks.N.0), and an extra level from max_pool2d(k=1, s=2) of the coarsest
// output (P6, "pool"). Names follow torchvision 0.26 (Conv2dNormActivation, hence ".0").
#ifndef HUALE_MODELS_FPN_H_
#define HUALE_MODELS_FPN_H_

#include <cstdint>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/types.h>

namespace huale {

class FeaturePyramidImpl : public torch::nn::Module {
 public:
  // in_channels: channels of each input level, finest first.
  FeaturePyramidImpl(const std::vector<int64_t>& in_channels, int64_t out_channels,
                     bool last_level_max_pool);
  // Inputs finest first -> outputs finest first (plus the pooled level if enabled).
  std::vector<torch::Tensor> forward(const std::vector<torch::Tensor>& x);

 private:
  torch::nn::ModuleList inner_blocks_;
  torch::nn::ModuleList layer_blocks_;
  bool last_level_max_pool_;
};
TORCH_MODULE(FeaturePyramid);

}  // namespace huale

#endif  // HUALE_MODELS_FPN_H_
