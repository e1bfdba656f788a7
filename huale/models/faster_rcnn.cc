#include "huale/models/faster_rcnn.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "glog/logging.h"
#include "huale/core/option_checks.h"
#include "huale/core/status_macros.h"
#include "huale/models/weights.h"

namespace huale {
namespace {

// The options over an architecture's configuration. Integer and boolean fields
// take their defaults from the proto (an architecture's own values come in as a
// FasterRcnnOptions preset under the spec's, see SmallFpnPreset); float fields
// only override when set, so that unset they keep the C++ structs' double
// values (the proto's float 0.7 would be 0.699999988), which the test
// FasterRcnnOptions.FloatDefaultsAgreeWithTheProto checks against the proto.
// Every numeric option's range, in OptionChecks' format
// ("FasterRcnnOptions.fpn_channels: ..."), before any module is built.
absl::Status CheckFasterRcnnOptions(const FasterRcnnOptions& o) {
  OptionChecks checks(o);
  for (float size : o.anchor_sizes()) checks.Positive("anchor_sizes", size);
  for (float ratio : o.aspect_ratios()) checks.Positive("aspect_ratios", ratio);
  checks.Positive("fpn_channels", o.fpn_channels())
      .InRange("trainable_backbone_layers", o.trainable_backbone_layers(), 0, 5)
      .Positive("rpn_pre_nms_top_n_train", o.rpn_pre_nms_top_n_train())
      .Positive("rpn_pre_nms_top_n_test", o.rpn_pre_nms_top_n_test())
      .Positive("rpn_post_nms_top_n_train", o.rpn_post_nms_top_n_train())
      .Positive("rpn_post_nms_top_n_test", o.rpn_post_nms_top_n_test())
      .InRange("rpn_nms_thresh", o.rpn_nms_thresh(), 0, 1)
      .InRange("rpn_fg_iou_thresh", o.rpn_fg_iou_thresh(), 0, 1)
      .InRange("rpn_bg_iou_thresh", o.rpn_bg_iou_thresh(), 0, o.rpn_fg_iou_thresh())
      .Positive("rpn_batch_size_per_image", o.rpn_batch_size_per_image())
      .InRange("rpn_positive_fraction", o.rpn_positive_fraction(), 0, 1)
      .InRange("rpn_score_thresh", o.rpn_score_thresh(), 0, 1)
      .InRange("box_score_thresh", o.box_score_thresh(), 0, 1)
      .InRange("box_nms_thresh", o.box_nms_thresh(), 0, 1)
      .Positive("box_detections_per_img", o.box_detections_per_img())
      .InRange("box_fg_iou_thresh", o.box_fg_iou_thresh(), 0, 1)
      .InRange("box_bg_iou_thresh", o.box_bg_iou_thresh(), 0, o.box_fg_iou_thresh())
      .Positive("box_batch_size_per_image", o.box_batch_size_per_image())
      .InRange("box_positive_fraction", o.box_positive_fraction(), 0, 1)
      .Positive("representation_size", o.representation_size())
      .InRange("score_fusion_alpha", o.score_fusion_alpha(), 0, 1)
      .Check("score_fusion_alpha", o.score_fusion_alpha() == 1 || o.iou_head(),
             "a value != 1 needs iou_head: true")
      .AtLeast("min_size", o.min_size(), 0)
      .AtLeast("max_size", o.max_size(), 0)
      .Check("max_size", (o.min_size() > 0) == (o.max_size() > 0),
             absl::StrCat("min_size and max_size are both 0 or both > 0, found ", o.min_size(),
                          " / ", o.max_size()))
      .AtLeast("size_divisible", o.size_divisible(), 1);
  return checks.status();
}

absl::Status ApplyOptions(const FasterRcnnOptions& o, FasterRcnnConfig& c) {
  HUALE_RETURN_IF_ERROR(CheckFasterRcnnOptions(o));
  if (o.aspect_ratios_size() > 0) c.aspect_ratios.assign(o.aspect_ratios().begin(), o.aspect_ratios().end());
  if (o.anchor_sizes_size() > 0) {
    const int levels = static_cast<int>(c.anchor_sizes.size());
    if (o.anchor_sizes_size() % levels != 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "FasterRcnnOptions.anchor_sizes: ", o.anchor_sizes_size(),
          " values for ", levels, " pyramid levels; expected a multiple of ", levels));
    }
    const int k = o.anchor_sizes_size() / levels;
    for (int l = 0; l < levels; ++l) {
      c.anchor_sizes[l].assign(o.anchor_sizes().begin() + l * k, o.anchor_sizes().begin() + (l + 1) * k);
    }
  }
  c.fpn_channels = o.fpn_channels();
  c.body.trainable_layers = o.trainable_backbone_layers();
  c.channels_last = o.channels_last();
  if (o.has_norm() && o.norm() != FasterRcnnOptions::DEFAULT_NORM) {
    c.body.norm = o.norm() == FasterRcnnOptions::GROUP_NORM ? NormKind::kGroupNorm
                                                            : NormKind::kFrozenBatchNorm;
  }
  RpnOptions& r = c.rpn;
  r.pre_nms_top_n_train = o.rpn_pre_nms_top_n_train();
  r.pre_nms_top_n_test = o.rpn_pre_nms_top_n_test();
  r.post_nms_top_n_train = o.rpn_post_nms_top_n_train();
  r.post_nms_top_n_test = o.rpn_post_nms_top_n_test();
  if (o.has_rpn_nms_thresh()) r.nms_thresh = o.rpn_nms_thresh();
  if (o.has_rpn_fg_iou_thresh()) r.fg_iou_thresh = o.rpn_fg_iou_thresh();
  if (o.has_rpn_bg_iou_thresh()) r.bg_iou_thresh = o.rpn_bg_iou_thresh();
  r.batch_size_per_image = o.rpn_batch_size_per_image();
  if (o.has_rpn_positive_fraction()) r.positive_fraction = o.rpn_positive_fraction();
  if (o.has_rpn_score_thresh()) r.score_thresh = o.rpn_score_thresh();
  RoiHeadsOptions& h = c.roi;
  if (o.has_box_score_thresh()) h.score_thresh = o.box_score_thresh();
  if (o.has_box_nms_thresh()) h.nms_thresh = o.box_nms_thresh();
  h.detections_per_img = o.box_detections_per_img();
  if (o.has_box_fg_iou_thresh()) h.fg_iou_thresh = o.box_fg_iou_thresh();
  if (o.has_box_bg_iou_thresh()) h.bg_iou_thresh = o.box_bg_iou_thresh();
  h.batch_size_per_image = o.box_batch_size_per_image();
  if (o.has_box_positive_fraction()) h.positive_fraction = o.box_positive_fraction();
  h.representation_size = o.representation_size();
  h.iou_head = o.iou_head();
  h.score_fusion_alpha = o.score_fusion_alpha();
  c.transform.min_size = o.min_size();
  c.transform.max_size = o.max_size();
  c.transform.size_divisible = o.size_divisible();
  return absl::OkStatus();
}

