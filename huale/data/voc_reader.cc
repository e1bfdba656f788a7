#include "huale/data/voc_reader.h"

#include <fstream>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "glog/logging.h"
#include "huale/data/dataset_format.h"
#include "huale/data/reader_util.h"
#include "pugixml.hpp"

namespace huale {
namespace {

std::string SplitFile(const DatasetSpec& spec, absl::string_view split) {
  return JoinPath(spec.root(), absl::StrCat("ImageSets/Main/", split, ".txt"));
}

std::string ObtainHint(const DatasetSpec& spec) {
  return spec.how_to_obtain().empty() ? "" : absl::StrCat(" (", spec.how_to_obtain(), ")");
}

// Text of the child element `name` of `node`, or an error naming file and field.
absl::StatusOr<std::string> ChildText(const pugi::xml_node& node, const char* name,
                                      const std::string& where) {
  pugi::xml_node child = node.child(name);
  if (!child) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, "/", name, ": required field is missing"));
  }
  return std::string(absl::StripAsciiWhitespace(child.child_value()));
}

absl::StatusOr<double> ChildNumber(const pugi::xml_node& node, const char* name,
                                   const std::string& where) {
  absl::StatusOr<std::string> text = ChildText(node, name, where);
  if (!text.ok()) return text.status();
  double value = 0;
  if (!absl::SimpleAtod(*text, &value)) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, "/", name, ": expected a number, found '", *text, "'"));
  }
  return value;
}

// 0/1 flag, absent = 0.
absl::StatusOr<bool> OptionalFlag(const pugi::xml_node& node, const char* name,
                                  const std::string& where) {
  if (!node.child(name)) return false;
  absl::StatusOr<double> value = ChildNumber(node, name, where);
  if (!value.ok()) return value.status();
  return *value != 0;
}

enum class ParseProblem { kNone, kUnreadable, kUnknownClass };

struct ParsedImage {
  ParseProblem problem = ParseProblem::kNone;
  std::string message;
  ImageRecord record;
};

