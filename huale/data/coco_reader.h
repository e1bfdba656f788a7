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
#include <vector>

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

// People's labels for `images` (ids are the file's image ids) into the
// split's instances file (DatasetFormat::WriteLabels): each image's
// annotations are replaced by its boxes (class names mapped to the file's
// category ids; bbox [x, y, w, h], area w * h, new annotation ids after the
// largest); every other entry and field stays as it was. Nothing is written
// when the file already says the same (to 1e-6 px); otherwise the old file is
// kept (KeepAside: instances_<split>.json.before-huale[.N]) and the new one
// written atomically. Returns the kept file's path, if any. An image or class
// the file does not know is FailedPrecondition, naming it.
absl::StatusOr<std::vector<std::string>> WriteCocoLabels(
    const DatasetSpec& spec, absl::string_view split, const std::vector<std::string>& class_names,
    const std::vector<ImageRecord>& images);

}  // namespace huale

#endif  // HUALE_DATA_COCO_READER_H_
