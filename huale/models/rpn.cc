#include "huale/models/rpn.h"

#include <algorithm>

#include <torch/torch.h>

#include "huale/models/boxes.h"
#include "huale/models/ops/box_iou.h"
#include "huale/models/ops/nms.h"

namespace huale {
namespace {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

nn::Conv2d HeadConv(int64_t in, int64_t out, int64_t kernel) {
  nn::Conv2d conv(nn::Conv2dOptions(in, out, kernel).padding(kernel / 2));
  nn::init::normal_(conv->weight, 0.0, 0.01);
  nn::init::zeros_(conv->bias);
  return conv;
}

// [B, A*C, H, W] -> [B, H*W*A, C] (torchvision's permute_and_flatten).
torch::Tensor PermuteAndFlatten(const torch::Tensor& x, int64_t c) {
  const int64_t b = x.size(0), h = x.size(2), w = x.size(3);
  const int64_t a = x.size(1) / c;
  return x.view({b, a, c, h, w}).permute({0, 3, 4, 1, 2}).reshape({b, -1, c});
}

}  // namespace

RpnHeadImpl::RpnHeadImpl(int64_t in_channels, int64_t num_anchors) {
  // conv.0.0: torchvision nests a Conv2dNormActivation in a Sequential. (Not
  // nn::Sequential(nn::Sequential(...)): that copies the holder.)
  nn::ModuleList conv;
  conv_ = nn::Sequential(HeadConv(in_channels, in_channels, 3), nn::ReLU());
  conv->push_back(conv_);
  register_module("conv", conv);
  cls_logits_ = register_module("cls_logits", HeadConv(in_channels, num_anchors, 1));
  bbox_pred_ = register_module("bbox_pred", HeadConv(in_channels, num_anchors * 4, 1));
}

std::pair<std::vector<torch::Tensor>, std::vector<torch::Tensor>> RpnHeadImpl::forward(
    const std::vector<torch::Tensor>& features) {
  std::vector<torch::Tensor> logits, deltas;
  for (const torch::Tensor& f : features) {
    const torch::Tensor t = conv_->forward(f);
    logits.push_back(cls_logits_->forward(t));
    deltas.push_back(bbox_pred_->forward(t));
  }
  return {logits, deltas};
}

RegionProposalNetworkImpl::RegionProposalNetworkImpl(int64_t in_channels, AnchorGenerator anchors,
                                                     RpnOptions options)
    : anchor_generator_(std::move(anchors)),
      options_(options),
      matcher_(options.fg_iou_thresh, options.bg_iou_thresh, /*allow_low_quality_matches=*/true),
      sampler_(std::make_shared<BalancedPositiveNegativeSampler>(
          options.batch_size_per_image, options.positive_fraction, std::nullopt,
          /*stage_salt=*/1)) {
  head_ = register_module(
      "head", RpnHead(in_channels, anchor_generator_.num_anchors_per_location()));
}

RpnOutput RegionProposalNetworkImpl::forward(const std::vector<torch::Tensor>& features,
                                             ImageSize padded,
                                             const std::vector<ImageSize>& image_sizes,
                                             const std::vector<DetectionTarget>* targets) {
  const int64_t num_images = static_cast<int64_t>(image_sizes.size());
  auto [logits, deltas] = head_->forward(features);
  const torch::Tensor anchors = anchor_generator_(padded.height, padded.width, features);

  std::vector<int64_t> anchors_per_level;
  std::vector<torch::Tensor> flat_logits, flat_deltas;
  for (size_t l = 0; l < logits.size(); ++l) {
    anchors_per_level.push_back(logits[l][0].numel());
    flat_logits.push_back(PermuteAndFlatten(logits[l], 1));
    flat_deltas.push_back(PermuteAndFlatten(deltas[l], 4));
  }
  const torch::Tensor objectness = torch::cat(flat_logits, 1).flatten(0, -2);  // [B*N, 1]
  const torch::Tensor pred_deltas = torch::cat(flat_deltas, 1).reshape({-1, 4});  // [B*N, 4]

  const torch::Tensor all_anchors = anchors.repeat({num_images, 1});
  const torch::Tensor proposals =
      box_coder_.Decode(pred_deltas.detach(), all_anchors).view({num_images, -1, 4});

  RpnOutput out;
  out.proposals = FilterProposals(proposals, objectness, image_sizes, anchors_per_level);
  if (is_training()) {
    CHECK(targets != nullptr) << "RPN in training needs targets";
    out.losses = Losses(anchors, objectness, pred_deltas, *targets, num_images);
  }
  return out;
}

std::vector<torch::Tensor> RegionProposalNetworkImpl::FilterProposals(
    const torch::Tensor& proposals, const torch::Tensor& objectness_in,
    const std::vector<ImageSize>& image_sizes, const std::vector<int64_t>& anchors_per_level) {
  const int64_t num_images = proposals.size(0);
  const torch::Tensor objectness = objectness_in.detach().reshape({num_images, -1});
  const int64_t pre_nms = is_training() ? options_.pre_nms_top_n_train : options_.pre_nms_top_n_test;
  const int64_t post_nms =
      is_training() ? options_.post_nms_top_n_train : options_.post_nms_top_n_test;

  std::vector<torch::Tensor> levels, top_idx;
  int64_t offset = 0;
  for (size_t l = 0; l < anchors_per_level.size(); ++l) {
    const int64_t n = anchors_per_level[l];
    levels.push_back(torch::full({n}, static_cast<int64_t>(l),
                                 objectness.options().dtype(torch::kLong)));
    const torch::Tensor ob = objectness.slice(1, offset, offset + n);
    top_idx.push_back(std::get<1>(ob.topk(std::min(pre_nms, n), 1)) + offset);
    offset += n;
  }
  const torch::Tensor top = torch::cat(top_idx, 1);  // [B, K]
  const torch::Tensor level = torch::cat(levels);
  const torch::Tensor batch_idx =
      torch::arange(num_images, objectness.options().dtype(torch::kLong)).unsqueeze(1);
  const torch::Tensor top_scores = objectness.index({batch_idx, top});
  const torch::Tensor top_levels = level.index({top});
  const torch::Tensor top_boxes = proposals.index({batch_idx, top});
  const torch::Tensor probs = torch::sigmoid(top_scores);

  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < num_images; ++i) {
    torch::Tensor boxes = ClipBoxesToImage(top_boxes[i], image_sizes[i].height, image_sizes[i].width);
    torch::Tensor scores = probs[i];
    torch::Tensor lvl = top_levels[i];
    torch::Tensor keep = RemoveSmallBoxes(boxes, 1e-3);
    boxes = boxes.index({keep});
    scores = scores.index({keep});
    lvl = lvl.index({keep});
    keep = torch::where(scores >= options_.score_thresh)[0];
    boxes = boxes.index({keep});
    scores = scores.index({keep});
    lvl = lvl.index({keep});
    keep = ops::BatchedNms(boxes, scores, lvl, options_.nms_thresh).slice(0, 0, post_nms);
    out.push_back(boxes.index({keep}));
  }
  return out;
}

