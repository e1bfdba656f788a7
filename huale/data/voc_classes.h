// The class list of a VOC-layout dataset, shared by the "voc" training reader
// (huale/data/voc_reader.h) and the VOC evaluator's ground truth
// (huale/eval/voc_annotations.h), so both number the classes alike:
// <root>/classes.txt (one name a line, label order) when it names a class, else
// the 20 PASCAL VOC classes in the devkit's order.
#ifndef HUALE_DATA_VOC_CLASSES_H_
#define HUALE_DATA_VOC_CLASSES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace huale {

// The 20 PASCAL VOC classes in the devkit's order (label = index).
const std::vector<std::string>& VocClassNames();

// Class names in label order and where they came from (for messages).
struct VocClassList {
  std::vector<std::string> names;
  std::string source;  // the file read, or "the 20 PASCAL VOC classes"
};

// A class-list file: one name a line, surrounding whitespace (and '\r')
// stripped, blank lines skipped; '#' starts no comment (it is part of a name).
// Errors, naming the file: unreadable, a name listed twice (with both line
// numbers), no name at all.
absl::StatusOr<VocClassList> ReadVocClassList(const std::string& path);

// <root>/classes.txt when it exists and names a class (an empty one falls
// back), else VocClassNames(). A broken classes.txt is an error, not a fallback.
absl::StatusOr<VocClassList> VocClassesOfRoot(const std::string& root);

}  // namespace huale

#endif  // HUALE_DATA_VOC_CLASSES_H_
