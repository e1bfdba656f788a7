// One COCO instances file (instances_<split>.json) as the file says it: the one
// COCO instances parser. Policies live with their users: the training reader
// (coco_reader.cc) skips or fails on bad entries under the bad-sample policy and
// repairs boxes; the evaluator (huale/eval/coco_json.cc) requires what
// pycocotools' COCO() requires and keeps boxes, iscrowd and area as written.
//
// Parsed with simdjson's On-Demand API: one pass over the file, no DOM, so
// instances_train2017.json (≈450 MB) loads in seconds with memory close to the
// file's size. Format: https://cocodataset.org/#format-data ("Object Detection").
#ifndef HUALE_DATA_COCO_INSTANCES_H_
#define HUALE_DATA_COCO_INSTANCES_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace huale {

// Every field is optional here (which ones a policy requires differs); an entry
// whose field has the wrong type keeps the fields read so far and says what is
// wrong in `problem` ("annotations[4]: field 'bbox': expected 4 numbers, found
// 3"), so a policy can skip it or fail. Integers written as integral numbers
// (3.0, as Python writes ids that passed through floats) are integers.
struct CocoInstances {
  struct Image {
    std::optional<int64_t> id;
    std::optional<std::string> file_name;
    std::optional<double> width, height;
    std::string problem;  // empty: none
  };
  struct Category {
    std::optional<int64_t> id;
    std::optional<std::string> name;
    std::string problem;
  };
  struct Object {
    std::optional<int64_t> id, image_id, category_id;
    std::optional<std::array<double, 4>> bbox;  // [x, y, width, height] as written
    std::optional<double> area;
    bool crowd = false;  // iscrowd: 0/1 or a boolean; absent = 0
    std::string problem;
  };
  // nullopt: the top-level field is absent.
  std::optional<std::vector<Image>> images;
  std::optional<std::vector<Object>> annotations;
  std::optional<std::vector<Category>> categories;
};

// Errors are for the whole file, naming `source` (its path): text that is not
// JSON, a top level that is not an object, a top-level field that is not an
// array. `json` is copied into simdjson's padded buffer.
absl::StatusOr<CocoInstances> ParseCocoInstances(absl::string_view json,
                                                 absl::string_view source);
// Reads and parses `path`; NotFound when it cannot be read.
absl::StatusOr<CocoInstances> ReadCocoInstancesFile(const std::string& path);

}  // namespace huale

#endif  // HUALE_DATA_COCO_INSTANCES_H_
