// COCO results files, the one reader and the one writer: a JSON list of
//   {"image_id": 5, "category_id": 18, "bbox": [x, y, width, height], "score": 0.93}
// (https://cocodataset.org/#format-results), what pycocotools' loadRes reads,
// tools/evaluate scores and tools/detect writes. image_id may also be a string,
// e.g. a VOC file stem "000005" (leading zeros kept).
#ifndef HUALE_EVAL_COCO_RESULTS_H_
#define HUALE_EVAL_COCO_RESULTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "huale/core/box.h"
#include "huale/core/detections.h"
#include "huale/data/dataset.h"

namespace huale {

// One entry of a results file.
struct CocoResult {
  std::string image_name;  // image_id as written: a string's text, an integer's digits
  bool image_id_is_integer = true;
  int64_t image_id = 0;    // when image_id_is_integer
  int64_t category_id = 0;
  double x = 0, y = 0, w = 0, h = 0, score = 0;
};

// An entry for `image_id` (a dataset's id): written as a JSON integer when it
// reads back as the same text (COCO's "42"), else as a string (VOC's "000005").
CocoResult MakeCocoResult(absl::string_view image_id, int64_t category_id, const Box& box,
                          double score);

// `source` names the input in error messages (usually its path). Errors name
// the element (e.g. "[12].bbox"), what was expected and found. An empty array is
// no detections. Rejects NaN (not JSON), negative widths or heights.
absl::StatusOr<std::vector<CocoResult>> ParseCocoResults(absl::string_view json,
                                                         absl::string_view source);
absl::StatusOr<std::vector<CocoResult>> LoadCocoResults(const std::string& path);

// Detections of a dataset's images as results: category_id from
// dataset.category_ids (label + 1 when empty, as for VOC), image ids by
// MakeCocoResult's rule, boxes as [x, y, w, h]. A label outside the dataset's
// classes is an error naming the image.
absl::StatusOr<std::vector<CocoResult>> ToCocoResults(
    const Dataset& dataset, const std::vector<ImageDetections>& detections);

// The results file's text. Numbers are written in their shortest form that
// reads back exactly (a float score, a double box), so evaluating the file
// gives the numbers an in-memory evaluation gave.
std::string CocoResultsToJson(const std::vector<CocoResult>& results);

// Writes CocoResultsToJson to a temp file and renames it to `path`.
absl::Status WriteCocoResults(const std::string& path, const std::vector<CocoResult>& results);
// ToCocoResults, then the above.
absl::Status WriteCocoResults(const std::string& path, const Dataset& dataset,
                              const std::vector<ImageDetections>& detections);

}  // namespace huale

#endif  // HUALE_EVAL_COCO_RESULTS_H_
