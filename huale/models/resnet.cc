#include "huale/models/resnet.h"

#include <string>

#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"

namespace huale {
namespace {

namespace nn = torch::nn;

nn::Conv2d Conv(int64_t in, int64_t out, int64_t kernel, int64_t stride) {
  nn::Conv2d conv(nn::Conv2dOptions(in, out, kernel)
                      .stride(stride)
                      .padding(kernel / 2)
                      .bias(false));
  // torchvision's ResNet init: kaiming_normal_(mode="fan_out", nonlinearity="relu").
  nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
  return conv;
}

// BasicBlock (two 3x3) or Bottleneck (1x1, 3x3 with the stride, 1x1 x4).
class BlockImpl : public nn::Module {
 public:
  BlockImpl(const ResNetOptions& o, int64_t in, int64_t planes, int64_t stride) {
    const int64_t expansion = o.bottleneck ? 4 : 1;
    const int64_t out = planes * expansion;
    if (o.bottleneck) {
      convs_ = {Conv(in, planes, 1, 1), Conv(planes, planes, 3, stride), Conv(planes, out, 1, 1)};
      norms_ = {Norm2d(o.norm, planes, o.norm_groups), Norm2d(o.norm, planes, o.norm_groups),
                Norm2d(o.norm, out, o.norm_groups)};
    } else {
      convs_ = {Conv(in, planes, 3, stride), Conv(planes, planes, 3, 1)};
      norms_ = {Norm2d(o.norm, planes, o.norm_groups), Norm2d(o.norm, planes, o.norm_groups)};
    }
    for (size_t i = 0; i < convs_.size(); ++i) {
      register_module(absl::StrCat("conv", i + 1), convs_[i]);
      register_module(absl::StrCat("bn", i + 1), norms_[i]);
    }
    if (stride != 1 || in != out) {
      downsample_ = nn::Sequential(Conv(in, out, 1, stride), Norm2d(o.norm, out, o.norm_groups));
      register_module("downsample", downsample_);
    }
  }

  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor y = x;
    for (size_t i = 0; i < convs_.size(); ++i) {
      y = norms_[i]->forward(convs_[i]->forward(y));
      if (i + 1 < convs_.size()) y = y.relu_();
    }
    const torch::Tensor identity = downsample_ ? downsample_->forward(x) : x;
    return (y + identity).relu_();
  }

 private:
  std::vector<nn::Conv2d> convs_;
  std::vector<Norm2d> norms_;
  nn::Sequential downsample_{nullptr};
};
TORCH_MODULE(Block);

}  // namespace

Norm2dImpl::Norm2dImpl(NormKind kind, int64_t channels, int64_t groups)
    : kind_(kind), groups_(groups) {
  if (kind_ == NormKind::kFrozenBatchNorm) {
    weight_ = register_buffer("weight", torch::ones({channels}));
    bias_ = register_buffer("bias", torch::zeros({channels}));
    running_mean_ = register_buffer("running_mean", torch::zeros({channels}));
    running_var_ = register_buffer("running_var", torch::ones({channels}));
  } else {
    weight_ = register_parameter("weight", torch::ones({channels}));
    bias_ = register_parameter("bias", torch::zeros({channels}));
  }
}

torch::Tensor Norm2dImpl::forward(const torch::Tensor& x) {
  if (kind_ == NormKind::kGroupNorm) {
    return torch::group_norm(x, groups_, weight_, bias_, 1e-5);
  }
  // Inference-mode batch norm: the kernel of nn.BatchNorm2d.eval(), which
  // torchvision's fasterrcnn_resnet50_fpn(weights=None) uses; equal to
  // FrozenBatchNorm2d's formula up to float rounding, and one pass instead of two.
  return torch::batch_norm(x, weight_, bias_, running_mean_, running_var_,
                           /*training=*/false, /*momentum=*/0.0, /*eps=*/1e-5,
                           /*cudnn_enabled=*/true);
}

absl::StatusOr<ResNetOptions> ResNetPreset(int depth) {
  ResNetOptions o;
  switch (depth) {
    case 18:
      o.bottleneck = false;
      o.blocks = {2, 2, 2, 2};
      return o;
    case 34:
      o.bottleneck = false;
      o.blocks = {3, 4, 6, 3};
      return o;
    case 50:
      o.bottleneck = true;
      o.blocks = {3, 4, 6, 3};
      return o;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("ResNet depth ", depth, " not supported; expected 18, 34 or 50"));
  }
}

ResNetBodyImpl::ResNetBodyImpl(const ResNetOptions& o) {
  CHECK_EQ(o.blocks.size(), 4u);
  CHECK_EQ(o.widths.size(), 4u);
  conv1_ = register_module("conv1", Conv(3, o.stem_channels, o.stem_kernel, 2));
  bn1_ = register_module("bn1", Norm2d(o.norm, o.stem_channels, o.norm_groups));
  int64_t in = o.stem_channels;
  for (int stage = 0; stage < 4; ++stage) {
    nn::Sequential layer;
    for (int64_t b = 0; b < o.blocks[stage]; ++b) {
      const int64_t stride = (stage > 0 && b == 0) ? 2 : 1;
      layer->push_back(Block(o, in, o.widths[stage], stride));
      in = o.widths[stage] * (o.bottleneck ? 4 : 1);
    }
    layers_.push_back(register_module(absl::StrCat("layer", stage + 1), layer));
    out_channels_.push_back(in);
  }
  // torchvision's layers_to_train: ["layer4", "layer3", "layer2", "layer1",
  // "conv1"][:trainable_layers]; the frozen ones keep requires_grad = false.
  const std::vector<std::string> order = {"layer4", "layer3", "layer2", "layer1", "conv1"};
  std::vector<std::string> train(order.begin(),
                                 order.begin() + std::clamp<int64_t>(o.trainable_layers, 0, 5));
  if (o.trainable_layers == 5) train.push_back("bn1");
  for (auto& item : named_parameters()) {
    bool trains = false;
    for (const std::string& prefix : train) {
      if (item.key().rfind(prefix, 0) == 0) trains = true;
    }
    item.value().set_requires_grad(trains);
  }
}

std::vector<torch::Tensor> ResNetBodyImpl::forward(const torch::Tensor& x) {
  torch::Tensor y = bn1_->forward(conv1_->forward(x)).relu_();
  y = torch::max_pool2d(y, 3, 2, 1);
  std::vector<torch::Tensor> outs;
  for (auto& layer : layers_) {
    y = layer->forward(y);
    outs.push_back(y);
  }
  return outs;
}

}  // namespace huale
