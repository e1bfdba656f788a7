// The training policy on top of the one COCO instances parser
// (coco_instances.h); see coco_reader.h.
#include "huale/data/coco_reader.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "huale/core/atomic_file.h"
#include "huale/core/status_macros.h"
#include "huale/data/coco_instances.h"
#include "huale/data/dataset_format.h"
#include "huale/data/reader_util.h"
#include "nlohmann/json.hpp"

namespace huale {
namespace {

absl::Status RequireTopLevelFields(const CocoInstances& file, const std::string& json_path) {
  const char* missing = !file.images        ? "images"
                        : !file.annotations ? "annotations"
                        : !file.categories  ? "categories"
                                            : nullptr;
  if (missing == nullptr) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(json_path, ": required field '", missing, "' is missing"));
}

// Builds a Dataset from a parsed file under the spec's bad-sample policy: a bad
// image or annotation is skipped (and counted) or, under FAIL_FAST, an error.
class DatasetBuilder {
 public:
  DatasetBuilder(const std::string& json_path, const DatasetSpec& spec)
      : json_path_(json_path), spec_(spec),
        log_(spec.bad_sample_policy() == DatasetSpec::FAIL_FAST) {}

  absl::Status SetLabels(const std::vector<CocoInstances::Category>& categories);
  absl::Status AddImages(const std::vector<CocoInstances::Image>& images,
                         const std::string& image_dir);
  absl::Status AddAnnotations(const std::vector<CocoInstances::Object>& annotations);
  absl::StatusOr<Dataset> Finish();

 private:
  absl::Status Skip(BadSampleKind kind, const std::string& message) {
    return log_.Skip(kind, absl::StrCat(json_path_, ": ", message));
  }
  absl::Status AddImage(const CocoInstances::Image& image, const std::string& where,
                        const std::string& image_dir);
  absl::Status AddAnnotation(const CocoInstances::Object& annotation, const std::string& where);
  absl::Status LabelsFromSpec(const std::vector<const CocoInstances::Category*>& categories);

  const std::string& json_path_;
  const DatasetSpec& spec_;
  BadSampleLog log_;
  Dataset dataset_;
  std::unordered_map<int64_t, int> label_of_category_;
  std::unordered_map<int64_t, int> index_of_image_;
  std::unordered_set<int64_t> skipped_ids_;  // images skipped: their annotations are not orphans
  std::vector<bool> image_bad_;              // an annotation of an unknown category
  int skipped_images_ = 0;
};

// Contiguous labels: category-id order, or the spec's class order. A bad
// category is an error under either policy: labels depend on every one.
absl::Status DatasetBuilder::SetLabels(const std::vector<CocoInstances::Category>& categories) {
  std::vector<const CocoInstances::Category*> sorted;
  for (size_t i = 0; i < categories.size(); ++i) {
    const CocoInstances::Category& category = categories[i];
    if (!category.problem.empty() || !category.id || !category.name) {
      return absl::InvalidArgumentError(absl::StrCat(
          json_path_, ": ", category.problem.empty()
                                ? absl::StrCat("categories[", i, "]: fields 'id' and 'name' are required")
                                : category.problem));
    }
    sorted.push_back(&category);
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return *a->id < *b->id; });
  if (!spec_.classes().empty()) return LabelsFromSpec(sorted);
  for (const CocoInstances::Category* category : sorted) {
    if (!label_of_category_.emplace(*category->id, dataset_.class_names.size()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(json_path_, ": categories: id ", *category->id, " appears twice"));
    }
    dataset_.class_names.push_back(*category->name);
    dataset_.category_ids.push_back(*category->id);
  }
  return absl::OkStatus();
}

absl::Status DatasetBuilder::LabelsFromSpec(
    const std::vector<const CocoInstances::Category*>& categories) {
  std::map<std::string, int64_t> id_of_name;
  for (const CocoInstances::Category* category : categories) {
    id_of_name[*category->name] = *category->id;
  }
  for (const std::string& name : spec_.classes()) {
    auto it = id_of_name.find(name);
    if (it == id_of_name.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("dataset.classes: '", name, "' is not a category of ", json_path_));
    }
    label_of_category_[it->second] = dataset_.class_names.size();
    dataset_.class_names.push_back(name);
    dataset_.category_ids.push_back(it->second);
  }
  return absl::OkStatus();
}

