// Ground truth for the VOC evaluators as the devkit's evaluation reads it:
// <root>/ImageSets/Main/<split>.txt and <root>/Annotations/<id>.xml, every
// object with its `difficult` flag and its bndbox exactly as written, and every
// listed image kept, with or without objects.
//
// Why not huale/data's registered "voc" reader: it is a training reader and
// repairs boxes whatever the bad-sample policy (huale/data/bad_samples.h): a
// box reaching outside the image is clipped to [0, width] x [0, height], and a
// box with xmax == xmin or ymax == ymin is dropped as empty, although in the
// devkit's inclusive pixel convention it is a one-pixel-wide object that counts
// as a positive. Either repair changes IoUs or the number of positives, hence
// the AP. Under its default policy it also skips a whole image (all its
// objects) for one unknown class name or a missing <size>, and it requires the
// JPEG files to exist; the devkit needs only the XML.
//
// The class list is shared with that reader's rules (VocClassesOfRoot):
// <root>/classes.txt when it names a class, else the 20 devkit classes.
#ifndef HUALE_EVAL_VOC_ANNOTATIONS_H_
#define HUALE_EVAL_VOC_ANNOTATIONS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "huale/data/dataset.h"

namespace huale {

// The 20 PASCAL VOC classes in the devkit's order (label = index).
const std::vector<std::string>& VocEvalClassNames();

// Class names in label order and where they came from (for messages).
struct VocClassList {
  std::vector<std::string> names;
  std::string source;  // the file read, or "the 20 PASCAL VOC classes"
};

// A class-list file read by huale/data's VOC reader's rules for classes.txt: one
// name a line, surrounding whitespace (and '\r') stripped, blank lines skipped;
// '#' starts no comment (it would be part of a name there too). Errors, naming
// the file: unreadable, a name listed twice (with both line numbers), no name.
absl::StatusOr<VocClassList> ReadVocClassList(const std::string& path);

// The classes the "voc" training reader gives <root> when the spec lists none:
// <root>/classes.txt when it exists and names a class (an empty one falls back,
// as in that reader), else VocEvalClassNames().
absl::StatusOr<VocClassList> VocClassesOfRoot(const std::string& root);

// Image ids in split order, labels = index in `classes.names`. An object whose
// class is not in the list is an error naming the XML file and the class (the
// training reader's FAIL_FAST behaviour; skipping the image would change the AP).
absl::StatusOr<Dataset> LoadVocGroundTruth(const std::string& root, const std::string& split,
                                           const VocClassList& classes);

}  // namespace huale

#endif  // HUALE_EVAL_VOC_ANNOTATIONS_H_
