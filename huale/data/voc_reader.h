// Pascal VOC devkit reader (VOC2007 and VOC2012 layout), registered as "voc":
//   <root>/ImageSets/Main/<split>.txt   image ids, one a line (first token)
//   <root>/Annotations/<id>.xml         size, objects (name, bndbox, difficult, truncated)
//   <root>/JPEGImages/<filename>        <filename> from the XML, else <id>.jpg
// Classes: the spec's list, else <root>/classes.txt (one a line, label order),
// else the 20 VOC classes.
// Boxes keep the devkit's pixel coordinates as written (xmin, ymin, xmax, ymax);
// the VOC evaluator applies the devkit's +1 itself (huale/core/box.h).
#ifndef HUALE_DATA_VOC_READER_H_
#define HUALE_DATA_VOC_READER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "huale/data/dataset.h"
#include "huale/data/dataset_spec.pb.h"
#include "huale/data/voc_classes.h"  // VocClassNames()

namespace huale {

absl::Status CheckVocAvailable(const DatasetSpec& spec, absl::string_view split);
absl::StatusOr<Dataset> ReadVocDataset(const DatasetSpec& spec, absl::string_view split);

// Writes each image's annotations as <root>/Annotations/<id>.xml (labels
// people gave, DatasetFormat::WriteLabels): atomically; a file with the same
// bytes is left alone; one that differs is moved to <id>.xml.before-huale
// (.2, .3, ... when taken). Returns the paths of the files moved aside.
absl::StatusOr<std::vector<std::string>> WriteVocLabels(
    const DatasetSpec& spec, const std::vector<std::string>& class_names,
    const std::vector<ImageRecord>& images);

}  // namespace huale

#endif  // HUALE_DATA_VOC_READER_H_
