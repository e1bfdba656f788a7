// COCO ground truth for evaluation (the evaluator's policy on the one COCO
// instances parser) and the join with results; see coco_json.h.
#include "huale/eval/coco_json.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "huale/data/coco_instances.h"

namespace huale {
namespace {

// What pycocotools' COCO() needs of an entry: an error naming the entry and field.
absl::Status Missing(absl::string_view source, absl::string_view entry,
                     absl::string_view field) {
  return absl::InvalidArgumentError(
      absl::StrCat(source, ": ", entry, ": missing field \"", field, "\""));
}

absl::Status EntryProblem(absl::string_view source, const std::string& problem) {
  return absl::InvalidArgumentError(absl::StrCat(source, ": ", problem));
}

absl::Status AddImages(const std::vector<CocoInstances::Image>& images,
                       absl::string_view source, CocoGroundTruthFile& out) {
  for (size_t i = 0; i < images.size(); ++i) {
    const CocoInstances::Image& image = images[i];
    if (!image.problem.empty()) return EntryProblem(source, image.problem);
    if (!image.id) return Missing(source, absl::StrCat("images[", i, "]"), "id");
    out.images.push_back({*image.id, static_cast<int>(image.width.value_or(0)),
                          static_cast<int>(image.height.value_or(0)),
                          image.file_name.value_or("")});
  }
  return absl::OkStatus();
}

absl::Status AddCategories(const std::vector<CocoInstances::Category>& categories,
                           absl::string_view source, CocoGroundTruthFile& out) {
  for (size_t i = 0; i < categories.size(); ++i) {
    const CocoInstances::Category& category = categories[i];
    if (!category.problem.empty()) return EntryProblem(source, category.problem);
    if (!category.id) return Missing(source, absl::StrCat("categories[", i, "]"), "id");
    out.categories.push_back({*category.id, category.name.value_or("")});
  }
  return absl::OkStatus();
}

// Boxes, iscrowd and area as written; a negative width or height is an error.
absl::Status AddObjects(const std::vector<CocoInstances::Object>& objects,
                        absl::string_view source, CocoGroundTruthFile& out) {
  for (size_t i = 0; i < objects.size(); ++i) {
    const CocoInstances::Object& a = objects[i];
    if (!a.problem.empty()) return EntryProblem(source, a.problem);
    const std::string where = absl::StrCat("annotations[", i, "]");
    if (!a.id) return Missing(source, where, "id");
    if (!a.image_id) return Missing(source, where, "image_id");
    if (!a.category_id) return Missing(source, where, "category_id");
    if (!a.bbox) return Missing(source, where, "bbox");
    if (!a.area) return Missing(source, where, "area");
    const auto& [x, y, w, h] = *a.bbox;
    if (w < 0 || h < 0) {
      return EntryProblem(source, absl::StrCat(where, ": field 'bbox': expected width and "
                                                      "height >= 0, found ", w, " x ", h));
    }
    out.annotations.push_back({*a.id, *a.image_id, *a.category_id, x, y, w, h, *a.area, a.crowd});
  }
  return absl::OkStatus();
}

// `images` and `categories` required, `annotations` optional (pycocotools'
// COCO() reads a file without them).
absl::StatusOr<CocoGroundTruthFile> ToGroundTruth(const CocoInstances& file,
                                                  absl::string_view source) {
  if (!file.images) return Missing(source, "top level", "images");
  if (!file.categories) return Missing(source, "top level", "categories");
  CocoGroundTruthFile out;
  if (absl::Status s = AddImages(*file.images, source, out); !s.ok()) return s;
  if (absl::Status s = AddCategories(*file.categories, source, out); !s.ok()) return s;
  if (file.annotations) {
    if (absl::Status s = AddObjects(*file.annotations, source, out); !s.ok()) return s;
  }
  return out;
}

}  // namespace

absl::StatusOr<CocoGroundTruthFile> ParseCocoGroundTruth(absl::string_view json,
                                                         absl::string_view source) {
  absl::StatusOr<CocoInstances> file = ParseCocoInstances(json, source);
  if (!file.ok()) return file.status();
  return ToGroundTruth(*file, source);
}

absl::StatusOr<CocoGroundTruthFile> LoadCocoGroundTruth(const std::string& path) {
  absl::StatusOr<CocoInstances> file = ReadCocoInstancesFile(path);
  if (!file.ok()) return file.status();
  return ToGroundTruth(*file, path);
}

namespace {

using CategoryMap = std::map<int64_t, int>;

// Category id -> contiguous index by ascending id (the reference's sorted catIds).
absl::StatusOr<CategoryMap> CategoryIndex(const CocoGroundTruthFile& gt) {
  std::map<int64_t, int> index;
  for (const auto& c : gt.categories) {
    if (!index.emplace(c.id, 0).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("ground truth: category id ", c.id, " appears twice"));
    }
  }
  int k = 0;
  for (auto& [id, position] : index) position = k++;
  return index;
}

}  // namespace

