#include "huale/models/roi_heads.h"

#include <algorithm>
#include <utility>

#include <torch/torch.h>

#include "glog/logging.h"
#include "huale/losses/box_geometry.h"
#include "huale/models/boxes.h"
#include "huale/models/ops/box_iou.h"
#include "huale/models/ops/nms.h"

namespace huale {
namespace {

namespace nn = torch::nn;

// The sampled RoIs of a batch and what the losses need of them.
struct Samples {
  std::vector<torch::Tensor> proposals;   // per image [R_i, 4]
  torch::Tensor labels;                   // [R]
  torch::Tensor regression_targets;       // [R, 4]
  torch::Tensor matched_gt;               // [R, 4]
  torch::Tensor gt_density;               // [R]
};


}  // namespace

RoiHeadsImpl::RoiHeadsImpl(int64_t in_channels, int64_t num_classes, RoiHeadsOptions options)
    : options_(options),
      num_classes_(num_classes),
      pooler_(options.pool_size, options.sampling_ratio, options.canonical_scale,
              options.canonical_level),
      matcher_(options.fg_iou_thresh, options.bg_iou_thresh, /*allow_low_quality_matches=*/false),
      sampler_(std::make_shared<BalancedPositiveNegativeSampler>(
          options.batch_size_per_image, options.positive_fraction, std::nullopt,
          /*stage_salt=*/2)) {
  const int64_t rep = options.representation_size;
  auto box_head = register_module("box_head", std::make_shared<nn::Module>());
  fc6_ = box_head->register_module(
      "fc6", nn::Linear(in_channels * options.pool_size * options.pool_size, rep));
  fc7_ = box_head->register_module("fc7", nn::Linear(rep, rep));
  auto predictor = register_module("box_predictor", std::make_shared<nn::Module>());
  cls_score_ = predictor->register_module("cls_score", nn::Linear(rep, num_classes));
  bbox_pred_ = predictor->register_module("bbox_pred", nn::Linear(rep, num_classes * 4));
  if (options.iou_head) {
    auto iou = register_module("iou_predictor", std::make_shared<nn::Module>());
    iou_pred_ = iou->register_module("fc", nn::Linear(rep, 1));
  }
}

RoiHeadsOutput RoiHeadsImpl::forward(const std::vector<torch::Tensor>& features,
                                     std::vector<torch::Tensor> proposals,
                                     const std::vector<ImageSize>& image_sizes,
                                     const std::vector<DetectionTarget>* targets,
                                     bool one_per_proposal) {
  const size_t num_images = proposals.size();
  Samples samples;
  if (is_training()) {
    CHECK(targets != nullptr) << "RoI heads in training need targets";
    // torchvision's select_training_samples.
    std::vector<torch::Tensor> labels, matched_idxs;
    for (size_t i = 0; i < num_images; ++i) {
      const torch::Tensor& gt = (*targets)[i].boxes;
      proposals[i] = torch::cat({proposals[i], gt.to(proposals[i].dtype())});  // add_gt_proposals
      if (gt.numel() == 0) {
        const auto long_options = proposals[i].options().dtype(torch::kLong);
        matched_idxs.push_back(torch::zeros({proposals[i].size(0)}, long_options));
        labels.push_back(torch::zeros({proposals[i].size(0)}, long_options));
        continue;
      }
      const torch::Tensor matched = matcher_(ops::BoxIou(gt, proposals[i]));
      const torch::Tensor clamped = matched.clamp_min(0);
      torch::Tensor l = (*targets)[i].labels.index({clamped}).to(torch::kLong);
      l.masked_fill_(matched == Matcher::kBelowLowThreshold, 0);
      l.masked_fill_(matched == Matcher::kBetweenThresholds, -1);
      matched_idxs.push_back(clamped);
      labels.push_back(l);
    }
    const SampledMasks sampled = (*sampler_)(labels, SampleSeeds(*targets));
    std::vector<torch::Tensor> sampled_labels, matched_gt, density;
    for (size_t i = 0; i < num_images; ++i) {
      const torch::Tensor inds =
          torch::where(sampled.positive[i].logical_or(sampled.negative[i]))[0];
      proposals[i] = proposals[i].index({inds});
      sampled_labels.push_back(labels[i].index({inds}));
      const torch::Tensor idx = matched_idxs[i].index({inds});
      torch::Tensor gt = (*targets)[i].boxes;
      torch::Tensor rho = gt.numel() == 0 ? torch::zeros({1}, proposals[i].options().dtype(torch::kFloat))
                                          : box_geometry::GtDensity(gt.to(torch::kFloat));
      if (gt.numel() == 0) gt = torch::zeros({1, 4}, proposals[i].options());
      matched_gt.push_back(gt.index({idx}));
      density.push_back(rho.index({idx}));
    }
    samples.labels = torch::cat(sampled_labels);
    samples.matched_gt = torch::cat(matched_gt);
    samples.gt_density = torch::cat(density);
    samples.regression_targets = box_coder_.Encode(samples.matched_gt, torch::cat(proposals));
  }

  std::vector<std::pair<int64_t, int64_t>> sizes;
  for (const ImageSize& s : image_sizes) sizes.emplace_back(s.height, s.width);
  torch::Tensor x = pooler_(features, proposals, sizes).flatten(1);
  x = torch::relu(fc6_->forward(x));
  x = torch::relu(fc7_->forward(x));
  const torch::Tensor class_logits = cls_score_->forward(x);
  const torch::Tensor box_regression = bbox_pred_->forward(x);
  const torch::Tensor iou =
      options_.iou_head ? torch::sigmoid(iou_pred_->forward(x)).squeeze(1) : torch::Tensor();

  RoiHeadsOutput out;
  if (!is_training()) {
    out.detections =
        Postprocess(x, class_logits, box_regression, iou, proposals, image_sizes, one_per_proposal);
    return out;
  }
  RoiLossInputs in;
  in.class_logits = class_logits;
  in.labels = samples.labels;
  in.positive = torch::where(samples.labels > 0)[0];
  const torch::Tensor labels_pos = samples.labels.index({in.positive});
  in.box_deltas = box_regression.reshape({box_regression.size(0), -1, 4})
                      .index({in.positive, labels_pos});
  in.target_deltas = samples.regression_targets.index({in.positive});
  in.proposals = torch::cat(proposals).index({in.positive});
  in.pred_boxes = box_coder_.Decode(in.box_deltas, in.proposals);
  in.gt_boxes = samples.matched_gt.index({in.positive});
  in.gt_density = samples.gt_density.index({in.positive});
  if (options_.iou_head) in.iou_pred = iou.index({in.positive});
  out.losses = Losses(in);
  return out;
}

std::map<std::string, torch::Tensor> RoiHeadsImpl::Losses(const RoiLossInputs& in) const {
  if (losses_.empty()) {
    // torchvision's fastrcnn_loss.
    const torch::Tensor box_loss =
        torch::smooth_l1_loss(in.box_deltas, in.target_deltas, at::Reduction::Sum, 1.0 / 9) /
        static_cast<double>(std::max<int64_t>(1, in.labels.numel()));
    return {{"loss_classifier", torch::cross_entropy_loss(in.class_logits, in.labels)},
            {"loss_box_reg", box_loss}};
  }
  std::map<std::string, torch::Tensor> out;
  for (const WeightedRoiLoss& term : losses_) {
    out[term.name] = term.weight * term.loss->Compute(in);
  }
  return out;
}

std::vector<RoiDetections> RoiHeadsImpl::Postprocess(
    const torch::Tensor& representation, const torch::Tensor& class_logits, const torch::Tensor& box_regression,
    const torch::Tensor& iou, const std::vector<torch::Tensor>& proposals,
    const std::vector<ImageSize>& image_sizes, bool one_per_proposal) const {
  const int64_t c = class_logits.size(1);
  const torch::Tensor pred_boxes =
      box_coder_.Decode(box_regression, torch::cat(proposals)).reshape({-1, c, 4});
  const torch::Tensor probs = torch::softmax(class_logits, -1);
  torch::Tensor scores = probs;
  if (options_.iou_head && options_.score_fusion_alpha != 1.0 && !one_per_proposal) {
    const double a = options_.score_fusion_alpha;
    scores = probs.pow(a) * iou.unsqueeze(1).pow(1.0 - a);
  }
  std::vector<RoiDetections> out;
  int64_t offset = 0;
  for (size_t i = 0; i < proposals.size(); ++i) {
    const int64_t n = proposals[i].size(0);
    using torch::indexing::None;
  using torch::indexing::Slice;
    torch::Tensor boxes = ClipBoxesToImage(pred_boxes.slice(0, offset, offset + n),
                                           image_sizes[i].height, image_sizes[i].width);
    torch::Tensor s = scores.slice(0, offset, offset + n);
    const auto long_options = s.options().dtype(torch::kLong);
    torch::Tensor labels = torch::arange(c, long_options).view({1, -1}).expand_as(s);
    torch::Tensor rows = torch::arange(n, long_options).view({-1, 1}).expand_as(s);
    if (one_per_proposal) {
      // Per proposal: the most probable foreground class and its box.
      const auto [best, best_index] = s.index({Slice(), Slice(1, None)}).max(1);
      labels = best_index + 1;
      rows = torch::arange(n, long_options);
      boxes = boxes.index({rows, labels});
      s = best;
    } else {
      boxes = boxes.index({Slice(), Slice(1, None)}).reshape({-1, 4});
      s = s.index({Slice(), Slice(1, None)}).reshape(-1);
      labels = labels.index({Slice(), Slice(1, None)}).reshape(-1);
      rows = rows.index({Slice(), Slice(1, None)}).reshape(-1);
    }
    const auto select = [&](const torch::Tensor& keep) {
      boxes = boxes.index({keep});
      s = s.index({keep});
      labels = labels.index({keep});
      rows = rows.index({keep});
    };
    select(torch::where(s > options_.score_thresh)[0]);
    select(RemoveSmallBoxes(boxes, 1e-2));
    select(ops::BatchedNms(boxes, s, labels, options_.nms_thresh)
               .slice(0, 0, options_.detections_per_img));
    RoiDetections d;
    d.boxes = boxes;
    d.scores = s;
    d.labels = labels;
    d.class_probs = probs.slice(0, offset, offset + n).index({rows});
    d.features = representation.slice(0, offset, offset + n).index({rows});
    if (options_.iou_head) d.iou = iou.slice(0, offset, offset + n).index({rows});
    out.push_back(std::move(d));
    offset += n;
  }
  return out;
}

}  // namespace huale
