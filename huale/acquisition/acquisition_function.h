// The acquisition-function family (method doc §3): which unlabelled images go to
// the annotator. The engine streams the pool through Score() one image at a
// time (detections on x and on flip(x), the flipped view already mapped back), keeps
// only the small ImageScore of each image, and calls Select() once per cycle, so
// memory grows with the number of pool images by a few numbers each, never by
// their detections.
//
//   auto fn = AcquisitionRegistry::Get().Create(spec.name(), spec);
//   for each pool image: scores.push_back((*fn)->Score(d, MapFlippedBack(df), ctx));
//   absl::StatusOr<Selection> s = (*fn)->Select(std::move(scores), budget, ctx, seed);
#ifndef HUALE_ACQUISITION_ACQUISITION_FUNCTION_H_
#define HUALE_ACQUISITION_ACQUISITION_FUNCTION_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "huale/acquisition/acquisition_spec.pb.h"
#include "huale/core/detections.h"
#include "huale/core/fpn_levels.h"
#include "huale/core/registry.h"

namespace huale {

// One detection an instance-level function keeps (PPAL): its class, score,
// uncertainty and box-head feature.
struct InstanceScore {
  int label = 0;             // 0-based foreground class
  float score = 0;           // s, the max foreground probability
  double uncertainty = 0;    // before any class calibration
  std::vector<float> feature;  // Detection::feature, L2-normalised
};

// A labelled image as the current model sees it, with its labels: what
// functions that calibrate on the labelled set (PPAL's class difficulty) read.
struct LabelledImageDetections {
  ImageDetections detections;  // one per proposal, as pool scoring makes them
  std::vector<Box> truth_boxes;
  std::vector<int> truth_labels;  // 0-based foreground classes
};

// What scoring needs besides the image's detections; fixed for one cycle.
struct ScoringContext {
  // C, foreground classes (class_probs have C + 1 entries, background first).
  int num_classes = 0;
  // q_L: per-class share of ground-truth instances in the labelled set, [C],
  // summing to 1. Empty or all zero = uniform.
  std::vector<double> labelled_class_share;
  // The detector's RoI-pooler level mapping (Detector::fpn_levels()), which
  // per-scale aggregation (HUA) follows. Default: torchvision's ResNet-FPN.
  FpnLevels fpn_levels;
  // Ground truth, filled by the engine ONLY for acquisition functions whose
  // needs_ground_truth() is true (oracles, upper bounds — never a method):
  // per-class ground-truth box counts [C] of each candidate pool image, by image
  // id, and of the whole labelled set.
  std::map<std::string, std::vector<int>> ground_truth_class_counts;
  std::vector<int> labelled_class_counts;
  // The labelled images' embeddings (ImageDetections::embedding), filled by the
  // engine only for functions whose needs_embeddings() is true (core-set).
  std::vector<std::vector<float>> labelled_embeddings;
  // The labelled images' detections by the current model and their labels,
  // filled by the engine only for functions whose needs_labelled_detections()
  // is true.
  std::vector<LabelledImageDetections> labelled_detections;

  // InvalidArgument when the share has the wrong size or a negative entry, or
  // fpn_levels is not valid, or a ground-truth count is negative.
  absl::Status Validate() const;
};

// One pool image after scoring: a few numbers, no detections.
struct ImageScore {
  std::string image_id;
  // No confident box in either view: no uncertainty to rank by. Such images are
  // drawn at random only to fill the budget, except for "huale", which gives
  // them a share of it, by default the lowest max_score first.
  bool in_zero_set = false;
  // In the order of AcquisitionFunction::metric_names(); higher is not
  // necessarily more informative (each function documents its directions).
  std::vector<double> metrics;
  // Highest detection score over both views, 0 without detections; set by the
  // functions that rank their zero set by it ("huale"), else 0.
  double max_score = 0;
  // The image's embedding (ImageDetections::embedding), kept by feature-space
  // functions (core-set); empty otherwise.
  std::vector<float> embedding;
  // A bounded number of its detections, kept by instance-level functions
  // (PPAL); empty otherwise.
  std::vector<InstanceScore> instances;
};

struct SelectedImage {
  std::string image_id;
  // The value the image was last ranked by (the final stage's key; for a zero
  // set ranked by confidence, its max_score), or its position in the seeded
  // random order for images drawn at random.
  double score = 0;
  bool from_zero_set = false;
  // 1-based rank at each of Selection::stage_names; 0 = not ranked there.
  std::vector<int> stage_ranks;
  // Copy of the image's ImageScore::metrics.
  std::vector<double> metrics;
};

// What one cycle selects, with the audit trail the run folder records.
struct Selection {
  std::vector<std::string> metric_names;
  std::vector<std::string> stage_names;
  // How many images each stage ranked (its input; for a random draw, its output).
  std::vector<int> stage_sizes;
  // Exactly min(budget, pool size) images, no duplicates, in selection order.
  std::vector<SelectedImage> images;
};

class AcquisitionFunction {
 public:
  static constexpr char kFamily[] = "acquisition function";
  virtual ~AcquisitionFunction() = default;

  // False when Score() ignores the detections (the engine may then skip the
  // detector and pass empty ImageDetections carrying only the image id).
  virtual bool needs_detections() const { return true; }
  // True for ORACLE functions that select from ground truth: the engine then
  // fills ScoringContext::ground_truth_class_counts and labelled_class_counts.
  virtual bool needs_ground_truth() const { return false; }
  // True when Score() reads ImageDetections::embedding and Select() reads
  // ScoringContext::labelled_embeddings (the engine then embeds the labelled set).
  virtual bool needs_embeddings() const { return false; }
  // True when Score() reads Detection::feature (the engine then asks the
  // detector for box-head features).
  virtual bool needs_instance_features() const { return false; }
  // True when Select() reads ScoringContext::labelled_detections (the engine
  // then runs the detector over the labelled set).
  virtual bool needs_labelled_detections() const { return false; }
  // Names of ImageScore::metrics, e.g. {"entropy", "semantic_affinity", ...}.
  virtual std::vector<std::string> metric_names() const = 0;

  // `original`: detections on x; `flipped_mapped_back`: detections on flip(x)
  // in x's coordinates (MapFlippedBack). Cheap, thread-safe (const, no state).
  virtual ImageScore Score(const ImageDetections& original,
                           const ImageDetections& flipped_mapped_back,
                           const ScoringContext& context) const = 0;

  // Picks min(budget, pool_scores.size()) images. The result depends only on the
  // set of pool scores and `seed`, not on their order. InvalidArgument for a
  // negative budget, a duplicate or empty image id, a wrong metric count or a
  // non-finite metric.
  virtual absl::StatusOr<Selection> Select(std::vector<ImageScore> pool_scores,
                                           int budget, const ScoringContext& context,
                                           uint64_t seed) const = 0;
};

using AcquisitionRegistry = Registry<AcquisitionFunction, const AcquisitionSpec&>;

// OK when `spec` sets no options or the options `expected` (e.g.
// AcquisitionSpec::kHuale); otherwise InvalidArgument naming both fields.
absl::Status CheckOptionsCase(const AcquisitionSpec& spec,
                              AcquisitionSpec::OptionsCase expected);

// Detections made on the horizontally flipped image, expressed in the original
// image's coordinates (x1' = W - x2, x2' = W - x1); everything else is copied.
ImageDetections MapFlippedBack(const ImageDetections& flipped);

}  // namespace huale

#endif  // HUALE_ACQUISITION_ACQUISITION_FUNCTION_H_