// Images in file order; the first of duplicate ids wins.
absl::Status DatasetBuilder::AddImages(const std::vector<CocoInstances::Image>& images,
                                       const std::string& image_dir) {
  index_of_image_.reserve(images.size());
  for (size_t i = 0; i < images.size(); ++i) {
    const int before = static_cast<int>(dataset_.images.size());
    if (absl::Status s = AddImage(images[i], absl::StrCat("images[", i, "]"), image_dir);
        !s.ok()) {
      return s;
    }
    if (static_cast<int>(dataset_.images.size()) == before) ++skipped_images_;
  }
  image_bad_.assign(dataset_.images.size(), false);
  return absl::OkStatus();
}

absl::Status DatasetBuilder::AddImage(const CocoInstances::Image& image, const std::string& where,
                                      const std::string& image_dir) {
  const bool duplicate = image.id && index_of_image_.count(*image.id);
  if (image.id && !duplicate) skipped_ids_.insert(*image.id);  // until it is added
  if (!image.problem.empty()) return Skip(BadSampleKind::kUnreadableAnnotation, image.problem);
  if (!image.id || !image.file_name || !image.width || !image.height) {
    const char* missing = !image.id          ? "id"
                          : !image.file_name ? "file_name"
                          : !image.width     ? "width"
                                             : "height";
    return Skip(BadSampleKind::kUnreadableAnnotation,
                absl::StrCat(where, ": required field '", missing, "' is missing"));
  }
  if (duplicate) {
    return Skip(BadSampleKind::kDuplicateImageId,
                absl::StrCat(where, ": field 'id': image id ", *image.id,
                             " appears again (first occurrence kept)"));
  }
  if (*image.width < 1 || *image.height < 1) {
    return Skip(BadSampleKind::kUnreadableAnnotation,
                absl::StrCat(where, ": fields 'width'/'height': expected positive, found ",
                             *image.width, "x", *image.height));
  }
  ImageRecord record;
  record.id = std::to_string(*image.id);
  record.path = JoinPath(image_dir, *image.file_name);
  record.width = static_cast<int>(*image.width);
  record.height = static_cast<int>(*image.height);
  if (spec_.verify_image_files() && !FileExists(record.path)) {
    return Skip(BadSampleKind::kMissingImage,
                absl::StrCat(where, ": field 'file_name': image file ", record.path,
                             " does not exist"));
  }
  skipped_ids_.erase(*image.id);
  index_of_image_.emplace(*image.id, static_cast<int>(dataset_.images.size()));
  dataset_.images.push_back(std::move(record));
  return absl::OkStatus();
}

