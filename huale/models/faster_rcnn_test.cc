// Equality with torchvision 0.26.0's fasterrcnn_resnet50_fpn(weights=None,
// weights_backbone=None): tools/make_detector_fixtures.py, run by the test,
// writes torchvision's weights, detections and training losses on two images.
#include "huale/models/faster_rcnn.h"

#include <cstdlib>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <torch/serialize.h>
#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "glog/logging.h"
#include "huale/models/weights.h"

namespace huale {
namespace {

std::string Runfile(const std::string& path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return absl::StrCat(srcdir ? srcdir : ".", "/", workspace ? workspace : "huale", "/", path);
}

// torchvision's model and its outputs, written once per test binary by the
// fixture script on this machine: torchvision's own results differ between CPU
// families (oneDNN's kernels round differently), so they are not committed.
struct Reference {
  std::string weights_path;  // 160 MB
  std::string fixture_path;  // images, targets, detections, losses, sampled masks
};

const Reference& TorchvisionReference() {
  static const Reference* reference = [] {
    const char* tmp = std::getenv("TEST_TMPDIR");
    const std::string dir = tmp ? tmp : "/tmp";
    auto* r = new Reference{absl::StrCat(dir, "/r50_weights.pt"),
                            absl::StrCat(dir, "/detector_fixtures.pt")};
    const std::string cmd =
        absl::StrCat("/opt/huale/py/bin/python ", Runfile("tools/make_detector_fixtures.py"),
                     " --weights ", r->weights_path, " --out ", r->fixture_path);
    CHECK_EQ(std::system(cmd.c_str()), 0) << cmd;
    return r;
  }();
  return *reference;
}

const std::string& WeightsPath() { return TorchvisionReference().weights_path; }

std::map<std::string, torch::Tensor> LoadFixture() {
  const absl::StatusOr<NamedTensors> read = ReadWeightsFile(TorchvisionReference().fixture_path);
  CHECK(read.ok()) << read.status();
  return std::map<std::string, torch::Tensor>(read->begin(), read->end());
}

ModelSpec R50Spec(bool channels_last = false) {
  ModelSpec spec;
  spec.set_name("fasterrcnn_resnet50_fpn");
  FasterRcnnOptions* o = spec.mutable_faster_rcnn();
  o->set_min_size(160);  // as the fixture script's CONFIG
  o->set_max_size(224);
  o->set_box_score_thresh(0.05);
  o->set_box_detections_per_img(50);
  o->set_channels_last(channels_last);
  return spec;
}

std::unique_ptr<FasterRcnn> MakeR50(bool channels_last = false) {
  absl::StatusOr<std::unique_ptr<Detector>> model =
      ModelRegistry::Get().Create("fasterrcnn_resnet50_fpn", R50Spec(channels_last), 90);
  CHECK(model.ok()) << model.status();
  std::unique_ptr<FasterRcnn> r50(static_cast<FasterRcnn*>(model->release()));
  const absl::Status loaded = r50->LoadWeights(WeightsPath());
  CHECK(loaded.ok()) << loaded;
  return r50;
}

std::vector<torch::Tensor> Images(const std::map<std::string, torch::Tensor>& f) {
  return {f.at("image_0").to(torch::kFloat) / 255, f.at("image_1").to(torch::kFloat) / 255};
}

// Float options keep the C++ structs' double defaults when unset (see
// ApplyOptions); they must be the proto's defaults up to float rounding.
TEST(FasterRcnnOptions, FloatDefaultsAgreeWithTheProto) {
  const FasterRcnnOptions& d = FasterRcnnOptions::default_instance();
  for (const absl::StatusOr<FasterRcnnConfig>& c : {ResNetFpnConfig(50, d), SmallFpnConfig(d)}) {
    ASSERT_TRUE(c.ok()) << c.status();
    const std::vector<std::pair<double, float>> pairs = {
        {c->rpn.nms_thresh, d.rpn_nms_thresh()},
        {c->rpn.fg_iou_thresh, d.rpn_fg_iou_thresh()},
        {c->rpn.bg_iou_thresh, d.rpn_bg_iou_thresh()},
        {c->rpn.positive_fraction, d.rpn_positive_fraction()},
        {c->rpn.score_thresh, d.rpn_score_thresh()},
        {c->roi.score_thresh, d.box_score_thresh()},
        {c->roi.nms_thresh, d.box_nms_thresh()},
        {c->roi.fg_iou_thresh, d.box_fg_iou_thresh()},
        {c->roi.bg_iou_thresh, d.box_bg_iou_thresh()},
        {c->roi.positive_fraction, d.box_positive_fraction()},
        {c->roi.score_fusion_alpha, d.score_fusion_alpha()}};
    for (size_t i = 0; i < pairs.size(); ++i) {
      EXPECT_EQ(static_cast<float>(pairs[i].first), pairs[i].second) << "float option " << i;
    }
  }
}

TEST(FasterRcnnOptions, ResNetTakesTheProtoDefaultsAndSmallItsPresetUnderTheSpec) {
  absl::StatusOr<FasterRcnnConfig> r50 = ResNetFpnConfig(50, FasterRcnnOptions());
  ASSERT_TRUE(r50.ok()) << r50.status();
  EXPECT_EQ(r50->fpn_channels, 256);
  EXPECT_EQ(r50->body.trainable_layers, 3);
  EXPECT_EQ(r50->rpn.pre_nms_top_n_train, 2000);
  EXPECT_EQ(r50->roi.representation_size, 1024);
  FasterRcnnOptions spec;
  spec.set_fpn_channels(32);
  absl::StatusOr<FasterRcnnConfig> small = SmallFpnConfig(spec);
  ASSERT_TRUE(small.ok()) << small.status();
  EXPECT_EQ(small->fpn_channels, 32);
  EXPECT_EQ(small->body.trainable_layers, 5);
  EXPECT_EQ(small->rpn.pre_nms_top_n_train, 1000);
  EXPECT_EQ(small->rpn.post_nms_top_n_test, 300);
  EXPECT_EQ(small->roi.batch_size_per_image, 128);
  EXPECT_EQ(small->roi.representation_size, 256);
}

class FasterRcnnVsTorchvision : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::set_num_threads(1);  // as the fixture script: same float reduction order
    fixture_ = LoadFixture();
  }
  std::map<std::string, torch::Tensor> fixture_;
};