torch::Tensor Nonfinite(const torch::Tensor& t) { return torch::isfinite(t).logical_not(); }

}  // namespace

absl::StatusOr<FasterRcnnConfig> ResNetFpnConfig(int depth, const FasterRcnnOptions& options) {
  absl::StatusOr<ResNetOptions> body = ResNetPreset(depth);
  if (!body.ok()) return body.status();
  FasterRcnnConfig c;
  c.body = *body;
  absl::Status status = ApplyOptions(options, c);
  if (!status.ok()) return status;
  return c;
}

namespace {

// The small model's option values where they differ from the proto's defaults
// (torchvision's R50-FPN): see SmallFpnConfig.
FasterRcnnOptions SmallFpnPreset() {
  FasterRcnnOptions o;
  o.set_fpn_channels(64);
  o.set_trainable_backbone_layers(5);
  o.set_rpn_pre_nms_top_n_train(1000);
  o.set_rpn_pre_nms_top_n_test(500);
  o.set_rpn_post_nms_top_n_train(500);
  o.set_rpn_post_nms_top_n_test(300);
  o.set_rpn_batch_size_per_image(128);
  o.set_box_batch_size_per_image(128);
  o.set_representation_size(256);
  return o;
}

}  // namespace

// The small model: a ResNet-like body of one BasicBlock per stage (widths 32, 64,
// 96, 128; 3x3 stride-2 stem; GroupNorm, so it trains from scratch on batches of
// a few images), an FPN of 64 channels on strides 8, 16, 32 without P6, two anchor
// sizes per level (16, 24 | 32, 48 | 64, 96, the benchmark's 16-96 px objects), the
// pooler's canonical box 64 px on P4, fewer proposals and RoIs, a 256-wide head.
absl::StatusOr<FasterRcnnConfig> SmallFpnConfig(const FasterRcnnOptions& options) {
  FasterRcnnConfig c;
  c.body.bottleneck = false;
  c.body.blocks = {1, 1, 1, 1};
  c.body.widths = {32, 64, 96, 128};
  c.body.stem_channels = 32;
  c.body.stem_kernel = 3;
  c.body.norm = NormKind::kGroupNorm;
  c.returned_layers = {1, 2, 3};
  c.fpn_max_pool = false;
  c.pooled_levels = 3;
  c.anchor_sizes = {{16, 24}, {32, 48}, {64, 96}};
  c.roi.canonical_scale = 64;
  FasterRcnnOptions preset_then_spec = SmallFpnPreset();
  preset_then_spec.MergeFrom(options);  // the preset sets no repeated field
  absl::Status status = ApplyOptions(preset_then_spec, c);
  if (!status.ok()) return status;
  return c;
}

