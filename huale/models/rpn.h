// Region proposal network (Ren et al. 2015; torchvision models/detection/rpn.py):
// a shared 3x3 conv head with objectness and box-delta outputs on every pyramid
// level, proposal filtering (per-level pre-NMS top-n, clip, min size, score
// threshold, per-level NMS, post-NMS top-n per image; train and test counts differ)
// and, in training, the objectness (BCE) and box (smooth-L1, beta 1/9) losses over
// sampled anchors.
#ifndef HUALE_MODELS_RPN_H_
#define HUALE_MODELS_RPN_H_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/types.h>

#include "huale/models/anchor_generator.h"
#include "huale/models/balanced_positive_negative_sampler.h"
#include "huale/models/box_coder.h"
#include "huale/models/detector.h"
#include "huale/models/matcher.h"

namespace huale {

struct RpnOptions {
  int64_t pre_nms_top_n_train = 2000;  // per level
  int64_t pre_nms_top_n_test = 1000;
  int64_t post_nms_top_n_train = 2000;  // per image
  int64_t post_nms_top_n_test = 1000;
  double nms_thresh = 0.7;
  double fg_iou_thresh = 0.7;
  double bg_iou_thresh = 0.3;
  int64_t batch_size_per_image = 256;
  double positive_fraction = 0.5;
  double score_thresh = 0.0;
};

// torchvision's RPNHead: conv.0.0 (3x3 + ReLU), cls_logits, bbox_pred.
class RpnHeadImpl : public torch::nn::Module {
 public:
  RpnHeadImpl(int64_t in_channels, int64_t num_anchors);
  // Per level: objectness [B, A, H, W] and deltas [B, 4A, H, W].
  std::pair<std::vector<torch::Tensor>, std::vector<torch::Tensor>> forward(
      const std::vector<torch::Tensor>& features);

 private:
  torch::nn::Sequential conv_{nullptr};
  torch::nn::Conv2d cls_logits_{nullptr};
  torch::nn::Conv2d bbox_pred_{nullptr};
};
TORCH_MODULE(RpnHead);

struct RpnOutput {
  std::vector<torch::Tensor> proposals;  // per image [K_i, 4], detached
  std::map<std::string, torch::Tensor> losses;  // training only
};

class RegionProposalNetworkImpl : public torch::nn::Module {
 public:
  RegionProposalNetworkImpl(int64_t in_channels, AnchorGenerator anchors, RpnOptions options);

  // features: the levels the RPN sees; padded: the batch tensor's (H, W);
  // image_sizes: each image's size inside the padding. targets: required in
  // training (train()), ignored otherwise.
  RpnOutput forward(const std::vector<torch::Tensor>& features, ImageSize padded,
                    const std::vector<ImageSize>& image_sizes,
                    const std::vector<DetectionTarget>* targets);

  void set_sampler(std::shared_ptr<Sampler> sampler) { sampler_ = std::move(sampler); }

 private:
  std::vector<torch::Tensor> FilterProposals(const torch::Tensor& proposals,
                                             const torch::Tensor& objectness,
                                             const std::vector<ImageSize>& image_sizes,
                                             const std::vector<int64_t>& anchors_per_level);
  std::map<std::string, torch::Tensor> Losses(const torch::Tensor& anchors,
                                              const torch::Tensor& objectness,
                                              const torch::Tensor& deltas,
                                              const std::vector<DetectionTarget>& targets,
                                              int64_t num_images);

  RpnHead head_{nullptr};
  AnchorGenerator anchor_generator_;
  RpnOptions options_;
  BoxCoder box_coder_{{1.0, 1.0, 1.0, 1.0}};
  Matcher matcher_;
  std::shared_ptr<Sampler> sampler_;
};
TORCH_MODULE(RegionProposalNetwork);

}  // namespace huale

#endif  // HUALE_MODELS_RPN_H_
