#include "huale/data/voc_reader.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "glog/logging.h"
#include "huale/core/atomic_file.h"
#include "huale/core/status_macros.h"
#include "huale/data/dataset_format.h"
#include "huale/data/image_header.h"
#include "huale/data/reader_util.h"
#include "huale/data/voc_xml.h"

namespace huale {
namespace {

std::string SplitFile(const DatasetSpec& spec, absl::string_view split) {
  return JoinPath(spec.root(), absl::StrCat("ImageSets/Main/", split, ".txt"));
}

std::string ObtainHint(const DatasetSpec& spec) {
  return spec.how_to_obtain().empty() ? "" : absl::StrCat(" (", spec.how_to_obtain(), ")");
}

// kFatal: an error under FAIL_FAST (a bad box), returned as it is.
enum class ParseProblem { kNone, kUnreadable, kUnknownClass, kFatal };

struct ParsedImage {
  ParseProblem problem = ParseProblem::kNone;
  std::string message;
  ImageRecord record;
};

ParsedImage Problem(ParseProblem problem, std::string message) {
  ParsedImage parsed;
  parsed.problem = problem;
  parsed.message = std::move(message);
  return parsed;
}

// The training policy on one parsed file: a size is required and positive, every
// class must be in the list (else the whole image is a bad sample), boxes are
// repaired (clipped or dropped, counted in `log`).
ParsedImage ToImageRecord(const VocXmlAnnotation& xml, const std::string& xml_path,
                          const std::string& id, const std::string& image_dir,
                          const std::unordered_map<std::string, int>& label_of,
                          BadSampleLog& log) {
  const std::string where = absl::StrCat(xml_path, ": annotation");
  if (!xml.width || !xml.height) {
    const char* missing = xml.width ? "/height" : xml.height ? "/width" : "";
    return Problem(ParseProblem::kUnreadable,
                   absl::StrCat(where, "/size", missing, ": required field is missing"));
  }
  if (*xml.width < 1 || *xml.height < 1) {
    return Problem(ParseProblem::kUnreadable,
                   absl::StrCat(where, "/size: expected positive width and height, found ",
                                *xml.width, "x", *xml.height));
  }
  ParsedImage parsed;
  ImageRecord& record = parsed.record;
  record.id = id;
  record.width = static_cast<int>(*xml.width);
  record.height = static_cast<int>(*xml.height);
  record.path = JoinPath(image_dir, xml.filename.empty() ? absl::StrCat(id, ".jpg") : xml.filename);
  for (size_t i = 0; i < xml.objects.size(); ++i) {
    const VocXmlObject& object = xml.objects[i];
    const std::string object_where = absl::StrCat(where, "/object[", i, "]");
    auto label = label_of.find(object.name);
    if (label == label_of.end()) {
      return Problem(ParseProblem::kUnknownClass,
                     absl::StrCat(object_where, "/name: unknown class '", object.name,
                                  "' (not in the dataset's class list)"));
    }
    absl::StatusOr<std::optional<Box>> box =
        RepairBox(object.box, record.width, record.height, object_where + "/bndbox", log);
    if (!box.ok()) return Problem(ParseProblem::kFatal, std::string(box.status().message()));
    if (!box->has_value()) continue;
    Annotation annotation;
    annotation.box = **box;
    annotation.label = label->second;
    annotation.difficult = object.difficult;
    annotation.truncated = object.truncated;
    annotation.area = (*box)->area();
    record.annotations.push_back(annotation);
  }
  return parsed;
}

// Parses one annotation file; problems are reported in the result, box repairs
// go to `log`.
ParsedImage ParseAnnotation(const std::string& xml_path, const std::string& id,
                            const std::string& image_dir,
                            const std::unordered_map<std::string, int>& label_of,
                            BadSampleLog& log) {
  absl::StatusOr<VocXmlAnnotation> xml = ReadVocXml(xml_path);
  if (!xml.ok()) return Problem(ParseProblem::kUnreadable, std::string(xml.status().message()));
  return ToImageRecord(*xml, xml_path, id, image_dir, label_of, log);
}

// A pool image no one has annotated yet (DatasetSpec.unannotated_pool_images):
// no boxes, its size from the image file's header.
ParsedImage UnannotatedImage(const std::string& xml_path, const std::string& id,
                             const std::string& image_dir) {
  for (const char* extension : {".jpg", ".jpeg", ".png", ".JPG", ".JPEG", ".PNG"}) {
    const std::string path = JoinPath(image_dir, absl::StrCat(id, extension));
    if (!FileExists(path)) continue;
    absl::StatusOr<std::pair<int, int>> size = ReadImageSize(path);
    if (!size.ok()) {
      return Problem(ParseProblem::kUnreadable,
                     absl::StrCat(xml_path, " does not exist (not yet annotated) and ",
                                  size.status().message()));
    }
    ParsedImage parsed;
    parsed.record.id = id;
    parsed.record.path = path;
    parsed.record.width = size->first;
    parsed.record.height = size->second;
    return parsed;
  }
  return Problem(ParseProblem::kUnreadable,
                 absl::StrCat(xml_path, " does not exist (not yet annotated), nor does ",
                              JoinPath(image_dir, id), ".jpg (.jpeg, .png)"));
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
  const bool unannotated_allowed = spec.unannotated_pool_images() && split == spec.pool_split();
  int unannotated = 0;
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
    const std::string xml_path = JoinPath(annotation_dir, id + ".xml");
    ParsedImage parsed;
    if (unannotated_allowed && !FileExists(xml_path)) {
      parsed = UnannotatedImage(xml_path, id, image_dir);
      if (parsed.problem == ParseProblem::kNone) ++unannotated;
    } else {
      parsed = ParseAnnotation(xml_path, id, image_dir, label_of, log);
    }
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
    if (parsed.problem == ParseProblem::kFatal) return absl::InvalidArgumentError(parsed.message);
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
  if (unannotated > 0) {
    LOG(INFO) << "VOC split '" << split << "': " << unannotated << " of "
              << dataset.images.size() << " images not yet annotated (no Annotations/<id>.xml)";
  }
  return dataset;
}

namespace {

bool SameLabels(const VocXmlAnnotation& a, const VocXmlAnnotation& b) {
  if (a.width != b.width || a.height != b.height || a.objects.size() != b.objects.size()) {
    return false;
  }
  for (size_t i = 0; i < a.objects.size(); ++i) {
    const VocXmlObject &x = a.objects[i], &y = b.objects[i];
    if (x.name != y.name || x.difficult != y.difficult || x.truncated != y.truncated ||
        x.box.x1 != y.box.x1 || x.box.y1 != y.box.y1 || x.box.x2 != y.box.x2 ||
        x.box.y2 != y.box.y2) {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> WriteVocLabels(
    const DatasetSpec& spec, const std::vector<std::string>& class_names,
    const std::vector<ImageRecord>& images) {
  const std::string annotation_dir = JoinPath(spec.root(), "Annotations");
  std::vector<std::string> kept;
  for (const ImageRecord& image : images) {
    VocXmlAnnotation xml;
    xml.filename = std::filesystem::path(image.path).filename().string();
    xml.width = image.width;
    xml.height = image.height;
    for (const Annotation& annotation : image.annotations) {
      VocXmlObject object;
      object.name = class_names.at(annotation.label);
      object.box = annotation.box;
      object.difficult = annotation.difficult;
      object.truncated = annotation.truncated;
      xml.objects.push_back(object);
    }
    const std::string text =
        VocXmlText(xml, std::filesystem::path(spec.root()).filename().string());
    const std::string path = JoinPath(annotation_dir, image.id + ".xml");
    std::error_code error;
    if (std::filesystem::exists(path, error)) {
      // The same labels (names, boxes, flags, size) written otherwise: left alone.
      absl::StatusOr<VocXmlAnnotation> old = ReadVocXml(path);
      if (old.ok() && SameLabels(*old, xml)) continue;
      // Kept, never overwritten: <id>.xml.before-huale, then .2, .3, ...
      HUALE_ASSIGN_OR_RETURN(std::string aside, KeepAside(path));
      kept.push_back(std::move(aside));
    }
    if (absl::Status written = WriteFileAtomically(path, text); !written.ok()) return written;
  }
  return kept;
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
  bool reads_unannotated_images() const override { return true; }
  absl::StatusOr<std::vector<std::string>> WriteLabels(
      const DatasetSpec& spec, absl::string_view, const std::vector<std::string>& class_names,
      const std::vector<ImageRecord>& images) const override {
    return WriteVocLabels(spec, class_names, images);
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