TEST_F(FasterRcnnVsTorchvision, EvalDetectionsEqualTorchvisionR50) {
  std::unique_ptr<FasterRcnn> model = MakeR50();
  model->eval();
  torch::NoGradGuard no_grad;
  const absl::StatusOr<std::vector<RoiDetections>> dets = model->DetectTensors(Images(fixture_), {});
  ASSERT_TRUE(dets.ok()) << dets.status();
  for (int i = 0; i < 2; ++i) {
    SCOPED_TRACE(absl::StrCat("image ", i));
    const torch::Tensor boxes = fixture_.at(absl::StrCat("det_boxes_", i));
    const torch::Tensor scores = fixture_.at(absl::StrCat("det_scores_", i));
    const torch::Tensor labels = fixture_.at(absl::StrCat("det_labels_", i));
    const RoiDetections& d = (*dets)[i];
    ASSERT_EQ(d.boxes.size(0), boxes.size(0));
    ASSERT_GT(boxes.size(0), 10);  // the fixture has meaningful detections
    EXPECT_TRUE(torch::equal(d.labels, labels)) << d.labels << labels;
    EXPECT_LE((d.boxes - boxes).abs().max().item<double>(), 1e-3);
    EXPECT_LE((d.scores - scores).abs().max().item<double>(), 1e-4);
    // class_probs rows are the full softmax of the kept boxes.
    EXPECT_TRUE(torch::allclose(d.class_probs.gather(1, d.labels.unsqueeze(1)).squeeze(1),
                                d.scores));
    // features rows are the box head's representation of the kept boxes: the
    // classifier applied to them gives their softmax back.
    ASSERT_EQ(d.features.size(0), d.boxes.size(0));
    const auto params = model->named_parameters();
    const torch::Tensor logits =
        torch::linear(d.features, params["roi_heads.box_predictor.cls_score.weight"],
                      params["roi_heads.box_predictor.cls_score.bias"]);
    EXPECT_LE((torch::softmax(logits, 1) - d.class_probs).abs().max().item<double>(), 1e-5);
  }
  // Through Detect: Detection::feature only when asked for, the same rows.
  DetectOptions options;
  options.class_probs = true;
  options.one_per_proposal = true;
  const auto plain = model->Detect(Images(fixture_), {}, options);
  options.instance_features = true;
  const auto with = model->Detect(Images(fixture_), {}, options);
  ASSERT_TRUE(plain.ok() && with.ok());
  const auto params = model->named_parameters();
  for (size_t i = 0; i < with->size(); ++i) {
    ASSERT_EQ((*with)[i].detections.size(), (*plain)[i].detections.size());
    ASSERT_FALSE((*with)[i].detections.empty());
    for (size_t k = 0; k < (*with)[i].detections.size(); ++k) {
      const Detection& d = (*with)[i].detections[k];
      EXPECT_TRUE((*plain)[i].detections[k].feature.empty());
      ASSERT_EQ(d.feature.size(), static_cast<size_t>(params["roi_heads.box_head.fc7.weight"].size(0)));
      const torch::Tensor f = torch::tensor(d.feature);
      const torch::Tensor p = torch::softmax(
          torch::linear(f, params["roi_heads.box_predictor.cls_score.weight"],
                        params["roi_heads.box_predictor.cls_score.bias"]),
          0);
      EXPECT_LE((p - torch::tensor(d.class_probs)).abs().max().item<double>(), 1e-5);
    }
  }
}