absl::StatusOr<CocoEvalData> JoinCocoEvalData(const CocoGroundTruthFile& ground_truth,
                                              const std::vector<CocoResult>& results,
                                              int64_t* dropped_results) {
  absl::StatusOr<CategoryMap> categories = CategoryIndex(ground_truth);
  if (!categories.ok()) return categories.status();
  CategoryMap& category_index = *categories;
  CocoEvalData data;
  data.category_ids.resize(category_index.size());
  data.category_names.resize(category_index.size());
  for (const auto& c : ground_truth.categories) {
    data.category_ids[category_index[c.id]] = c.id;
    data.category_names[category_index[c.id]] = c.name;
  }
  std::map<int64_t, int> image_index;
  for (const auto& image : ground_truth.images) {
    if (!image_index.emplace(image.id, static_cast<int>(data.images.size())).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("ground truth: image id ", image.id, " appears twice"));
    }
    data.images.emplace_back().id = image.id;
  }
  for (const auto& a : ground_truth.annotations) {
    auto image = image_index.find(a.image_id);
    auto category = category_index.find(a.category_id);
    if (image == image_index.end() || category == category_index.end()) continue;
    data.images[image->second].ground_truth.push_back(
        CocoGroundTruthObject{a.id, category->second, a.x, a.y, a.w, a.h, a.area, a.crowd});
  }
  int64_t dropped = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    const CocoResult& r = results[i];
    if (!r.image_id_is_integer) {
      return absl::InvalidArgumentError(absl::StrCat(
          "results[", i, "]: expected an integer image_id, found \"", r.image_name, "\""));
    }
    auto image = image_index.find(r.image_id);
    if (image == image_index.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("results[", i, "]: image_id ", r.image_id,
                       " is not an image of the ground truth (", image_index.size(),
                       " images)"));
    }
    auto category = category_index.find(r.category_id);
    if (category == category_index.end()) {
      ++dropped;
      continue;
    }
    data.images[image->second].detections.push_back(
        CocoDetectionObject{category->second, r.x, r.y, r.w, r.h, r.score});
  }
  if (dropped_results != nullptr) *dropped_results = dropped;
  return data;
}

Dataset ToDataset(const CocoGroundTruthFile& ground_truth) {
  Dataset dataset;
  std::map<int64_t, int> category_index;
  for (const auto& c : ground_truth.categories) category_index.emplace(c.id, 0);
  int k = 0;
  for (auto& [id, position] : category_index) position = k++;
  dataset.class_names.resize(category_index.size());
  dataset.category_ids.resize(category_index.size());
  for (const auto& c : ground_truth.categories) {
    dataset.class_names[category_index[c.id]] = c.name;
    dataset.category_ids[category_index[c.id]] = c.id;
  }
  std::map<int64_t, size_t> image_index;
  for (const auto& image : ground_truth.images) {
    if (!image_index.emplace(image.id, dataset.images.size()).second) continue;
    ImageRecord& record = dataset.images.emplace_back();
    record.id = absl::StrCat(image.id);
    record.path = image.file_name;
    record.width = image.width;
    record.height = image.height;
  }
  for (const auto& a : ground_truth.annotations) {
    auto image = image_index.find(a.image_id);
    auto category = category_index.find(a.category_id);
    if (image == image_index.end() || category == category_index.end()) continue;
    Annotation annotation;
    annotation.box = Box::FromXywh(a.x, a.y, a.w, a.h);
    annotation.label = category->second;
    annotation.crowd = a.crowd;
    annotation.area = a.area;
    dataset.images[image->second].annotations.push_back(annotation);
  }
  return dataset;
}

absl::StatusOr<std::vector<ImageDetections>> ToImageDetections(
    const std::vector<CocoResult>& results, const Dataset& dataset, int64_t* dropped_results) {
  std::map<int64_t, int> label_of;
  for (size_t k = 0; k < dataset.class_names.size(); ++k) {
    label_of[k < dataset.category_ids.size() ? dataset.category_ids[k]
                                             : static_cast<int64_t>(k + 1)] =
        static_cast<int>(k);
  }
  std::vector<ImageDetections> out(dataset.images.size());
  std::map<std::string, size_t> image_index;
  for (size_t i = 0; i < dataset.images.size(); ++i) {
    out[i].image_id = dataset.images[i].id;
    out[i].width = dataset.images[i].width;
    out[i].height = dataset.images[i].height;
    image_index.emplace(dataset.images[i].id, i);
  }
  int64_t dropped = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    const CocoResult& r = results[i];
    auto image = image_index.find(r.image_name);
    if (image == image_index.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("results[", i, "]: image_id ", r.image_name,
                       " is not an image of the ground truth (", dataset.images.size(),
                       " images)"));
    }
    auto label = label_of.find(r.category_id);
    if (label == label_of.end()) {
      ++dropped;
      continue;
    }
    Detection d;
    d.box = Box::FromXywh(r.x, r.y, r.w, r.h);
    d.score = static_cast<float>(r.score);
    d.label = label->second;
    out[image->second].detections.push_back(std::move(d));
  }
  if (dropped_results != nullptr) *dropped_results = dropped;
  return out;
}

}  // namespace huale
