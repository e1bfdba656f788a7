// RoI heads of Faster R-CNN with FPN (torchvision models/detection/roi_heads.py):
// proposal/gt matching (IoU 0.5), balanced sampling, multi-scale RoIAlign 7x7,
// TwoMLPHead (fc6, fc7) + FastRCNNPredictor (cls_score, bbox_pred), optionally an
// IoU head (HUALE method doc §2.2: iou_predictor, sigmoid of a linear layer on the
// fc7 features, class-agnostic), the training losses through the loss registry
// (huale/losses/loss.h), and post-processing: per-class boxes, clip, score
// threshold, small boxes out, per-class NMS, top detections per image.
#ifndef HUALE_MODELS_ROI_HEADS_H_
#define HUALE_MODELS_ROI_HEADS_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/types.h>

#include "absl/status/status.h"
#include "huale/losses/loss.h"
#include "huale/models/balanced_positive_negative_sampler.h"
#include "huale/models/box_coder.h"
#include "huale/models/detector.h"
#include "huale/models/matcher.h"
#include "huale/models/ops/multi_scale_roi_align.h"

namespace huale {

struct RoiHeadsOptions {
  double fg_iou_thresh = 0.5;
  double bg_iou_thresh = 0.5;
  int64_t batch_size_per_image = 512;
  double positive_fraction = 0.25;
  double score_thresh = 0.05;
  double nms_thresh = 0.5;
  int64_t detections_per_img = 100;
  int64_t representation_size = 1024;
  int64_t pool_size = 7;
  int64_t sampling_ratio = 2;
  // Level mapping of the pooler (FPN paper eq. 1): k = k0 + log2(sqrt(wh) / scale).
  int64_t canonical_scale = 224;
  int64_t canonical_level = 4;
  bool iou_head = false;
  double score_fusion_alpha = 1.0;
};

// One term of the training loss: weight * loss, reported as `name`.
struct WeightedRoiLoss {
  std::string name;
  double weight = 1;
  std::shared_ptr<const Loss> loss;
};

// Detections of one image, in the coordinates of the (resized) input image.
struct RoiDetections {
  torch::Tensor boxes;        // [D, 4]
  torch::Tensor scores;       // [D]
  torch::Tensor labels;       // [D] int64, one-based
  torch::Tensor class_probs;  // [D, C + 1], background first
  torch::Tensor iou;          // [D] predicted IoU; undefined without the IoU head
  torch::Tensor embedding;    // [channels] image feature; defined when asked for
  torch::Tensor features;     // [D, representation] box-head features (fc7), inference
};

struct RoiHeadsOutput {
  std::vector<RoiDetections> detections;        // inference only
  std::map<std::string, torch::Tensor> losses;  // training only
};

class RoiHeadsImpl : public torch::nn::Module {
 public:
  // num_classes: including background.
  RoiHeadsImpl(int64_t in_channels, int64_t num_classes, RoiHeadsOptions options);

  // features: the pooled levels (finest first); proposals: per image [K_i, 4];
  // image_sizes: per image, inside the padding. targets: training only.
  // one_per_proposal: inference only, see DetectOptions::one_per_proposal.
  RoiHeadsOutput forward(const std::vector<torch::Tensor>& features,
                         std::vector<torch::Tensor> proposals,
                         const std::vector<ImageSize>& image_sizes,
                         const std::vector<DetectionTarget>* targets,
                         bool one_per_proposal = false);

  // Empty: torchvision's fastrcnn_loss.
  void set_losses(std::vector<WeightedRoiLoss> losses) { losses_ = std::move(losses); }
  void set_sampler(std::shared_ptr<Sampler> sampler) { sampler_ = std::move(sampler); }
  bool has_iou_head() const { return options_.iou_head; }

 private:
  std::map<std::string, torch::Tensor> Losses(const RoiLossInputs& inputs) const;
  std::vector<RoiDetections> Postprocess(const torch::Tensor& representation,
                                         const torch::Tensor& class_logits,
                                         const torch::Tensor& box_regression,
                                         const torch::Tensor& iou,
                                         const std::vector<torch::Tensor>& proposals,
                                         const std::vector<ImageSize>& image_sizes,
                                         bool one_per_proposal) const;

  RoiHeadsOptions options_;
  int64_t num_classes_;
  ops::MultiScaleRoiAlign pooler_;
  torch::nn::Linear fc6_{nullptr}, fc7_{nullptr};
  torch::nn::Linear cls_score_{nullptr}, bbox_pred_{nullptr};  // box_predictor
  torch::nn::Linear iou_pred_{nullptr};                          // iou_predictor.fc
  BoxCoder box_coder_{{10.0, 10.0, 5.0, 5.0}};
  Matcher matcher_;
  std::shared_ptr<Sampler> sampler_;
  std::vector<WeightedRoiLoss> losses_;
};
TORCH_MODULE(RoiHeads);

}  // namespace huale

#endif  // HUALE_MODELS_ROI_HEADS_H_