// channels_last changes only float rounding inside the convolutions: the
// confident detections are the same. (The random model's many near-tied
// low-scoring boxes may swap order or NMS decisions, so the whole list is not
// compared.)
TEST_F(FasterRcnnVsTorchvision, ChannelsLastKeepsTheConfidentDetections) {
  std::unique_ptr<FasterRcnn> contiguous = MakeR50();
  std::unique_ptr<FasterRcnn> nhwc = MakeR50(/*channels_last=*/true);
  for (const auto& p : nhwc->named_parameters()) {
    if (p.value().dim() == 4) {
      ASSERT_TRUE(p.value().is_contiguous(torch::MemoryFormat::ChannelsLast)) << p.key();
    }
  }
  contiguous->eval();
  nhwc->eval();
  torch::NoGradGuard no_grad;
  const auto a = contiguous->DetectTensors(Images(fixture_), {});
  const auto b = nhwc->DetectTensors(Images(fixture_), {});
  ASSERT_TRUE(a.ok() && b.ok());
  for (int i = 0; i < 2; ++i) {
    SCOPED_TRACE(absl::StrCat("image ", i));
    const RoiDetections& x = (*a)[i];
    const RoiDetections& y = (*b)[i];
    const int64_t top = std::min<int64_t>(10, x.boxes.size(0));
    ASSERT_GT(top, 5);
    for (int64_t k = 0; k < top; ++k) {
      const torch::Tensor same_label = y.labels == x.labels[k];
      const torch::Tensor box_diff = (y.boxes - x.boxes[k]).abs().amax(1);
      const torch::Tensor match =
          same_label & (box_diff < 0.05) & ((y.scores - x.scores[k]).abs() < 1e-3);
      EXPECT_TRUE(match.any().item<bool>()) << "detection " << k << ": " << x.boxes[k]
                                            << " label " << x.labels[k].item<int64_t>()
                                            << " score " << x.scores[k].item<float>();
    }
  }
}

TEST_F(FasterRcnnVsTorchvision, TrainingLossesEqualTorchvisionR50WithRecordedSamples) {
  std::unique_ptr<FasterRcnn> model = MakeR50();
  model->train();
  const auto masks = [&](const std::string& key) {
    SampledMasks m;
    for (int i = 0; i < 2; ++i) {
      m.positive.push_back(fixture_.at(absl::StrCat(key, "_pos_", i)));
      m.negative.push_back(fixture_.at(absl::StrCat(key, "_neg_", i)));
    }
    return std::vector<SampledMasks>{m};
  };
  model->set_samplers(std::make_shared<FixedSampler>(masks("rpn")),
                      std::make_shared<FixedSampler>(masks("roi")));
  std::vector<DetectionTarget> targets;
  for (int i = 0; i < 2; ++i) {
    targets.push_back({fixture_.at(absl::StrCat("gt_boxes_", i)),
                       fixture_.at(absl::StrCat("gt_labels_", i))});
  }
  const auto losses = model->Losses(Images(fixture_), targets);
  ASSERT_TRUE(losses.ok()) << losses.status();
  for (const char* name :
       {"loss_objectness", "loss_rpn_box_reg", "loss_classifier", "loss_box_reg"}) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(losses->count(name));
    const double expected = fixture_.at(name).item<double>();
    const double found = losses->at(name).item<double>();
    EXPECT_NEAR(found, expected, 1e-4 * std::abs(expected));
  }
  // The losses train the heads: gradients reach the first trainable layer.
  torch::Tensor total = torch::zeros({});
  for (const auto& [name, value] : *losses) total = total + value;
  total.backward();
  const auto params = model->named_parameters();
  ASSERT_TRUE(params["backbone.body.layer2.0.conv1.weight"].grad().defined());
  EXPECT_GT(params["backbone.body.layer2.0.conv1.weight"].grad().abs().sum().item<double>(), 0);
  EXPECT_FALSE(params["backbone.body.layer1.0.conv1.weight"].grad().defined());  // frozen
}

TEST_F(FasterRcnnVsTorchvision, WrongArchitectureWeightsNameFirstMismatch) {
  ModelSpec spec = R50Spec();
  spec.set_name("fasterrcnn_resnet18_fpn");
  spec.set_weights(WeightsPath());
  const absl::StatusOr<std::unique_ptr<Detector>> model =
      ModelRegistry::Get().Create(spec.name(), spec, 90);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(model.status().message()),
              ::testing::HasSubstr("tensor 'backbone.body.layer1.0.conv1.weight': file has "
                                   "[64, 64, 1, 1], model expects [64, 64, 3, 3]"));
}

}  // namespace
}  // namespace huale
