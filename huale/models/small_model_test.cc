// The small registered model (fasterrcnn_small_fpn): it builds by name, trains
// (its loss falls when it fits one batch), handles images without boxes, and
// rejects bad targets with errors naming the image and the box.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "gmock/gmock.h"
#include "glog/logging.h"
#include "gtest/gtest.h"
#include "huale/models/detector.h"
#include "huale/models/faster_rcnn.h"
#include "huale/models/resnet.h"
#include "huale/models/weights.h"

namespace huale {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<Detector> MakeSmall(int num_classes = 10) {
  ModelSpec spec;
  spec.set_name("fasterrcnn_small_fpn");
  absl::StatusOr<std::unique_ptr<Detector>> model =
      ModelRegistry::Get().Create(spec.name(), spec, num_classes);
  CHECK(model.ok()) << model.status();
  return std::move(*model);
}

// A 160 px scene with two bright rectangles on a dark background.
std::pair<torch::Tensor, DetectionTarget> Scene(int variant) {
  torch::Tensor image = torch::full({3, 160, 160}, 0.1f);
  const float s = variant * 7.0f;
  image.slice(1, 20 + s, 70 + s).slice(2, 30, 90).fill_(0.9f);
  image.slice(1, 90, 140).slice(2, 80 + s, 120 + s).fill_(0.6f);
  DetectionTarget t{torch::tensor({{30.f, 20.f + s, 90.f, 70.f + s}, {80.f + s, 90.f, 120.f + s, 140.f}}),
                    torch::tensor({3, 7}, torch::kLong)};
  return {image, t};
}

TEST(SmallModel, AllModelsAreRegistered) {
  for (const char* name : {"fasterrcnn_resnet50_fpn", "fasterrcnn_resnet34_fpn",
                           "fasterrcnn_resnet18_fpn", "fasterrcnn_small_fpn"}) {
    EXPECT_TRUE(ModelRegistry::Get().Contains(name)) << name;
  }
  ModelSpec spec;
  EXPECT_EQ(ModelRegistry::Get().Create("fasterrcnn_resnet51_fpn", spec, 3).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(SmallModel, ReportsItsPoolersFpnLevels) {
  // SmallFpnConfig: canonical box 64 px on P4, pooled FPN outputs at strides
  // 8, 16, 32 (P3..P5). torchvision's ResNet-FPN: 224 px on P4, P2..P5.
  const FpnLevels small = MakeSmall()->fpn_levels();
  EXPECT_EQ(small.canonical_scale, 64);
  EXPECT_EQ(small.canonical_level, 4);
  EXPECT_EQ(small.min_level, 3);
  EXPECT_EQ(small.max_level, 5);
  ModelSpec spec;
  spec.set_name("fasterrcnn_resnet18_fpn");
  absl::StatusOr<std::unique_ptr<Detector>> resnet = ModelRegistry::Get().Create(spec.name(), spec, 3);
  ASSERT_TRUE(resnet.ok()) << resnet.status();
  const FpnLevels levels = (*resnet)->fpn_levels();
  EXPECT_EQ(levels.canonical_scale, 224);
  EXPECT_EQ(levels.min_level, 2);
  EXPECT_EQ(levels.max_level, 5);
}

TEST(SmallModel, LossFallsWhenFittingOneBatch) {
  torch::manual_seed(3);
  std::unique_ptr<Detector> model = MakeSmall();
  model->train();
  auto [a, ta] = Scene(0);
  auto [b, tb] = Scene(2);
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
  double first = 0, last = 0;
  for (int step = 0; step < 40; ++step) {
    auto losses = model->Losses({a, b}, {ta, tb});
    ASSERT_TRUE(losses.ok()) << losses.status();
    ASSERT_EQ(losses->size(), 4u);
    torch::Tensor total = torch::zeros({});
    for (const auto& [name, value] : *losses) total = total + value;
    ASSERT_TRUE(std::isfinite(total.item<double>()));
    if (step == 0) first = total.item<double>();
    last = total.item<double>();
    sgd.zero_grad();
    total.backward();
    sgd.step();
  }
  EXPECT_LT(last, 0.5 * first) << "first " << first << " last " << last;
}

TEST(SmallModel, ImageWithoutBoxesInBatchGivesFiniteLossesAndGradients) {
  torch::manual_seed(4);
  std::unique_ptr<Detector> model = MakeSmall();
  model->train();
  auto [a, ta] = Scene(1);
  const DetectionTarget empty{torch::zeros({0, 4}), torch::zeros({0}, torch::kLong)};
  for (const auto& targets : {std::vector<DetectionTarget>{ta, empty},
                              std::vector<DetectionTarget>{empty, empty}}) {
    auto losses = model->Losses({a, torch::rand({3, 120, 150})}, targets);
    ASSERT_TRUE(losses.ok()) << losses.status();
    torch::Tensor total = torch::zeros({});
    for (const auto& [name, value] : *losses) {
      EXPECT_TRUE(std::isfinite(value.item<double>())) << name;
      total = total + value;
    }
    model->zero_grad();
    total.backward();
    for (const auto& p : model->parameters()) {
      if (p.grad().defined()) {
        EXPECT_TRUE(torch::isfinite(p.grad()).all().item<bool>());
      }
    }
  }
}

TEST(SmallModel, DegenerateBoxIsAnErrorNamingImageAndBox) {
  std::unique_ptr<Detector> model = MakeSmall();
  model->train();
  auto [a, ta] = Scene(0);
  const DetectionTarget bad{torch::tensor({{10.f, 10.f, 50.f, 60.f}, {40.f, 30.f, 40.f, 80.f}}),
                            torch::tensor({1, 2}, torch::kLong)};
  auto losses = model->Losses({a, a}, {ta, bad});
  ASSERT_FALSE(losses.ok());
  EXPECT_EQ(losses.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(losses.status().message()), HasSubstr("image 1, box 1: degenerate"));

  const DetectionTarget nan{torch::tensor({{10.f, NAN, 50.f, 60.f}}), torch::tensor({1}, torch::kLong)};
  EXPECT_THAT(std::string(model->Losses({a}, {nan}).status().message()),
              HasSubstr("image 0, box 0: degenerate or non-finite"));
}

TEST(SmallModel, LabelsOutsideOneToNumClassesAreErrors) {
  std::unique_ptr<Detector> model = MakeSmall(10);
  model->train();
  auto [a, ta] = Scene(0);
  ta.labels = torch::tensor({0, 7}, torch::kLong);  // 0 is background, not a class
  EXPECT_THAT(std::string(model->Losses({a}, {ta}).status().message()),
              HasSubstr("image 0, box 0: label 0 outside 1..10"));
  ta.labels = torch::tensor({3, 11}, torch::kLong);
  EXPECT_THAT(std::string(model->Losses({a}, {ta}).status().message()),
              HasSubstr("label 11 outside 1..10"));
}

TEST(SmallModel, BadImagesAreErrors) {
  std::unique_ptr<Detector> model = MakeSmall();
  model->eval();
  torch::NoGradGuard no_grad;
  EXPECT_EQ(model->Detect({}, {}, {}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(model->Detect({torch::rand({1, 50, 50})}, {}, {}).status().message()),
              HasSubstr("image 0: expected float32 [3, H, W], found Float [1, 50, 50]"));
  EXPECT_THAT(std::string(model->Detect({torch::rand({3, 50, 50})}, {{50, 50}, {50, 50}}, {})
                              .status()
                              .message()),
              HasSubstr("1 images but 2 original sizes"));
}

TEST(SmallModel, DetectionsAreInOriginalPixelsWithFullClassProbabilities) {
  torch::manual_seed(5);
  ModelSpec spec;
  spec.set_name("fasterrcnn_small_fpn");
  spec.mutable_faster_rcnn()->set_box_score_thresh(0.0);  // random model: keep everything
  auto created = ModelRegistry::Get().Create(spec.name(), spec, 10);
  ASSERT_TRUE(created.ok());
  std::unique_ptr<Detector> model = std::move(*created);
  model->eval();
  torch::NoGradGuard no_grad;
  auto [a, ta] = Scene(0);
  DetectOptions options;
  options.class_probs = true;
  // The loader resized a 320 x 480 original to 160 x 240 (scale 0.5).
  const torch::Tensor image = torch::nn::functional::pad(
      a, torch::nn::functional::PadFuncOptions({0, 80}));
  auto dets = model->Detect({image}, {{320, 480}}, options);
  ASSERT_TRUE(dets.ok()) << dets.status();
  ASSERT_EQ(dets->size(), 1u);
  const ImageDetections& d = (*dets)[0];
  EXPECT_EQ(d.width, 480);
  EXPECT_EQ(d.height, 320);
  ASSERT_FALSE(d.detections.empty());
  for (const Detection& det : d.detections) {
    ASSERT_EQ(det.class_probs.size(), 11u);
    double sum = 0;
    for (float p : det.class_probs) sum += p;
    EXPECT_NEAR(sum, 1.0, 1e-5);
    EXPECT_FLOAT_EQ(det.class_probs[det.label + 1], det.score);
    EXPECT_GE(det.label, 0);
    EXPECT_LT(det.label, 10);
    EXPECT_LE(det.box.x2, 480.0 + 1e-3);
    EXPECT_LE(det.box.y2, 320.0 + 1e-3);
    EXPECT_EQ(det.predicted_iou, -1);
  }
  // Boxes are twice the size they have in the 160 x 240 input: some reach past it.
  double max_x = 0;
  for (const Detection& det : d.detections) max_x = std::max(max_x, det.box.x2);
  EXPECT_GT(max_x, 240.0);
}

// Acquisition's view (DetectOptions::one_per_proposal): one detection per
// proposal, its argmax foreground class and max foreground probability, where
// evaluation's post-processing gives one proposal several detections (its
// runner-up classes) — same proposals, same class-probability rows.
TEST(SmallModel, OneDetectionPerProposalKeepsTheArgmaxClassOnly) {
  torch::manual_seed(5);
  ModelSpec spec;
  spec.set_name("fasterrcnn_small_fpn");
  spec.mutable_faster_rcnn()->set_box_score_thresh(0.0);  // random model: keep everything
  spec.mutable_faster_rcnn()->set_box_detections_per_img(1000);
  auto created = ModelRegistry::Get().Create(spec.name(), spec, 10);
  ASSERT_TRUE(created.ok());
  std::unique_ptr<Detector> model = std::move(*created);
  model->eval();
  torch::NoGradGuard no_grad;
  auto [a, ta] = Scene(1);
  DetectOptions per_class;
  per_class.class_probs = true;
  DetectOptions per_proposal = per_class;
  per_proposal.one_per_proposal = true;
  auto many = model->Detect({a}, {}, per_class);
  auto one = model->Detect({a}, {}, per_proposal);
  ASSERT_TRUE(many.ok() && one.ok());
  // Proposals are told apart by their softmax rows.
  std::map<std::vector<float>, int> per_row_many, per_row_one;
  for (const Detection& d : (*many)[0].detections) ++per_row_many[d.class_probs];
  for (const Detection& d : (*one)[0].detections) {
    ++per_row_one[d.class_probs];
    const auto best = std::max_element(d.class_probs.begin() + 1, d.class_probs.end());
    EXPECT_EQ(d.label, best - d.class_probs.begin() - 1);
    EXPECT_FLOAT_EQ(d.score, *best);
  }
  ASSERT_FALSE(per_row_one.empty());
  int repeated_rows = 0;
  for (const auto& [row, count] : per_row_many) repeated_rows += count > 1;
  EXPECT_GT(repeated_rows, 0) << "evaluation's view should repeat proposals (runner-up classes)";
  for (const auto& [row, count] : per_row_one) EXPECT_EQ(count, 1);
  EXPECT_LT((*one)[0].detections.size(), (*many)[0].detections.size());
}

// DetectOptions::embedding: one feature vector per image (the coarsest pooled
// level's mean over the image's own extent), the same alone or beside another
// image of its size. (A wider partner pads the batch, and GroupNorm's
// statistics then include the padding: features move, as detections do.)
TEST(SmallModel, EmbeddingIsTheImagesMeanFeatureWhateverItsBatch) {
  torch::manual_seed(5);
  std::unique_ptr<Detector> model = MakeSmall();
  model->eval();
  torch::NoGradGuard no_grad;
  auto [a, ta] = Scene(0);
  const torch::Tensor other = torch::rand({3, 160, 160});
  DetectOptions options;
  options.embedding = true;
  auto alone = model->Detect({a}, {}, options);
  auto batched = model->Detect({other, a}, {}, options);
  ASSERT_TRUE(alone.ok() && batched.ok());
  ASSERT_EQ((*alone)[0].embedding.size(), 64u);  // the small model's FPN channels
  ASSERT_EQ((*batched)[1].embedding.size(), 64u);
  for (size_t k = 0; k < 64; ++k) {
    EXPECT_NEAR((*alone)[0].embedding[k], (*batched)[1].embedding[k], 1e-4) << k;
  }
  EXPECT_TRUE(model->Detect({a}, {}, DetectOptions{}).value()[0].embedding.empty());
}

TEST(SmallModel, IouHeadFillsPredictedIouAndFusesScores) {
  torch::manual_seed(6);
  ModelSpec spec;
  spec.set_name("fasterrcnn_small_fpn");
  spec.mutable_faster_rcnn()->set_iou_head(true);
  spec.mutable_faster_rcnn()->set_box_score_thresh(0.0);
  auto created = ModelRegistry::Get().Create(spec.name(), spec, 10);
  ASSERT_TRUE(created.ok());
  std::unique_ptr<Detector> model = std::move(*created);
  model->eval();
  torch::NoGradGuard no_grad;
  auto [a, ta] = Scene(0);
  DetectOptions options;
  options.class_probs = true;
  auto dets = model->Detect({a}, {}, options);
  ASSERT_TRUE(dets.ok());
  ASSERT_FALSE((*dets)[0].detections.empty());
  for (const Detection& det : (*dets)[0].detections) {
    EXPECT_GT(det.predicted_iou, 0);
    EXPECT_LT(det.predicted_iou, 1);
  }
  ModelSpec fused = spec;
  fused.mutable_faster_rcnn()->set_score_fusion_alpha(0.5);
  ModelSpec no_head = fused;
  no_head.mutable_faster_rcnn()->set_iou_head(false);
  EXPECT_THAT(std::string(ModelRegistry::Get().Create(no_head.name(), no_head, 10).status().message()),
              HasSubstr("FasterRcnnOptions.score_fusion_alpha: a value != 1 needs iou_head"));
}

// Body weights as //tools:pretrain_backbone writes them (here: the body's own
// names, no prefix) fill the detector's body and nothing else.
TEST(SmallModel, BackboneWeightsFillTheBodyOnly) {
  absl::StatusOr<FasterRcnnConfig> config = SmallFpnConfig(FasterRcnnOptions());
  ASSERT_TRUE(config.ok());
  torch::manual_seed(11);
  ResNetBody body(config->body);
  NamedTensors tensors;
  for (const auto& p : body->named_parameters()) tensors.emplace_back(p.key(), p.value());
  const std::string dir = std::getenv("TEST_TMPDIR");
  const std::string path = dir + "/small_body.pt";
  ASSERT_TRUE(WriteWeightsFile(path, tensors).ok());

  torch::manual_seed(12);
  std::unique_ptr<Detector> fresh = MakeSmall();
  ModelSpec spec;
  spec.set_name("fasterrcnn_small_fpn");
  spec.set_backbone_weights(path);
  torch::manual_seed(12);  // the same random initialisation as `fresh`
  absl::StatusOr<std::unique_ptr<Detector>> loaded =
      ModelRegistry::Get().Create(spec.name(), spec, 10);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const auto params = (*loaded)->named_parameters();
  const auto fresh_params = fresh->named_parameters();
  EXPECT_TRUE(torch::equal(params["backbone.body.layer3.0.conv1.weight"],
                           body->named_parameters()["layer3.0.conv1.weight"]));
  EXPECT_TRUE(torch::equal(params["backbone.body.conv1.weight"],
                           body->named_parameters()["conv1.weight"]));
  EXPECT_FALSE(torch::equal(params["backbone.body.conv1.weight"],
                            fresh_params["backbone.body.conv1.weight"]));
  for (const auto& p : params) {  // FPN, RPN and RoI heads untouched
    if (p.key().rfind("backbone.body.", 0) != 0) {
      EXPECT_TRUE(torch::equal(p.value(), fresh_params[p.key()])) << p.key();
    }
  }
}

TEST(SmallModel, MismatchingOrMissingBackboneWeightsNameFileAndTensor) {
  absl::StatusOr<ResNetOptions> r18 = ResNetPreset(18);
  ASSERT_TRUE(r18.ok());
  r18->norm = NormKind::kGroupNorm;
  ResNetBody other(*r18);
  NamedTensors tensors;
  for (const auto& p : other->named_parameters()) tensors.emplace_back(p.key(), p.value());
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/r18_body.pt";
  ASSERT_TRUE(WriteWeightsFile(path, tensors).ok());
  ModelSpec spec;
  spec.set_name("fasterrcnn_small_fpn");
  spec.set_backbone_weights(path);
  const absl::Status wrong = ModelRegistry::Get().Create(spec.name(), spec, 10).status();
  EXPECT_EQ(wrong.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(wrong.message()),
              HasSubstr(path + ": tensor 'backbone.body.conv1.weight': file has [64, 3, 7, 7], "
                               "model expects [32, 3, 3, 3]"));
  spec.set_backbone_weights("/nonexistent/body.pt");
  const absl::Status missing = ModelRegistry::Get().Create(spec.name(), spec, 10).status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.message()), HasSubstr("/nonexistent/body.pt"));
}

}  // namespace
}  // namespace huale
