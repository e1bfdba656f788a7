// The training policy on top of the one COCO instances parser
// (coco_instances.h); see coco_reader.h.
#include "huale/data/coco_reader.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "huale/data/coco_instances.h"
#include "huale/data/dataset_format.h"
#include "huale/core/status_macros.h"
#include "huale/data/reader_util.h"

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

class CocoFormat : public DatasetFormat {
 public:
  absl::Status CheckAvailable(const DatasetSpec& spec, absl::string_view split) const override {
    return CheckCocoAvailable(spec, split);
  }
  absl::StatusOr<Dataset> Read(const DatasetSpec& spec, absl::string_view split) const override {
    return ReadCocoDataset(spec, split);
  }
};

HUALE_REGISTER(DatasetFormatRegistry, "coco",
               "COCO instances JSON: annotations/instances_<split>.json, images in <split>/",
               []() -> absl::StatusOr<std::unique_ptr<DatasetFormat>> {
                 return std::make_unique<CocoFormat>();
               });

}  // namespace
}  // namespace huale
