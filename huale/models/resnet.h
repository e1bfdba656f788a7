// ResNet backbones (He et al. 2016) with torchvision's module names, so that
// torchvision's state_dict loads: conv1, bn1, layer1..layer4 of BasicBlock
// (ResNet-18/34) or Bottleneck with the stride on the 3x3 conv (ResNet-50, "v1.5").
// Norm layers are FrozenBatchNorm2d (torchvision.ops.misc) or, for models trained
// from scratch on small batches, GroupNorm under the same names.
#ifndef HUALE_MODELS_RESNET_H_
#define HUALE_MODELS_RESNET_H_

#include <cstdint>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/types.h>

#include "absl/status/statusor.h"

namespace huale {

enum class NormKind { kFrozenBatchNorm, kGroupNorm };

// FrozenBatchNorm2d: y = (x - running_mean) / sqrt(running_var + eps) * weight + bias
// with all four as buffers (never trained), eps = 1e-5 as torchvision. As GroupNorm,
// weight and bias are parameters and the running statistics do not exist.
class Norm2dImpl : public torch::nn::Module {
 public:
  Norm2dImpl(NormKind kind, int64_t channels, int64_t groups = 8);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  NormKind kind_;
  int64_t groups_;
  torch::Tensor weight_, bias_, running_mean_, running_var_;
};
TORCH_MODULE(Norm2d);

struct ResNetOptions {
  bool bottleneck = true;                 // Bottleneck (expansion 4) or BasicBlock
  std::vector<int64_t> blocks{3, 4, 6, 3};  // blocks per stage (layer1..layer4)
  std::vector<int64_t> widths{64, 128, 256, 512};  // planes per stage
  int64_t stem_channels = 64;
  int64_t stem_kernel = 7;  // stride-2 stem conv, then a stride-2 3x3 max pool
  NormKind norm = NormKind::kFrozenBatchNorm;
  int64_t norm_groups = 8;  // GroupNorm only
  // torchvision's trainable_layers: the last k of (conv1, layer1, ..., layer4)
  // train; 0..5.
  int64_t trainable_layers = 3;
};

// ResNet-18, -34 or -50 as torchvision builds them; error for other depths.
absl::StatusOr<ResNetOptions> ResNetPreset(int depth);

class ResNetBodyImpl : public torch::nn::Module {
 public:
  explicit ResNetBodyImpl(const ResNetOptions& options);
  // x [B, 3, H, W] -> outputs of layer1..layer4 (strides 4, 8, 16, 32).
  std::vector<torch::Tensor> forward(const torch::Tensor& x);
  // Output channels of layer1..layer4.
  std::vector<int64_t> out_channels() const { return out_channels_; }

 private:
  torch::nn::Conv2d conv1_{nullptr};
  Norm2d bn1_{nullptr};
  std::vector<torch::nn::Sequential> layers_;
  std::vector<int64_t> out_channels_;
};
TORCH_MODULE(ResNetBody);

}  // namespace huale

#endif  // HUALE_MODELS_RESNET_H_
