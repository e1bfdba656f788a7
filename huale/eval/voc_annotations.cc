// VOC devkit ground truth for evaluation; see voc_annotations.h.
#include "huale/eval/voc_annotations.h"

#include <sys/stat.h>

#include <fstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "huale/data/voc_xml.h"

namespace huale {

namespace {

// "a, b, c" or "a, b, ... (N in all)" for messages.
std::string Describe(const VocClassList& classes) {
  constexpr size_t kShown = 25;
  const auto& names = classes.names;
  if (names.size() <= kShown) {
    return absl::StrCat(classes.source, ": ", absl::StrJoin(names, ", "));
  }
  return absl::StrCat(classes.source, ": ",
                      absl::StrJoin(names.begin(), names.begin() + kShown, ", "), ", ... (",
                      names.size(), " in all)");
}

// The evaluator's policy on one parsed file: every object kept with its box as
// written and its difficult flag; a class outside the list is an error.
absl::Status ReadAnnotation(const std::string& path, const VocClassList& classes,
                            const std::unordered_map<std::string, int>& label_of,
                            ImageRecord& image) {
  absl::StatusOr<VocXmlAnnotation> xml = ReadVocXml(path);
  if (!xml.ok()) return xml.status();
  image.width = static_cast<int>(xml->width.value_or(0));
  image.height = static_cast<int>(xml->height.value_or(0));
  for (size_t i = 0; i < xml->objects.size(); ++i) {
    const VocXmlObject& object = xml->objects[i];
    const auto it = label_of.find(object.name);
    if (it == label_of.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": object #", i, ": class '", object.name,
                       "' is not in the class list (", Describe(classes), ")"));
    }
    Annotation a;
    a.label = it->second;
    a.difficult = object.difficult;
    a.truncated = object.truncated;
    a.box = object.box;
    a.area = (a.box.width() + 1) * (a.box.height() + 1);
    image.annotations.push_back(a);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Dataset> LoadVocGroundTruth(const std::string& root, const std::string& split,
                                           const VocClassList& classes) {
  const std::string list = absl::StrCat(root, "/ImageSets/Main/", split, ".txt");
  std::ifstream in(list);
  if (!in) {
    return absl::NotFoundError(absl::StrCat(
        list, ": cannot open the split list (expected a VOC devkit root holding "
              "ImageSets/Main/<split>.txt and Annotations/)"));
  }
  Dataset dataset;
  dataset.class_names = classes.names;
  std::unordered_map<std::string, int> label_of;
  for (int i = 0; i < static_cast<int>(classes.names.size()); ++i) {
    if (!label_of.emplace(classes.names[i], i).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(classes.source, ": class '", classes.names[i], "' is listed twice"));
    }
  }
  std::string line;
  while (std::getline(in, line)) {
    const std::vector<std::string> tokens =
        absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (tokens.empty()) continue;
    ImageRecord image;
    image.id = tokens[0];
    const std::string xml = absl::StrCat(root, "/Annotations/", image.id, ".xml");
    image.path = absl::StrCat(root, "/JPEGImages/", image.id, ".jpg");
    if (absl::Status status = ReadAnnotation(xml, classes, label_of, image); !status.ok()) return status;
    dataset.images.push_back(std::move(image));
  }
  return dataset;
}

}  // namespace huale