FpnLevels FasterRcnn::fpn_levels() const {
  FpnLevels levels;
  levels.canonical_scale = static_cast<double>(config_.roi.canonical_scale);
  levels.canonical_level = static_cast<int>(config_.roi.canonical_level);
  levels.min_level = static_cast<int>(config_.returned_layers.front()) + 2;
  levels.max_level = levels.min_level + static_cast<int>(config_.pooled_levels) - 1;
  return levels;
}

FasterRcnn::FasterRcnn(const FasterRcnnConfig& config, int num_classes)
    : config_(config), num_classes_(num_classes), transform_(config.transform) {
  auto backbone = register_module("backbone", std::make_shared<torch::nn::Module>());
  body_ = backbone->register_module("body", ResNetBody(config.body));
  std::vector<int64_t> in_channels;
  for (int64_t l : config.returned_layers) in_channels.push_back(body_->out_channels()[l]);
  fpn_ = backbone->register_module(
      "fpn", FeaturePyramid(in_channels, config.fpn_channels, config.fpn_max_pool));
  rpn_ = register_module("rpn", RegionProposalNetwork(config.fpn_channels,
                                                      AnchorGenerator(config.anchor_sizes,
                                                                      config.aspect_ratios),
                                                      config.rpn));
  roi_heads_ = register_module(
      "roi_heads", RoiHeads(config.fpn_channels, num_classes + 1, config.roi));
  if (config.channels_last) {
    // Every 4-D weight (the convolutions) in NHWC strides; loading weights later
    // copies into these tensors and keeps their layout.
    torch::NoGradGuard no_grad;
    for (torch::Tensor& p : parameters()) {
      if (p.dim() == 4) p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
    }
  }
}

std::vector<torch::Tensor> FasterRcnn::Features(const torch::Tensor& batch) {
  const std::vector<torch::Tensor> c = body_->forward(
      config_.channels_last ? batch.contiguous(torch::MemoryFormat::ChannelsLast) : batch);
  std::vector<torch::Tensor> selected;
  for (int64_t l : config_.returned_layers) selected.push_back(c[l]);
  return fpn_->forward(selected);
}

absl::Status FasterRcnn::SetRoiLosses(const std::vector<LossSpec>& specs) {
  std::vector<WeightedRoiLoss> losses;
  int classification = 0, regression = 0;
  size_t regression_index = 0;
  for (size_t i = 0; i < specs.size(); ++i) {
    absl::StatusOr<std::unique_ptr<Loss>> loss = LossRegistry::Get().Create(specs[i].name(), specs[i]);
    if (!loss.ok()) {
      return absl::Status(loss.status().code(),
                          absl::StrCat("losses[", i, "]: ", loss.status().message()));
    }
    if ((*loss)->needs_iou_head() && !roi_heads_->has_iou_head()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "losses[", i, "]: loss '", specs[i].name(),
          "' needs the IoU head; set model.faster_rcnn.iou_head: true"));
    }
    WeightedRoiLoss term;
    switch ((*loss)->role()) {
      case LossRole::kClassification:
        term.name = "loss_classifier";
        ++classification;
        break;
      case LossRole::kBoxRegression:
        term.name = "loss_box_reg";
        ++regression;
        regression_index = i;
        break;
      case LossRole::kAuxiliary:
        term.name = absl::StrCat("loss_", specs[i].name());
        for (const WeightedRoiLoss& other : losses) {
          if (other.name == term.name) term.name = absl::StrCat(term.name, "_", i);
        }
        break;
    }
    term.weight = specs[i].weight();
    term.loss = std::shared_ptr<const Loss>(std::move(*loss));
    losses.push_back(std::move(term));
  }
  if (classification != 1 || regression != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "losses: need exactly one classification and one box-regression loss, found ",
        classification, " and ", regression));
  }
  // An auxiliary box term left to its default must regress what the box loss
  // does (HUALE's Emphasis defaults to EIoU; beside smooth-L1 that mixes two
  // box losses unasked). Setting the term explicitly allows the mix.
  const BoxInput regressed = losses[regression_index].loss->box_input();
  for (size_t i = 0; i < losses.size(); ++i) {
    const Loss& loss = *losses[i].loss;
    if (!loss.box_input_is_default() || loss.box_input() == BoxInput::kNone ||
        loss.box_input() == regressed) {
      continue;
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "losses[", i, "].", specs[i].name(), ".box_term: unset, and its default regresses ",
        BoxInputName(loss.box_input()), " while the box-regression loss losses[",
        regression_index, "] ('", specs[regression_index].name(), "') regresses ",
        BoxInputName(regressed), "; set box_term to match it, or explicitly to mix the two"));
  }
  roi_heads_->set_losses(std::move(losses));
  return absl::OkStatus();
}