// Parses one annotation file; problems are reported in the result, box repairs
// go to `log`.
ParsedImage ParseAnnotation(const std::string& xml_path, const std::string& id,
                            const std::string& image_dir,
                            const std::unordered_map<std::string, int>& label_of,
                            BadSampleLog& log) {
  ParsedImage parsed;
  auto fail = [&](ParseProblem problem, std::string message) {
    parsed.problem = problem;
    parsed.message = std::move(message);
    return parsed;
  };
  pugi::xml_document doc;
  const pugi::xml_parse_result result = doc.load_file(xml_path.c_str());
  if (!result) {
    if (result.status == pugi::status_file_not_found || result.status == pugi::status_io_error) {
      return fail(ParseProblem::kUnreadable, absl::StrCat(xml_path, ": cannot read file"));
    }
    return fail(ParseProblem::kUnreadable,
                absl::StrCat(xml_path, ": XML does not parse (", result.description(),
                             " at byte ", result.offset, ")"));
  }
  const pugi::xml_node root = doc.child("annotation");
  if (!root) {
    return fail(ParseProblem::kUnreadable,
                absl::StrCat(xml_path, ": field 'annotation': root element is missing"));
  }
  const std::string where = absl::StrCat(xml_path, ": annotation");
  ImageRecord& record = parsed.record;
  record.id = id;
  const pugi::xml_node size = root.child("size");
  if (!size) {
    return fail(ParseProblem::kUnreadable,
                absl::StrCat(where, "/size: required field is missing"));
  }
  absl::StatusOr<double> width = ChildNumber(size, "width", where + "/size");
  absl::StatusOr<double> height = ChildNumber(size, "height", where + "/size");
  if (!width.ok()) return fail(ParseProblem::kUnreadable, std::string(width.status().message()));
  if (!height.ok()) {
    return fail(ParseProblem::kUnreadable, std::string(height.status().message()));
  }
  if (*width < 1 || *height < 1) {
    return fail(ParseProblem::kUnreadable,
                absl::StrCat(where, "/size: expected positive width and height, found ",
                             *width, "x", *height));
  }
  record.width = static_cast<int>(*width);
  record.height = static_cast<int>(*height);
  std::string filename = absl::StrCat(id, ".jpg");
  if (const pugi::xml_node node = root.child("filename")) {
    const std::string text(absl::StripAsciiWhitespace(node.child_value()));
    if (!text.empty()) filename = text;
  }
  record.path = JoinPath(image_dir, filename);

  int object_index = 0;
  for (const pugi::xml_node object : root.children("object")) {
    const std::string object_where = absl::StrCat(where, "/object[", object_index++, "]");
    absl::StatusOr<std::string> name = ChildText(object, "name", object_where);
    if (!name.ok()) return fail(ParseProblem::kUnreadable, std::string(name.status().message()));
    auto label = label_of.find(*name);
    if (label == label_of.end()) {
      return fail(ParseProblem::kUnknownClass,
                  absl::StrCat(object_where, "/name: unknown class '", *name,
                               "' (not in the dataset's class list)"));
    }
    const pugi::xml_node bndbox = object.child("bndbox");
    if (!bndbox) {
      return fail(ParseProblem::kUnreadable,
                  absl::StrCat(object_where, "/bndbox: required field is missing"));
    }
    const std::string box_where = object_where + "/bndbox";
    double coords[4];
    const char* const kCoordNames[4] = {"xmin", "ymin", "xmax", "ymax"};
    for (int i = 0; i < 4; ++i) {
      absl::StatusOr<double> value = ChildNumber(bndbox, kCoordNames[i], box_where);
      if (!value.ok()) {
        return fail(ParseProblem::kUnreadable, std::string(value.status().message()));
      }
      coords[i] = *value;
    }
    absl::StatusOr<bool> difficult = OptionalFlag(object, "difficult", object_where);
    absl::StatusOr<bool> truncated = OptionalFlag(object, "truncated", object_where);
    if (!difficult.ok()) {
      return fail(ParseProblem::kUnreadable, std::string(difficult.status().message()));
    }
    if (!truncated.ok()) {
      return fail(ParseProblem::kUnreadable, std::string(truncated.status().message()));
    }
    std::optional<Box> box = RepairBox(Box{coords[0], coords[1], coords[2], coords[3]},
                                       record.width, record.height, box_where, log);
    if (!box) continue;
    Annotation annotation;
    annotation.box = *box;
    annotation.label = label->second;
    annotation.difficult = *difficult;
    annotation.truncated = *truncated;
    annotation.area = box->area();
    record.annotations.push_back(annotation);
  }
  return parsed;
}

}  // namespace

absl::Status CheckVocAvailable(const DatasetSpec& spec, absl::string_view split) {
  if (!DirectoryExists(spec.root())) {
    return absl::NotFoundError(absl::StrCat("dataset.root: VOC root '", spec.root(),
                                            "' does not exist", ObtainHint(spec)));
  }
  const std::string split_file = SplitFile(spec, split);
  if (!FileExists(split_file)) {
    return absl::NotFoundError(absl::StrCat("split '", split, "': index file ", split_file,
                                            " does not exist", ObtainHint(spec)));
  }
  const std::string annotations = JoinPath(spec.root(), "Annotations");
  if (!DirectoryExists(annotations)) {
    return absl::NotFoundError(
        absl::StrCat("VOC annotations folder ", annotations, " does not exist", ObtainHint(spec)));
  }
  return absl::OkStatus();
}

