// Ground truth for the VOC evaluators as the devkit's evaluation reads it:
// <root>/ImageSets/Main/<split>.txt and <root>/Annotations/<id>.xml, every
// object with its `difficult` flag and its bndbox exactly as written, and every
// listed image kept, with or without objects.
//
// The XML is parsed by the one VOC parser (huale/data/voc_xml.h); this file is
// the evaluator's policy on top of it. Why not huale/data's registered "voc"
// reader: it is a training reader and
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
#include "huale/data/voc_classes.h"

namespace huale {

// Image ids in split order, labels = index in `classes.names`. An object whose
// class is not in the list is an error naming the XML file and the class (the
// training reader's FAIL_FAST behaviour; skipping the image would change the AP).
absl::StatusOr<Dataset> LoadVocGroundTruth(const std::string& root, const std::string& split,
                                           const VocClassList& classes);

}  // namespace huale

#endif  // HUALE_EVAL_VOC_ANNOTATIONS_H_