absl::Status ValidateDetectorInputs(const std::vector<torch::Tensor>& images,
                                    const std::vector<DetectionTarget>* targets,
                                    int num_classes) {
  if (images.empty()) return absl::InvalidArgumentError("detector: empty batch");
  for (size_t i = 0; i < images.size(); ++i) {
    const torch::Tensor& im = images[i];
    if (!im.defined() || im.dim() != 3 || im.size(0) != 3 || im.size(1) < 1 || im.size(2) < 1 ||
        im.scalar_type() != torch::kFloat) {
      return absl::InvalidArgumentError(absl::StrCat(
          "detector: image ", i, ": expected float32 [3, H, W], found ",
          im.defined() ? absl::StrCat(c10::toString(im.scalar_type()), " [",
                                      absl::StrJoin(im.sizes(), ", "), "]")
                       : "an undefined tensor"));
    }
  }
  if (targets == nullptr) return absl::OkStatus();
  if (targets->size() != images.size()) {
    return absl::InvalidArgumentError(absl::StrCat("detector: ", images.size(), " images but ",
                                                   targets->size(), " targets"));
  }
  for (size_t i = 0; i < targets->size(); ++i) {
    const DetectionTarget& t = (*targets)[i];
    const int64_t n = t.boxes.defined() ? t.boxes.size(0) : -1;
    if (!t.boxes.defined() || t.boxes.dim() != 2 || t.boxes.size(1) != 4 ||
        !t.boxes.is_floating_point() || !t.labels.defined() || t.labels.dim() != 1 ||
        t.labels.size(0) != n || t.labels.scalar_type() != torch::kLong) {
      return absl::InvalidArgumentError(absl::StrCat(
          "detector: target ", i, ": expected boxes float [N, 4] and labels int64 [N]"));
    }
    if (n == 0) continue;
    const torch::Tensor bad_label = torch::where((t.labels < 1).logical_or(t.labels > num_classes))[0];
    if (bad_label.numel() > 0) {
      const int64_t j = bad_label[0].item<int64_t>();
      return absl::InvalidArgumentError(absl::StrCat(
          "detector: image ", i, ", box ", j, ": label ", t.labels[j].item<int64_t>(),
          " outside 1..", num_classes, " (labels are one-based, 0 = background)"));
    }
    const torch::Tensor b = t.boxes;
    const torch::Tensor bad = torch::where(Nonfinite(b).any(1).logical_or(
        (b.select(1, 2) <= b.select(1, 0)).logical_or(b.select(1, 3) <= b.select(1, 1))))[0];
    if (bad.numel() > 0) {
      const int64_t j = bad[0].item<int64_t>();
      const torch::Tensor box = b[j].to(torch::kDouble);
      return absl::InvalidArgumentError(absl::StrCat(
          "detector: image ", i, ", box ", j, ": degenerate or non-finite gt box (",
          box[0].item<double>(), ", ", box[1].item<double>(), ", ", box[2].item<double>(), ", ",
          box[3].item<double>(), "); expected x2 > x1 and y2 > y1"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::map<std::string, torch::Tensor>> FasterRcnn::Losses(
    const std::vector<torch::Tensor>& images, const std::vector<DetectionTarget>& targets_in) {
  absl::Status valid = ValidateDetectorInputs(images, &targets_in, num_classes_);
  if (!valid.ok()) return valid;
  if (!is_training()) return absl::FailedPreconditionError("FasterRcnn::Losses needs train()");
  std::vector<DetectionTarget> targets;
  for (const DetectionTarget& t : targets_in) {
    targets.push_back({t.boxes.to(torch::kFloat), t.labels, t.sample_seed});
  }
  const ImageBatch batch = transform_(images, &targets);
  const std::vector<torch::Tensor> features = Features(batch.tensors);
  const ImageSize padded{batch.tensors.size(2), batch.tensors.size(3)};
  RpnOutput rpn = rpn_->forward(features, padded, batch.image_sizes, &targets);
  const std::vector<torch::Tensor> pooled(features.begin(),
                                          features.begin() + config_.pooled_levels);
  RoiHeadsOutput heads = roi_heads_->forward(pooled, rpn.proposals, batch.image_sizes, &targets);
  std::map<std::string, torch::Tensor> losses = std::move(rpn.losses);
  for (auto& [name, value] : heads.losses) losses[name] = value;
  return losses;
}

absl::StatusOr<std::vector<RoiDetections>> FasterRcnn::DetectTensors(
    const std::vector<torch::Tensor>& images, const std::vector<ImageSize>& original_sizes,
    const DetectOptions& options) {
  absl::Status valid = ValidateDetectorInputs(images, nullptr, num_classes_);
  if (!valid.ok()) return valid;
  if (!original_sizes.empty() && original_sizes.size() != images.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "detector: ", images.size(), " images but ", original_sizes.size(), " original sizes"));
  }
  if (is_training()) return absl::FailedPreconditionError("FasterRcnn::Detect needs eval()");
  const ImageBatch batch = transform_(images, nullptr);
  const std::vector<torch::Tensor> features = Features(batch.tensors);
  const ImageSize padded{batch.tensors.size(2), batch.tensors.size(3)};
  RpnOutput rpn = rpn_->forward(features, padded, batch.image_sizes, nullptr);
  const std::vector<torch::Tensor> pooled(features.begin(),
                                          features.begin() + config_.pooled_levels);
  RoiHeadsOutput heads =
      roi_heads_->forward(pooled, rpn.proposals, batch.image_sizes, nullptr,
                          options.one_per_proposal);
  for (size_t i = 0; i < images.size(); ++i) {
    const ImageSize original = original_sizes.empty()
                                   ? ImageSize{images[i].size(1), images[i].size(2)}
                                   : original_sizes[i];
    heads.detections[i].boxes =
        DetectorTransform::ResizeBoxes(heads.detections[i].boxes, batch.image_sizes[i], original);
    if (options.embedding) {
      // The coarsest pooled level over the image's own (unpadded) extent.
      const torch::Tensor& level = pooled.back();
      const int64_t stride = batch.tensors.size(2) / level.size(2);
      const int64_t h = std::max<int64_t>(1, batch.image_sizes[i].height / stride);
      const int64_t w = std::max<int64_t>(1, batch.image_sizes[i].width / stride);
      heads.detections[i].embedding =
          level[i].slice(1, 0, h).slice(2, 0, w).mean({1, 2}).to(torch::kFloat);
    }
  }
  return std::move(heads.detections);
}

absl::StatusOr<std::vector<ImageDetections>> FasterRcnn::Detect(
    const std::vector<torch::Tensor>& images, const std::vector<ImageSize>& original_sizes,
    const DetectOptions& options) {
  absl::StatusOr<std::vector<RoiDetections>> tensors =
      DetectTensors(images, original_sizes, options);
  if (!tensors.ok()) return tensors.status();
  std::vector<ImageDetections> out;
  for (size_t i = 0; i < tensors->size(); ++i) {
    const RoiDetections& d = (*tensors)[i];
    ImageDetections image;
    image.height = original_sizes.empty() ? images[i].size(1) : original_sizes[i].height;
    image.width = original_sizes.empty() ? images[i].size(2) : original_sizes[i].width;
    // To host memory (the model may run on a GPU).
    const torch::Tensor boxes = d.boxes.to(torch::kCPU, torch::kDouble).contiguous();
    const torch::Tensor scores = d.scores.to(torch::kCPU, torch::kFloat).contiguous();
    const torch::Tensor labels = d.labels.to(torch::kCPU, torch::kLong).contiguous();
    const torch::Tensor probs = d.class_probs.to(torch::kCPU, torch::kFloat).contiguous();
    const torch::Tensor iou =
        d.iou.defined() ? d.iou.to(torch::kCPU, torch::kFloat).contiguous() : d.iou;
    const torch::Tensor features = options.instance_features
                                       ? d.features.to(torch::kCPU, torch::kFloat).contiguous()
                                       : torch::Tensor();
    if (d.embedding.defined()) {
      const torch::Tensor e = d.embedding.to(torch::kCPU, torch::kFloat).contiguous();
      image.embedding.assign(e.data_ptr<float>(), e.data_ptr<float>() + e.numel());
    }
    const int64_t n = boxes.size(0), c = probs.size(1);
    for (int64_t k = 0; k < n; ++k) {
      Detection det;
      const double* b = boxes.data_ptr<double>() + 4 * k;
      det.box = Box{b[0], b[1], b[2], b[3]};
      det.score = scores.data_ptr<float>()[k];
      det.label = static_cast<int>(labels.data_ptr<int64_t>()[k]) - 1;
      if (options.class_probs) {
        const float* p = probs.data_ptr<float>() + c * k;
        det.class_probs.assign(p, p + c);
      }
      if (iou.defined()) det.predicted_iou = iou.data_ptr<float>()[k];
      if (options.instance_features) {
        const float* f = features.data_ptr<float>() + features.size(1) * k;
        det.feature.assign(f, f + features.size(1));
      }
      image.detections.push_back(std::move(det));
    }
    out.push_back(std::move(image));
  }
  return out;
}

absl::Status FasterRcnn::LoadWeights(const std::string& path) {
  return LoadWeightsFile(*this, path);
}

void FasterRcnn::set_samplers(std::shared_ptr<Sampler> rpn, std::shared_ptr<Sampler> roi) {
  rpn_->set_sampler(std::move(rpn));
  roi_heads_->set_sampler(std::move(roi));
}

namespace {

absl::StatusOr<std::unique_ptr<Detector>> Build(absl::StatusOr<FasterRcnnConfig> config,
                                                const ModelSpec& spec, int num_classes) {
  if (!config.ok()) return config.status();
  if (num_classes < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("model '", spec.name(), "': num_classes must be >= 1, found ", num_classes));
  }
  auto model = std::make_unique<FasterRcnn>(*config, num_classes);
  if (!spec.backbone_weights().empty()) {
    absl::Status loaded = LoadBackboneBodyFile(*model, spec.backbone_weights());
    if (!loaded.ok()) return loaded;
  }
  if (!spec.weights().empty()) {
    absl::Status loaded = model->LoadWeights(spec.weights());
    if (!loaded.ok()) return loaded;
  }
  return std::unique_ptr<Detector>(std::move(model));
}

}  // namespace

HUALE_REGISTER(ModelRegistry, "fasterrcnn_resnet50_fpn",
               "Faster R-CNN, ResNet-50 FPN (torchvision's configuration and names)",
               [](const ModelSpec& spec, int num_classes) {
                 return Build(ResNetFpnConfig(50, spec.faster_rcnn()), spec, num_classes);
               });
HUALE_REGISTER(ModelRegistry, "fasterrcnn_resnet34_fpn",
               "Faster R-CNN, ResNet-34 FPN (torchvision's resnet_fpn_backbone)",
               [](const ModelSpec& spec, int num_classes) {
                 return Build(ResNetFpnConfig(34, spec.faster_rcnn()), spec, num_classes);
               });
HUALE_REGISTER(ModelRegistry, "fasterrcnn_resnet18_fpn",
               "Faster R-CNN, ResNet-18 FPN (torchvision's resnet_fpn_backbone)",
               [](const ModelSpec& spec, int num_classes) {
                 return Build(ResNetFpnConfig(18, spec.faster_rcnn()), spec, num_classes);
               });
HUALE_REGISTER(ModelRegistry, "fasterrcnn_small_fpn",
               "Small Faster R-CNN (narrow ResNet, 3-level FPN, GroupNorm) for the embedded "
               "Fashion-MNIST benchmark on 2 CPU cores",
               [](const ModelSpec& spec, int num_classes) {
                 return Build(SmallFpnConfig(spec.faster_rcnn()), spec, num_classes);
               });

}  // namespace huale