absl::Status DatasetBuilder::AddAnnotations(
    const std::vector<CocoInstances::Object>& annotations) {
  for (size_t i = 0; i < annotations.size(); ++i) {
    if (absl::Status s = AddAnnotation(annotations[i], absl::StrCat("annotations[", i, "]"));
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

// An unknown category marks its whole image bad (as in VOC).
absl::Status DatasetBuilder::AddAnnotation(const CocoInstances::Object& annotation,
                                           const std::string& where) {
  if (!annotation.problem.empty()) {
    return Skip(BadSampleKind::kUnreadableAnnotation, annotation.problem);
  }
  if (!annotation.image_id || !annotation.category_id || !annotation.bbox) {
    const char* missing = !annotation.image_id      ? "image_id"
                          : !annotation.category_id ? "category_id"
                                                    : "bbox";
    return Skip(BadSampleKind::kUnreadableAnnotation,
                absl::StrCat(where, ": required field '", missing, "' is missing"));
  }
  auto image_it = index_of_image_.find(*annotation.image_id);
  if (image_it == index_of_image_.end()) {
    if (skipped_ids_.count(*annotation.image_id)) return absl::OkStatus();
    return Skip(BadSampleKind::kOrphanAnnotation,
                absl::StrCat(where, ": field 'image_id': image ", *annotation.image_id,
                             " is not among the images"));
  }
  const int image_index = image_it->second;
  auto label_it = label_of_category_.find(*annotation.category_id);
  if (label_it == label_of_category_.end()) {
    if (image_bad_[image_index]) return absl::OkStatus();
    image_bad_[image_index] = true;
    return Skip(BadSampleKind::kUnknownClass,
                absl::StrCat(where, ": field 'category_id': category ", *annotation.category_id,
                             " is not in the class list"));
  }
  ImageRecord& record = dataset_.images[image_index];
  const auto& [x, y, w, h] = *annotation.bbox;
  HUALE_ASSIGN_OR_RETURN(
      const std::optional<Box> box,
      RepairBox(Box::FromXywh(x, y, w, h), record.width, record.height,
                absl::StrCat(json_path_, ": ", where, ": field 'bbox'"), log_));
  if (!box) return absl::OkStatus();
  Annotation out;
  out.box = *box;
  out.label = label_it->second;
  out.crowd = annotation.crowd;
  out.area = annotation.area && *annotation.area >= 0 ? *annotation.area : box->area();
  record.annotations.push_back(out);
  return absl::OkStatus();
}

absl::StatusOr<Dataset> DatasetBuilder::Finish() {
  std::vector<ImageRecord> kept;
  kept.reserve(dataset_.images.size());
  for (size_t i = 0; i < dataset_.images.size(); ++i) {
    if (image_bad_[i]) {
      ++skipped_images_;
    } else {
      kept.push_back(std::move(dataset_.images[i]));
    }
  }
  dataset_.images = std::move(kept);
  dataset_.bad_samples = log_.summary();
  if (dataset_.images.empty()) {
    return EmptySplitError(absl::StrCat("COCO file ", json_path_), skipped_images_);
  }
  if (!dataset_.bad_samples.empty()) {
    LOG(WARNING) << json_path_ << ": " << dataset_.bad_samples.ToLogLine();
  }
  return std::move(dataset_);
}

}  // namespace

std::string CocoAnnotationFile(const DatasetSpec& spec, absl::string_view split) {
  return JoinPath(spec.root(), absl::StrCat("annotations/instances_", split, ".json"));
}

absl::Status CheckCocoAvailable(const DatasetSpec& spec, absl::string_view split) {
  const std::string hint =
      spec.how_to_obtain().empty() ? "" : absl::StrCat(" (", spec.how_to_obtain(), ")");
  if (!DirectoryExists(spec.root())) {
    return absl::NotFoundError(
        absl::StrCat("dataset.root: COCO root '", spec.root(), "' does not exist", hint));
  }
  const std::string json = CocoAnnotationFile(spec, split);
  if (!FileExists(json)) {
    return absl::NotFoundError(absl::StrCat("split '", split, "': annotation file ", json,
                                            " does not exist", hint));
  }
  return absl::OkStatus();
}

absl::StatusOr<Dataset> ReadCocoInstances(const std::string& json_path,
                                          const std::string& image_dir,
                                          const DatasetSpec& spec) {
  absl::StatusOr<CocoInstances> file = ReadCocoInstancesFile(json_path);
  if (!file.ok()) return file.status();
  if (absl::Status s = RequireTopLevelFields(*file, json_path); !s.ok()) return s;
  DatasetBuilder builder(json_path, spec);
  if (absl::Status s = builder.SetLabels(*file->categories); !s.ok()) return s;
  if (absl::Status s = builder.AddImages(*file->images, image_dir); !s.ok()) return s;
  file->images.reset();  // memory for the records of the next step
  if (absl::Status s = builder.AddAnnotations(*file->annotations); !s.ok()) return s;
  return builder.Finish();
}

absl::StatusOr<Dataset> ReadCocoDataset(const DatasetSpec& spec, absl::string_view split) {
  if (absl::Status available = CheckCocoAvailable(spec, split); !available.ok()) {
    return available;
  }
  const std::string image_dir = JoinPath(
      spec.root(), spec.coco_image_dir().empty() ? std::string(split) : spec.coco_image_dir());
  return ReadCocoInstances(CocoAnnotationFile(spec, split), image_dir, spec);
}

namespace {

// One box of an image as the instances file writes it.
struct CocoBox {
  int64_t category = -1;
  std::array<double, 4> bbox{};  // x, y, width, height
  bool crowd = false;
};

bool SameBoxes(const std::vector<CocoBox>& a, const std::vector<CocoBox>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].category != b[i].category || a[i].crowd != b[i].crowd) return false;
    for (int k = 0; k < 4; ++k) {
      if (!(std::abs(a[i].bbox[k] - b[i].bbox[k]) <= 1e-6)) return false;
    }
  }
  return true;
}

}  // namespace

