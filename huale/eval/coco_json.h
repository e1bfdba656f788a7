// COCO JSON for evaluation: the instances file (ground truth) under the
// evaluator's policy, joined with a results file (coco_results.h) as
// pycocotools' COCO/loadRes join them.
//
// The instances file is parsed by the one COCO parser (huale/data/
// coco_instances.h); the training reader (huale/data/coco_reader.h) applies the
// training policy to the same parse.
#ifndef HUALE_EVAL_COCO_JSON_H_
#define HUALE_EVAL_COCO_JSON_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "huale/core/detections.h"
#include "huale/data/dataset.h"
#include "huale/eval/coco_eval.h"
#include "huale/eval/coco_results.h"  // CocoResult, ParseCocoResults, WriteCocoResults

namespace huale {

// An instances file as written: `images` and `categories` are required,
// `annotations` optional; an annotation needs id, image_id, category_id, bbox
// [x, y, w, h] and area; iscrowd defaults to 0. Other fields are ignored (as
// the reference overwrites `ignore` with `iscrowd`, so does this).
struct CocoGroundTruthFile {
  struct Image {
    int64_t id = 0;
    int width = 0, height = 0;
    std::string file_name;
  };
  struct Category {
    int64_t id = 0;
    std::string name;
  };
  struct Object {
    int64_t id = 0, image_id = 0, category_id = 0;
    double x = 0, y = 0, w = 0, h = 0, area = 0;
    bool crowd = false;
  };
  std::vector<Image> images;
  std::vector<Category> categories;
  std::vector<Object> annotations;
};

// `source` names the input in error messages (usually its path). Errors name
// the entry and field (e.g. "annotations[12]: field 'bbox'"), what was expected
// and found.
absl::StatusOr<CocoGroundTruthFile> ParseCocoGroundTruth(absl::string_view json,
                                                         absl::string_view source);
absl::StatusOr<CocoGroundTruthFile> LoadCocoGroundTruth(const std::string& path);

// Joins as the reference does: categories ordered by ascending id; ground truth
// on images or categories not listed is left out; a result for an image not in
// the ground truth is an error (the reference asserts); a result whose category
// is not in the ground truth is left out (the reference never loads it) and
// counted in `*dropped_results` if given.
absl::StatusOr<CocoEvalData> JoinCocoEvalData(const CocoGroundTruthFile& ground_truth,
                                              const std::vector<CocoResult>& results,
                                              int64_t* dropped_results = nullptr);

// The ground truth as a Dataset: contiguous labels by ascending category id
// (category_ids kept), image ids as decimal strings, boxes xyxy.
Dataset ToDataset(const CocoGroundTruthFile& ground_truth);

// Results as per-image detections for `dataset` (one ImageDetections per image
// of the dataset, in its order), matched by image_name == ImageRecord::id;
// category_id maps to the label through dataset.category_ids (label + 1 when
// empty, as for VOC). Same join rules as JoinCocoEvalData.
absl::StatusOr<std::vector<ImageDetections>> ToImageDetections(
    const std::vector<CocoResult>& results, const Dataset& dataset,
    int64_t* dropped_results = nullptr);

}  // namespace huale

#endif  // HUALE_EVAL_COCO_JSON_H_
