// COCO instances reader, registered as "coco":
//   <root>/annotations/instances_<split>.json
//   <root>/<coco_image_dir or split>/<file_name>
// Parsed by the one COCO instances parser (coco_instances.h); this file is the
// training policy on top (bad samples skipped or fatal, boxes repaired).
// Contiguous labels follow category-id order (or the spec's class
// list), and Dataset::category_ids maps them back for COCO results JSON.
// Boxes: COCO [x, y, w, h] -> xyxy pixels.
#ifndef HUALE_DATA_COCO_READER_H_
#define HUALE_DATA_COCO_READER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "huale/data/dataset.h"
#include "huale/data/dataset_spec.pb.h"

namespace huale {

std::string CocoAnnotationFile(const DatasetSpec& spec, absl::string_view split);

absl::Status CheckCocoAvailable(const DatasetSpec& spec, absl::string_view split);
absl::StatusOr<Dataset> ReadCocoDataset(const DatasetSpec& spec, absl::string_view split);

// Reads an instances file directly (what ReadCocoDataset does after resolving
// paths); `image_dir` prefixes every file_name.
absl::StatusOr<Dataset> ReadCocoInstances(const std::string& json_path,
                                          const std::string& image_dir,
                                          const DatasetSpec& spec);

}  // namespace huale

#endif  // HUALE_DATA_COCO_READER_H_
