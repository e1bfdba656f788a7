// The model family: a detector that trains on a batch (losses by name) and
// detects on images (huale::ImageDetections in original-image pixels). Built by
// name from a ModelSpec:
//
//   auto model = ModelRegistry::Get().Create("fasterrcnn_resnet50_fpn", spec, 20);
//
// Faster R-CNN with FPN (faster_rcnn.h) is the one architecture; the registered
// names differ in backbone and defaults.
#ifndef HUALE_MODELS_DETECTOR_H_
#define HUALE_MODELS_DETECTOR_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/types.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "huale/core/detections.h"
#include "huale/core/fpn_levels.h"
#include "huale/core/registry.h"
#include "huale/losses/loss_spec.pb.h"
#include "huale/models/model_spec.pb.h"

namespace huale {

// Ground truth of one training image, in the pixels of the image handed to the
// detector (the data loader's resized image).
struct DetectionTarget {
  torch::Tensor boxes;   // [N, 4] float32 xyxy; N may be 0
  torch::Tensor labels;  // [N] int64, ONE-based (0 = background, torchvision)
  // When set, this image's anchor and proposal samples are drawn from this
  // seed alone, whatever else is in its batch (the trainer sets it from the
  // seed, cycle, epoch and the image's position in the epoch); unset: from
  // torch's shared generator, image after image.
  std::optional<uint64_t> sample_seed;
};

// (height, width) in pixels.
struct ImageSize {
  int64_t height = 0;
  int64_t width = 0;
};

struct DetectOptions {
  // Fill Detection::class_probs with the box's full softmax (C + 1, background
  // first). Pool scoring asks for it.
  bool class_probs = false;
  // The acquisition's detections (method doc §3): each proposal that survives
  // becomes ONE detection — its most probable foreground class, that class's
  // box, score s = the max foreground probability, its full softmax — then NMS
  // per class and the top detections_per_img. False: torchvision's
  // post-processing (up to one detection per proposal and class), which
  // evaluation uses.
  bool one_per_proposal = false;
  // Fill ImageDetections::embedding (feature-space acquisition: core-set).
  bool embedding = false;
  // Fill Detection::feature (instance-level diversity: PPAL).
  bool instance_features = false;
};

class Detector : public torch::nn::Module {
 public:
  static constexpr char kFamily[] = "model";
  ~Detector() override = default;

  // Object classes, background excluded (the classifier has num_classes() + 1).
  virtual int num_classes() const = 0;

  // The RoI pooler's box-to-level mapping, in the pixels of the image the
  // detector sees; per-scale acquisition (HUA) follows it. Default: torchvision's
  // ResNet-FPN (224 px on P4, P2..P5).
  virtual FpnLevels fpn_levels() const { return FpnLevels(); }

  // The RoI head's losses, built from the experiment's LossSpecs through the
  // LossRegistry: exactly one classification and one box-regression loss, any
  // number of auxiliary ones. Without a call, torchvision's fastrcnn_loss
  // (cross-entropy + smooth-L1 beta 1/9) is used. Error: a role missing or
  // doubled, an unknown name, a loss that needs the IoU head on a model without one.
  virtual absl::Status SetRoiLosses(const std::vector<LossSpec>& losses) = 0;

  // Training forward (call under train()): images [3, H, W] float in [0, 1],
  // one target per image. Returns the losses by name: "loss_objectness",
  // "loss_rpn_box_reg" (RPN, fixed), "loss_classifier", "loss_box_reg" (the
  // classification and box-regression roles), and "loss_<name>" for each
  // auxiliary loss; each already multiplied by its spec weight. Error: shapes,
  // labels out of range, degenerate (zero-area) or non-finite gt boxes.
  virtual absl::StatusOr<std::map<std::string, torch::Tensor>> Losses(
      const std::vector<torch::Tensor>& images,
      const std::vector<DetectionTarget>& targets) = 0;

  // Inference (call under eval() and a NoGradGuard). `original_sizes` maps boxes
  // back to the original images (the loader's original_width/height); empty =
  // the input sizes. ImageDetections::image_id is left for the caller.
  virtual absl::StatusOr<std::vector<ImageDetections>> Detect(
      const std::vector<torch::Tensor>& images, const std::vector<ImageSize>& original_sizes,
      const DetectOptions& options) = 0;

  // Loads a file written by tools/export_torchvision.py (weights.h): a whole
  // detector, or a backbone only (names "backbone.body.*"). Every name is checked.
  virtual absl::Status LoadWeights(const std::string& path) = 0;
};

// Args: the spec, and the number of object classes WITHOUT background (VOC: 20).
using ModelRegistry = Registry<Detector, const ModelSpec&, int>;

}  // namespace huale

#endif  // HUALE_MODELS_DETECTOR_H_