std::map<std::string, torch::Tensor> RegionProposalNetworkImpl::Losses(
    const torch::Tensor& anchors, const torch::Tensor& objectness, const torch::Tensor& deltas,
    const std::vector<DetectionTarget>& targets, int64_t num_images) {
  std::vector<torch::Tensor> labels, regression_targets;
  for (int64_t i = 0; i < num_images; ++i) {
    const torch::Tensor gt = targets[i].boxes;
    if (gt.numel() == 0) {
      labels.push_back(torch::zeros({anchors.size(0)}, anchors.options().dtype(torch::kFloat)));
      regression_targets.push_back(box_coder_.Encode(torch::zeros_like(anchors), anchors));
      continue;
    }
    const torch::Tensor matched = matcher_(ops::BoxIou(gt, anchors));
    const torch::Tensor matched_gt = gt.index({matched.clamp_min(0)});
    torch::Tensor l = (matched >= 0).to(torch::kFloat);
    l.masked_fill_(matched == Matcher::kBelowLowThreshold, 0.0);
    l.masked_fill_(matched == Matcher::kBetweenThresholds, -1.0);
    labels.push_back(l);
    regression_targets.push_back(box_coder_.Encode(matched_gt, anchors));
  }
  const SampledMasks sampled = (*sampler_)(labels, SampleSeeds(targets));
  const torch::Tensor pos = torch::where(torch::cat(sampled.positive))[0];
  const torch::Tensor neg = torch::where(torch::cat(sampled.negative))[0];
  const torch::Tensor inds = torch::cat({pos, neg});
  const torch::Tensor all_labels = torch::cat(labels);
  const torch::Tensor all_targets = torch::cat(regression_targets);
  const torch::Tensor box_loss =
      // torch::smooth_l1_loss: F::smooth_l1_loss ignores its options' beta in 1.13.
      torch::smooth_l1_loss(deltas.index({pos}), all_targets.index({pos}), at::Reduction::Sum,
                            1.0 / 9) /
      static_cast<double>(std::max<int64_t>(1, inds.numel()));
  const torch::Tensor objectness_loss = F::binary_cross_entropy_with_logits(
      objectness.flatten().index({inds}), all_labels.index({inds}));
  return {{"loss_objectness", objectness_loss}, {"loss_rpn_box_reg", box_loss}};
}

}  // namespace huale
