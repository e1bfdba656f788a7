// COCO bounding-box evaluation with the reference's exact rules (pycocotools
// COCOeval, iouType "bbox"): per image and category, detections are sorted by
// score (stable, as numpy's mergesort on -score), cut to the 100 best and
// matched greedily to ground truth at the ten IoU thresholds .50:.05:.95; crowd
// regions match any number of detections with IoU = intersection / area(dt),
// and a detection matched to a crowd or to an out-of-range object is ignored;
// size ranges use the annotation's `area` (detections: w * h); precision is
// interpolated at 101 recall points over its envelope; -1 where a range has no
// ground truth.
//
// Memory stays bounded by one category's detections: the evaluator works
// category by category, keeps per detection only its score and bit masks of the
// thresholds at which it is a true or false positive, and frees them once the
// category is accumulated. No images x detections x ground-truth matrices exist.
#ifndef HUALE_EVAL_COCO_EVAL_H_
#define HUALE_EVAL_COCO_EVAL_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "huale/core/detections.h"
#include "huale/data/dataset.h"
#include "huale/eval/evaluator.h"

namespace huale {

// Boxes stay (x, y, w, h) as in COCO JSON so IoUs and areas are computed with
// the reference's floating-point operations, bit for bit.
struct CocoGroundTruthObject {
  int64_t id = 1;     // annotation id (the reference treats a match to id 0 as no match)
  int category = 0;   // contiguous index into CocoEvalData::category_ids
  double x = 0, y = 0, w = 0, h = 0;
  double area = 0;    // the annotation's `area`, which selects the size range
  bool crowd = false;
};

struct CocoDetectionObject {
  int category = 0;
  double x = 0, y = 0, w = 0, h = 0;
  double score = 0;
};

struct CocoImageData {
  int64_t id = 0;
  std::vector<CocoGroundTruthObject> ground_truth;  // in file order
  std::vector<CocoDetectionObject> detections;      // in file order (breaks score ties)
};

struct CocoEvalData {
  std::vector<int64_t> category_ids;       // index = contiguous category
  std::vector<std::string> category_names;
  std::vector<CocoImageData> images;       // any order; evaluated by ascending id
};

// The twelve summary numbers, in pycocotools' order.
inline constexpr std::array<const char*, 12> kCocoMetricNames = {
    "AP", "AP50", "AP75", "APs", "APm", "APl",
    "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"};

struct CocoSummary {
  std::array<double, 12> stats;  // kCocoMetricNames order; -1 where undefined
  // AP@[.5:.95] (all areas, 100 detections) per category index; -1 for a
  // category without (non-crowd) ground truth.
  std::vector<double> per_category_ap;
};

// InvalidArgument on NaN/infinite boxes or scores, negative widths or heights,
// category indices out of range or duplicate image ids.
absl::StatusOr<CocoSummary> EvaluateCoco(const CocoEvalData& data);

// The twelve numbers as metrics (primary "AP") and per-class AP by category
// name; categories without ground truth are left out.
EvaluationResult ToEvaluationResult(const CocoEvalData& data, const CocoSummary& summary);

// Dataset + detections in huale's types -> the evaluator's input. Image ids
// that all parse as integers are ordered numerically (as COCO's are), otherwise
// as strings. Detections with score < `score_threshold` are dropped. Errors on
// detections for images not in `ground_truth`, labels out of range and
// non-finite or inverted boxes.
absl::StatusOr<CocoEvalData> MakeCocoEvalData(const Dataset& ground_truth,
                                              const std::vector<ImageDetections>& detections,
                                              double score_threshold = 0.0);

}  // namespace huale

#endif  // HUALE_EVAL_COCO_EVAL_H_