// The instances file is read twice: by the one COCO parser for what its entries
// mean, and as a generic JSON tree that is edited and written back (so fields
// huale does not read -- segmentation, licenses, info -- are kept as they are).
absl::StatusOr<std::vector<std::string>> WriteCocoLabels(
    const DatasetSpec& spec, absl::string_view split, const std::vector<std::string>& class_names,
    const std::vector<ImageRecord>& images) {
  const std::string path = CocoAnnotationFile(spec, split);
  HUALE_ASSIGN_OR_RETURN(const std::string text, ReadFile(path));
  HUALE_ASSIGN_OR_RETURN(const CocoInstances file, ParseCocoInstances(text, path));
  HUALE_RETURN_IF_ERROR(RequireTopLevelFields(file, path));
  std::map<std::string, int64_t> category_of;
  for (const CocoInstances::Category& category : *file.categories) {
    if (category.id && category.name) category_of.emplace(*category.name, *category.id);
  }
  std::unordered_set<int64_t> image_ids;
  for (const CocoInstances::Image& image : *file.images) {
    if (image.id) image_ids.insert(*image.id);
  }
  // The people's boxes per image (an image without boxes loses its annotations).
  std::map<int64_t, std::vector<CocoBox>> labelled;
  for (const ImageRecord& image : images) {
    int64_t id = 0;
    if (!absl::SimpleAtoi(image.id, &id) || image_ids.count(id) == 0) {
      return absl::FailedPreconditionError(
          absl::StrCat(path, ": image '", image.id, "' is not among its images"));
    }
    std::vector<CocoBox>& boxes = labelled[id];
    for (const Annotation& annotation : image.annotations) {
      const std::string& name = class_names.at(annotation.label);
      auto category = category_of.find(name);
      if (category == category_of.end()) {
        return absl::FailedPreconditionError(absl::StrCat(
            path, ": class '", name, "' (image ", image.id, ") is not one of its categories"));
      }
      const Box& box = annotation.box;
      boxes.push_back({category->second, {box.x1, box.y1, box.x2 - box.x1, box.y2 - box.y1},
                       annotation.crowd});
    }
  }
  // What the file says of those images now, and the annotations that stay.
  std::map<int64_t, std::vector<CocoBox>> written;
  std::vector<bool> replaced(file.annotations->size(), false);
  int64_t next_id = 1;
  for (size_t i = 0; i < file.annotations->size(); ++i) {
    const CocoInstances::Object& object = (*file.annotations)[i];
    if (object.id) next_id = std::max(next_id, *object.id + 1);
    if (!object.image_id || labelled.count(*object.image_id) == 0) continue;
    replaced[i] = true;
    CocoBox box;
    box.category = object.category_id.value_or(-1);
    box.bbox = object.bbox.value_or(std::array<double, 4>{NAN, NAN, NAN, NAN});
    box.crowd = object.crowd;
    written[*object.image_id].push_back(box);
  }
  bool same = true;
  for (const auto& [id, boxes] : labelled) same = same && SameBoxes(written[id], boxes);
  if (same) return std::vector<std::string>();

  nlohmann::ordered_json tree = nlohmann::ordered_json::parse(text, nullptr, false);
  if (tree.is_discarded() || !tree.is_object() || !tree["annotations"].is_array() ||
      tree["annotations"].size() != replaced.size()) {
    return absl::DataLossError(absl::StrCat(path, ": read otherwise on a second reading"));
  }
  nlohmann::ordered_json annotations = nlohmann::ordered_json::array();
  for (size_t i = 0; i < replaced.size(); ++i) {
    if (!replaced[i]) annotations.push_back(std::move(tree["annotations"][i]));
  }
  for (const auto& [id, boxes] : labelled) {
    for (const CocoBox& box : boxes) {
      nlohmann::ordered_json entry;
      entry["id"] = next_id++;
      entry["image_id"] = id;
      entry["category_id"] = box.category;
      entry["bbox"] = {box.bbox[0], box.bbox[1], box.bbox[2], box.bbox[3]};
      entry["area"] = box.bbox[2] * box.bbox[3];
      entry["iscrowd"] = box.crowd ? 1 : 0;
      annotations.push_back(std::move(entry));
    }
  }
  tree["annotations"] = std::move(annotations);
  const std::string rewritten =
      tree.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  // Kept, never overwritten: instances_<split>.json.before-huale, then .2, ...
  HUALE_ASSIGN_OR_RETURN(std::string aside, KeepAside(path));
  HUALE_RETURN_IF_ERROR(WriteFileAtomically(path, rewritten));
  return std::vector<std::string>{std::move(aside)};
}

namespace {

class CocoFormat : public DatasetFormat {
 public:
  absl::Status CheckAvailable(const DatasetSpec& spec, absl::string_view split) const override {
    return CheckCocoAvailable(spec, split);
  }
  absl::StatusOr<Dataset> Read(const DatasetSpec& spec, absl::string_view split) const override {
    return ReadCocoDataset(spec, split);
  }
  absl::StatusOr<std::vector<std::string>> WriteLabels(
      const DatasetSpec& spec, absl::string_view split,
      const std::vector<std::string>& class_names,
      const std::vector<ImageRecord>& images) const override {
    return WriteCocoLabels(spec, split, class_names, images);
  }
};

HUALE_REGISTER(DatasetFormatRegistry, "coco",
               "COCO instances JSON: annotations/instances_<split>.json, images in <split>/",
               []() -> absl::StatusOr<std::unique_ptr<DatasetFormat>> {
                 return std::make_unique<CocoFormat>();
               });

}  // namespace
}  // namespace huale
