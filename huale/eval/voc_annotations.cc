// VOC devkit ground truth for evaluation; see voc_annotations.h.
#include "huale/eval/voc_annotations.h"

#include <sys/stat.h>

#include <fstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "pugixml.hpp"

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

absl::StatusOr<double> Coordinate(const pugi::xml_node& box, const char* name,
                                  const std::string& where) {
  double v;
  const std::string text = box.child_value(name);
  if (!absl::SimpleAtod(absl::StripAsciiWhitespace(text), &v)) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": bndbox/", name, ": expected a number, found '", text, "'"));
  }
  return v;
}

absl::Status ReadAnnotation(const std::string& path, const VocClassList& classes,
                            const std::unordered_map<std::string, int>& label_of,
                            ImageRecord& image) {
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed = doc.load_file(path.c_str());
  if (!parsed) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": cannot parse XML at byte ", parsed.offset, ": ",
                     parsed.description()));
  }
  const pugi::xml_node annotation = doc.child("annotation");
  absl::SimpleAtoi(annotation.child("size").child_value("width"), &image.width);
  absl::SimpleAtoi(annotation.child("size").child_value("height"), &image.height);
  int index = 0;
  for (const pugi::xml_node object : annotation.children("object")) {
    const std::string where = absl::StrCat(path, ": object #", index++);
    const std::string name(absl::StripAsciiWhitespace(object.child_value("name")));
    const auto it = label_of.find(name);
    if (it == label_of.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": class '", name, "' is not in the class list (",
                       Describe(classes), ")"));
    }
    Annotation a;
    a.label = it->second;
    int flag = 0;
    a.difficult = absl::SimpleAtoi(object.child_value("difficult"), &flag) && flag != 0;
    a.truncated = absl::SimpleAtoi(object.child_value("truncated"), &flag) && flag != 0;
    const pugi::xml_node box = object.child("bndbox");
    if (!box) return absl::InvalidArgumentError(absl::StrCat(where, ": no bndbox"));
    absl::StatusOr<double> c[4] = {Coordinate(box, "xmin", where), Coordinate(box, "ymin", where),
                                   Coordinate(box, "xmax", where), Coordinate(box, "ymax", where)};
    for (const auto& v : c) {
      if (!v.ok()) return v.status();
    }
    a.box = Box{*c[0], *c[1], *c[2], *c[3]};
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
