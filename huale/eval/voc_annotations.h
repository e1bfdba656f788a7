// Ground truth for the VOC evaluators as the devkit's evaluation reads it:
// <root>/ImageSets/Main/<split>.txt and <root>/Annotations/<id>.xml, every
// object with its `difficult` flag and its bndbox exactly as written (no
// clipping, no dropping), which a training reader may not preserve.
#ifndef HUALE_EVAL_VOC_ANNOTATIONS_H_
#define HUALE_EVAL_VOC_ANNOTATIONS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "huale/data/dataset.h"

namespace huale {

// The 20 PASCAL VOC classes in the devkit's order (label = index).
const std::vector<std::string>& VocEvalClassNames();

// Image ids in split order; objects of classes outside VocEvalClassNames() are
// an error naming the file and the class.
absl::StatusOr<Dataset> LoadVocGroundTruth(const std::string& root, const std::string& split);

}  // namespace huale

#endif  // HUALE_EVAL_VOC_ANNOTATIONS_H_
