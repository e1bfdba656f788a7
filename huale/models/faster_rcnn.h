// Faster R-CNN with FPN (Ren et al. 2015; Lin et al. 2017) composed as
// torchvision's GeneralizedRCNN: transform -> backbone (ResNet body + FPN) -> RPN
// -> RoI heads -> boxes mapped back to the original images. Registered as
// "fasterrcnn_resnet{18,34,50}_fpn" (torchvision's configuration and names) and
// "fasterrcnn_small_fpn" (a narrow model for the embedded Fashion-MNIST benchmark).
#ifndef HUALE_MODELS_FASTER_RCNN_H_
#define HUALE_MODELS_FASTER_RCNN_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "huale/models/detector.h"
#include "huale/models/fpn.h"
#include "huale/models/resnet.h"
#include "huale/models/roi_heads.h"
#include "huale/models/rpn.h"
#include "huale/models/transform.h"

namespace huale {

struct FasterRcnnConfig {
  ResNetOptions body;
  std::vector<int64_t> returned_layers{0, 1, 2, 3};  // body outputs (layer1..4) into the FPN
  int64_t fpn_channels = 256;
  bool fpn_max_pool = true;      // extra P6 for the RPN only
  int64_t pooled_levels = 4;     // the first k FPN outputs feed the RoI pooler
  std::vector<std::vector<double>> anchor_sizes{{32}, {64}, {128}, {256}, {512}};
  std::vector<double> aspect_ratios{0.5, 1.0, 2.0};
  RpnOptions rpn;
  RoiHeadsOptions roi;
  DetectorTransformOptions transform;
  bool channels_last = false;  // FasterRcnnOptions.channels_last
};

// torchvision's fasterrcnn_resnet50_fpn configuration on a ResNet-`depth` body,
// with the fields set in `options` applied.
absl::StatusOr<FasterRcnnConfig> ResNetFpnConfig(int depth, const FasterRcnnOptions& options);
// The small model's configuration (see faster_rcnn.cc), `options` applied.
absl::StatusOr<FasterRcnnConfig> SmallFpnConfig(const FasterRcnnOptions& options);

class FasterRcnn : public Detector {
 public:
  // num_classes: object classes without background.
  FasterRcnn(const FasterRcnnConfig& config, int num_classes);

  int num_classes() const override { return num_classes_; }
  // From the config: roi.canonical_scale / canonical_level, and the levels of the
  // pooled FPN outputs (body layer l has stride 2^(l + 2): P(l + 2)).
  FpnLevels fpn_levels() const override;
  absl::Status SetRoiLosses(const std::vector<LossSpec>& losses) override;
  absl::StatusOr<std::map<std::string, torch::Tensor>> Losses(
      const std::vector<torch::Tensor>& images,
      const std::vector<DetectionTarget>& targets) override;
  absl::StatusOr<std::vector<ImageDetections>> Detect(const std::vector<torch::Tensor>& images,
                                                      const std::vector<ImageSize>& original_sizes,
                                                      const DetectOptions& options) override;
  absl::Status LoadWeights(const std::string& path) override;

  // Detections as tensors (boxes in original-image pixels), for tests and tools.
  absl::StatusOr<std::vector<RoiDetections>> DetectTensors(
      const std::vector<torch::Tensor>& images, const std::vector<ImageSize>& original_sizes,
      const DetectOptions& options = {});

  // Test hooks: replace the RPN's / RoI heads' samplers (e.g. FixedSampler).
  void set_samplers(std::shared_ptr<Sampler> rpn, std::shared_ptr<Sampler> roi);

  const FasterRcnnConfig& config() const { return config_; }

 private:
  std::vector<torch::Tensor> Features(const torch::Tensor& batch);

  FasterRcnnConfig config_;
  int num_classes_;
  DetectorTransform transform_;
  ResNetBody body_{nullptr};
  FeaturePyramid fpn_{nullptr};
  RegionProposalNetwork rpn_{nullptr};
  RoiHeads roi_heads_{nullptr};
};

// Checks images [3, H, W] float and, when given, targets (one per image, boxes
// [N, 4] finite with x2 > x1 and y2 > y1, labels [N] in 1..num_classes).
absl::Status ValidateDetectorInputs(const std::vector<torch::Tensor>& images,
                                    const std::vector<DetectionTarget>* targets,
                                    int num_classes);

}  // namespace huale

#endif  // HUALE_MODELS_FASTER_RCNN_H_
