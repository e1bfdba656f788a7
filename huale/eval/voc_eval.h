// PASCAL VOC detection AP, the devkit's rules (VOCevaldet.m; py-faster-rcnn's
// voc_eval.py): per class, detections sorted by descending score (ties keep
// input order: images in dataset order, then detection order) are each assigned
// to the ground truth of their image with the highest IoU; IoU uses the +1 pixel
// convention (width = x2 - x1 + 1) in areas and intersections. IoU > 0.5 makes
// a true positive unless that object was already detected (then a false
// positive, no fall back to the next best) or is `difficult` (then neither);
// difficult objects do not count in recall.
//
// "voc07": 11-point interpolated AP (VOC2007), the mean over t = 0, 0.1, ..., 1
// of the best precision at recall >= t, with t computed as numpy's
// arange(0, 1.1, 0.1) does (3 * 0.1 = 0.30000000000000004).
// "voc_area": all-point AP (VOC2010+), the area under the precision envelope.
#ifndef HUALE_EVAL_VOC_EVAL_H_
#define HUALE_EVAL_VOC_EVAL_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "huale/core/detections.h"
#include "huale/data/dataset.h"
#include "huale/eval/evaluator.h"

namespace huale {

enum class VocApMethod { kElevenPoint, kArea };

// AP of one class from its cumulative recall and precision curves (one entry
// per detection in score order).
double VocAveragePrecision(const std::vector<double>& recall,
                           const std::vector<double>& precision, VocApMethod method);

struct VocClassResult {
  double ap = -1;             // -1 when the class has no non-difficult object
  int64_t num_positives = 0;  // non-difficult objects
  int64_t num_detections = 0;
  int64_t true_positives = 0;
};

struct VocSummary {
  double mean_ap = -1;  // over classes with num_positives > 0; -1 if none
  std::vector<VocClassResult> per_class;  // index = label
};

// Errors on detections for images not in `ground_truth`, labels outside the
// dataset's classes, non-finite boxes or scores, and boxes with x2 < x1 or
// y2 < y1. Detections with score < `score_threshold` are left out.
absl::StatusOr<VocSummary> EvaluateVoc(const Dataset& ground_truth,
                                       const std::vector<ImageDetections>& detections,
                                       VocApMethod method, double score_threshold = 0.0,
                                       double iou_threshold = 0.5);

// "mAP" (primary) and AP per class name (classes without positives left out).
EvaluationResult ToEvaluationResult(const Dataset& ground_truth, const VocSummary& summary);

}  // namespace huale

#endif  // HUALE_EVAL_VOC_EVAL_H_
