// The evaluator family: ground truth + detections -> named metrics.
#ifndef HUALE_EVAL_EVALUATOR_H_
#define HUALE_EVAL_EVALUATOR_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "huale/core/detections.h"
#include "huale/core/registry.h"
#include "huale/data/dataset.h"
#include "huale/eval/evaluation_spec.pb.h"

namespace huale {

// EvaluationSpec's ranges (score_threshold in [0, 1], max_images >= 0), checked
// by every evaluator's factory.
absl::Status CheckEvaluationSpec(const EvaluationSpec& spec);

// One detection an evaluator is given: a label in [0, num_classes), a finite box
// with x2 >= x1 and y2 >= y1, a finite score. Errors name the image and the
// detection's index.
absl::Status CheckDetection(const Detection& detection, absl::string_view image_id, size_t index,
                            int num_classes);

struct EvaluationResult {
  // The evaluator's headline metric name (e.g. "mAP" or "AP") and its value.
  std::string primary_metric;
  std::map<std::string, double> metrics;
  // AP per class name; classes without ground truth are absent.
  std::map<std::string, double> per_class_ap;
};

class Evaluator {
 public:
  static constexpr char kFamily[] = "evaluator";
  virtual ~Evaluator() = default;

  virtual absl::StatusOr<EvaluationResult> Evaluate(
      const Dataset& ground_truth, const std::vector<ImageDetections>& detections) const = 0;
};

using EvaluatorRegistry = Registry<Evaluator, const EvaluationSpec&>;

}  // namespace huale

#endif  // HUALE_EVAL_EVALUATOR_H_