absl::StatusOr<Dataset> ReadVocDataset(const DatasetSpec& spec, absl::string_view split) {
  if (absl::Status available = CheckVocAvailable(spec, split); !available.ok()) {
    return available;
  }
  Dataset dataset;
  dataset.class_names.assign(spec.classes().begin(), spec.classes().end());
  if (dataset.class_names.empty()) {
    // A generated tree (the Fashion-MNIST benchmark) names its classes in
    // classes.txt; a devkit has none and gets the 20 VOC classes.
    absl::StatusOr<VocClassList> classes = VocClassesOfRoot(spec.root());
    if (!classes.ok()) return classes.status();
    dataset.class_names = std::move(classes->names);
  }
  std::unordered_map<std::string, int> label_of;
  for (int i = 0; i < static_cast<int>(dataset.class_names.size()); ++i) {
    if (!label_of.emplace(dataset.class_names[i], i).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "dataset.classes: class '", dataset.class_names[i], "' is listed twice"));
    }
  }

  const std::string split_file = SplitFile(spec, split);
  std::ifstream in(split_file);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", split_file));
  BadSampleLog log(spec.bad_sample_policy() == DatasetSpec::FAIL_FAST);
  const std::string annotation_dir = JoinPath(spec.root(), "Annotations");
  const std::string image_dir = JoinPath(spec.root(), "JPEGImages");
  std::unordered_set<std::string> seen;
  std::string line;
  int line_number = 0;
  int skipped = 0;
  while (std::getline(in, line)) {
    ++line_number;
    std::vector<absl::string_view> tokens =
        absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (tokens.empty()) continue;
    const std::string id(tokens[0]);
    const std::string where = absl::StrCat(split_file, ":", line_number);
    if (!seen.insert(id).second) {
      ++skipped;
      if (absl::Status s = log.Skip(BadSampleKind::kDuplicateImageId,
                                    absl::StrCat(where, ": image id '", id,
                                                 "' is listed again (first occurrence kept)"));
          !s.ok()) {
        return s;
      }
      continue;
    }
    ParsedImage parsed = ParseAnnotation(JoinPath(annotation_dir, id + ".xml"), id,
                                         image_dir, label_of, log);
    if (parsed.problem == ParseProblem::kNone && spec.verify_image_files() &&
        !FileExists(parsed.record.path)) {
      ++skipped;
      if (absl::Status s = log.Skip(BadSampleKind::kMissingImage,
                                    absl::StrCat(annotation_dir, "/", id,
                                                 ".xml: annotation/filename: image file ",
                                                 parsed.record.path, " does not exist"));
          !s.ok()) {
        return s;
      }
      continue;
    }
    if (parsed.problem != ParseProblem::kNone) {
      ++skipped;
      const BadSampleKind kind = parsed.problem == ParseProblem::kUnknownClass
                                     ? BadSampleKind::kUnknownClass
                                     : BadSampleKind::kUnreadableAnnotation;
      if (absl::Status s = log.Skip(kind, parsed.message); !s.ok()) return s;
      continue;
    }
    dataset.images.push_back(std::move(parsed.record));
  }
  dataset.bad_samples = log.summary();
  if (dataset.images.empty()) {
    return EmptySplitError(absl::StrCat("VOC split '", split, "' (", split_file, ")"), skipped);
  }
  if (!dataset.bad_samples.empty()) {
    LOG(WARNING) << "VOC split '" << split << "': " << dataset.bad_samples.ToLogLine();
  }
  return dataset;
}

namespace {

class VocFormat : public DatasetFormat {
 public:
  absl::Status CheckAvailable(const DatasetSpec& spec, absl::string_view split) const override {
    return CheckVocAvailable(spec, split);
  }
  absl::StatusOr<Dataset> Read(const DatasetSpec& spec, absl::string_view split) const override {
    return ReadVocDataset(spec, split);
  }
};

HUALE_REGISTER(DatasetFormatRegistry, "voc",
               "Pascal VOC devkit layout: ImageSets/Main/<split>.txt, Annotations/*.xml, "
               "JPEGImages/",
               []() -> absl::StatusOr<std::unique_ptr<DatasetFormat>> {
                 return std::make_unique<VocFormat>();
               });

}  // namespace
}  // namespace huale
