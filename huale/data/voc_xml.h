// One Pascal VOC annotation file (<root>/Annotations/<id>.xml) as the file says
// it: the one VOC XML parser. Policies live with their users: the training
// reader (voc_reader.cc) repairs boxes and skips or fails under the bad-sample
// policy; the evaluator (huale/eval/voc_annotations.cc) keeps the devkit's boxes
// as written, with their difficult flags.
//
// Field names follow the VOC devkit's XML (VOCdevkit/devkit_doc.pdf, section 4):
//   <annotation><filename/><size><width/><height/></size>
//     <object><name/><difficult/><truncated/><bndbox><xmin/>...</bndbox></object>*
#ifndef HUALE_DATA_VOC_XML_H_
#define HUALE_DATA_VOC_XML_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "huale/core/box.h"

namespace huale {

struct VocXmlObject {
  std::string name;          // whitespace around it stripped
  Box box;                   // xmin, ymin, xmax, ymax as written (devkit pixels)
  bool difficult = false;    // absent = 0
  bool truncated = false;    // absent = 0
};

struct VocXmlAnnotation {
  std::string filename;           // empty when absent or blank
  std::optional<double> width;    // <size><width>; absent when <size> or <width> is
  std::optional<double> height;
  std::vector<VocXmlObject> objects;  // in file order
};

// Reads `path`. Errors name the file and the field as a path
// ("a.xml: annotation/object[1]/bndbox/xmin: expected a number, found 'one'"):
// a file that cannot be read or does not parse, a missing root element, an
// object without <name> or <bndbox> or one of its four coordinates, and a
// coordinate, size or flag that is not a number.
absl::StatusOr<VocXmlAnnotation> ReadVocXml(const std::string& path);

// The devkit XML of `annotation` (what ReadVocXml reads back: names escaped,
// coordinates with up to 9 significant digits); `folder` fills <folder>.
std::string VocXmlText(const VocXmlAnnotation& annotation, const std::string& folder);

}  // namespace huale

#endif  // HUALE_DATA_VOC_XML_H_
