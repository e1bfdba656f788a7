#include "huale/data/coco_reader.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "huale/data/dataset_format.h"
#include "huale/data/reader_util.h"
#include "simdjson.h"

namespace huale {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;

// Type errors on one entry's field leave the parser usable: that entry is a bad
// sample. Anything else means the file is broken.
bool IsEntryError(error_code error) {
  return error == simdjson::INCORRECT_TYPE || error == simdjson::NUMBER_ERROR ||
         error == simdjson::NUMBER_OUT_OF_RANGE;
}

struct RawImage {
  std::optional<int64_t> id;
  std::optional<std::string> file_name;
  std::optional<double> width, height;
};

struct RawAnnotation {
  std::optional<int64_t> image_id, category_id;
  std::optional<Box> box;  // xyxy
  double area = -1;
  bool crowd = false;
};

struct RawCategory {
  std::optional<int64_t> id;
  std::optional<std::string> name;
};

// Reads `value` into `out`; a type error becomes `problem` (field named).
template <typename T, typename Getter>
error_code ReadField(od::value& value, std::string_view key, Getter getter,
                     std::optional<T>& out, std::string& problem, const char* expected) {
  T parsed;
  const error_code error = getter(value).get(parsed);
  if (error == simdjson::SUCCESS) {
    out = std::move(parsed);
    return error;
  }
  if (IsEntryError(error)) {
    if (problem.empty()) {
      problem = absl::StrCat("field '", absl::string_view(key.data(), key.size()),
                             "': expected ", expected);
    }
    return simdjson::SUCCESS;
  }
  return error;
}

auto kGetInt64 = [](od::value& v) { return v.get_int64(); };
auto kGetDouble = [](od::value& v) { return v.get_double(); };
auto kGetString = [](od::value& v) -> simdjson::simdjson_result<std::string> {
  std::string_view view;
  const error_code error = v.get_string().get(view);
  if (error) return error;
  return std::string(view);
};

// Iterates the fields of `object`, calling visit(key, value); propagates
// structural errors.
template <typename Visit>
error_code ForEachField(od::object& object, Visit visit) {
  for (auto field : object) {
    std::string_view key;
    if (error_code error = field.unescaped_key().get(key)) return error;
    od::value value;
    if (error_code error = field.value().get(value)) return error;
    if (error_code error = visit(key, value)) return error;
  }
  return simdjson::SUCCESS;
}

error_code ParseImage(od::object& object, RawImage& out, std::string& problem) {
  return ForEachField(object, [&](std::string_view key, od::value& value) -> error_code {
    if (key == "id") return ReadField(value, key, kGetInt64, out.id, problem, "an integer");
    if (key == "file_name") {
      return ReadField(value, key, kGetString, out.file_name, problem, "a string");
    }
    if (key == "width") return ReadField(value, key, kGetDouble, out.width, problem, "a number");
    if (key == "height") {
      return ReadField(value, key, kGetDouble, out.height, problem, "a number");
    }
    return simdjson::SUCCESS;
  });
}

error_code ParseBbox(od::value& value, std::optional<Box>& box, std::string& problem) {
  od::array array;
  error_code error = value.get_array().get(array);
  if (IsEntryError(error)) {
    problem = "field 'bbox': expected [x, y, width, height]";
    return simdjson::SUCCESS;
  }
  if (error) return error;
  double xywh[4];
  int count = 0;
  for (auto element : array) {
    double number;
    error = element.get_double().get(number);
    if (IsEntryError(error)) {
      problem = "field 'bbox': expected 4 numbers";
      return simdjson::SUCCESS;
    }
    if (error) return error;
    if (count < 4) xywh[count] = number;
    ++count;
  }
  if (count != 4) {
    problem = absl::StrCat("field 'bbox': expected 4 numbers, found ", count);
    return simdjson::SUCCESS;
  }
  box = Box::FromXywh(xywh[0], xywh[1], xywh[2], xywh[3]);
  return simdjson::SUCCESS;
}

error_code ParseAnnotation(od::object& object, RawAnnotation& out, std::string& problem) {
  return ForEachField(object, [&](std::string_view key, od::value& value) -> error_code {
    if (key == "image_id") {
      return ReadField(value, key, kGetInt64, out.image_id, problem, "an integer");
    }
    if (key == "category_id") {
      return ReadField(value, key, kGetInt64, out.category_id, problem, "an integer");
    }
    if (key == "bbox") return ParseBbox(value, out.box, problem);
    if (key == "area") {
      std::optional<double> area;
      error_code error = ReadField(value, key, kGetDouble, area, problem, "a number");
      if (area) out.area = *area;
      return error;
    }
    if (key == "iscrowd") {
      std::optional<int64_t> crowd;
      error_code error = ReadField(value, key, kGetInt64, crowd, problem, "0 or 1");
      if (crowd) out.crowd = *crowd != 0;
      return error;
    }
    return simdjson::SUCCESS;
  });
}

error_code ParseCategory(od::object& object, RawCategory& out, std::string& problem) {
  return ForEachField(object, [&](std::string_view key, od::value& value) -> error_code {
    if (key == "id") return ReadField(value, key, kGetInt64, out.id, problem, "an integer");
    if (key == "name") return ReadField(value, key, kGetString, out.name, problem, "a string");
    return simdjson::SUCCESS;
  });
}

// Calls parse(object, index) for each element of the array `value`; an element
// that is not an object is reported through on_not_object(index).
template <typename Parse, typename OnNotObject>
error_code ForEachObject(od::value& value, std::string_view key, std::string& fatal,
                         Parse parse, OnNotObject on_not_object) {
  od::array array;
  error_code error = value.get_array().get(array);
  if (error) {
    fatal = absl::StrCat("field '", absl::string_view(key.data(), key.size()),
                         "': expected an array");
    return error;
  }
  int64_t index = 0;
  for (auto element : array) {
    od::object object;
    error = element.get_object().get(object);
    if (IsEntryError(error)) {
      on_not_object(index++);
      continue;
    }
    if (error) return error;
    if ((error = parse(object, index++))) return error;
  }
  return simdjson::SUCCESS;
}

struct RawFile {
  std::vector<RawImage> images;
  std::vector<RawAnnotation> annotations;
  std::vector<RawCategory> categories;
  bool has_images = false, has_annotations = false, has_categories = false;
};

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
  BadSampleLog log(spec.bad_sample_policy() == DatasetSpec::FAIL_FAST);
  simdjson::padded_string json;
  if (error_code error = simdjson::padded_string::load(json_path).get(json)) {
    return absl::NotFoundError(
        absl::StrCat(json_path, ": cannot read file (", simdjson::error_message(error), ")"));
  }
  od::parser parser;
  od::document doc;
  RawFile raw;
  std::string fatal;         // names the field where a structural error was found
  std::vector<std::string> entry_problems;  // "images[3]: field 'id': ..." in file order
  std::vector<BadSampleKind> entry_kinds;
  error_code error = parser.iterate(json).get(doc);
  od::object top;
  if (!error) error = doc.get_object().get(top);
  if (!error) {
    error = ForEachField(top, [&](std::string_view key, od::value& value) -> error_code {
      if (key == "images") {
        raw.has_images = true;
        return ForEachObject(
            value, key, fatal,
            [&](od::object& object, int64_t index) {
              RawImage image;
              std::string problem;
              error_code e = ParseImage(object, image, problem);
              if (!problem.empty()) {
                entry_problems.push_back(absl::StrCat("images[", index, "]: ", problem));
                entry_kinds.push_back(BadSampleKind::kUnreadableAnnotation);
                image.id.reset();  // unusable
                image.file_name.reset();
              }
              raw.images.push_back(std::move(image));
              return e;
            },
            [&](int64_t index) {
              entry_problems.push_back(absl::StrCat("images[", index, "]: expected an object"));
              entry_kinds.push_back(BadSampleKind::kUnreadableAnnotation);
            });
      }
      if (key == "annotations") {
        raw.has_annotations = true;
        return ForEachObject(
            value, key, fatal,
            [&](od::object& object, int64_t index) {
              RawAnnotation annotation;
              std::string problem;
              error_code e = ParseAnnotation(object, annotation, problem);
              if (!problem.empty()) {
                entry_problems.push_back(absl::StrCat("annotations[", index, "]: ", problem));
                entry_kinds.push_back(BadSampleKind::kUnreadableAnnotation);
              } else {
                raw.annotations.push_back(annotation);
              }
              return e;
            },
            [&](int64_t index) {
              entry_problems.push_back(
                  absl::StrCat("annotations[", index, "]: expected an object"));
              entry_kinds.push_back(BadSampleKind::kUnreadableAnnotation);
            });
      }
      if (key == "categories") {
        raw.has_categories = true;
        return ForEachObject(
            value, key, fatal,
            [&](od::object& object, int64_t index) {
              RawCategory category;
              std::string problem;
              error_code e = ParseCategory(object, category, problem);
              if (!problem.empty() || !category.id || !category.name) {
                if (problem.empty()) problem = "fields 'id' and 'name' are required";
                fatal = absl::StrCat("categories[", index, "]: ", problem);
                return e ? e : simdjson::INCORRECT_TYPE;
              }
              raw.categories.push_back(std::move(category));
              return e;
            },
            [&](int64_t index) { fatal = absl::StrCat("categories[", index, "]: not an object"); });
      }
      return simdjson::SUCCESS;
    });
  }
  if (error) {
    return absl::InvalidArgumentError(absl::StrCat(
        json_path, ": JSON does not parse", fatal.empty() ? "" : absl::StrCat(" at ", fatal),
        " (", simdjson::error_message(error), ")"));
  }
  for (const char* field : {"images", "annotations", "categories"}) {
    const bool present = std::string_view(field) == "images"        ? raw.has_images
                         : std::string_view(field) == "annotations" ? raw.has_annotations
                                                                     : raw.has_categories;
    if (!present) {
      return absl::InvalidArgumentError(
          absl::StrCat(json_path, ": required field '", field, "' is missing"));
    }
  }
  json = simdjson::padded_string();  // release the text before building records

  // Entry-level problems found while parsing, in file order.
  for (size_t i = 0; i < entry_problems.size(); ++i) {
    if (absl::Status s = log.Skip(entry_kinds[i], absl::StrCat(json_path, ": ", entry_problems[i]));
        !s.ok()) {
      return s;
    }
  }

  Dataset dataset;
  // Contiguous labels: category-id order, or the spec's class order.
  std::vector<const RawCategory*> categories;
  for (const RawCategory& category : raw.categories) categories.push_back(&category);
  std::sort(categories.begin(), categories.end(),
            [](const RawCategory* a, const RawCategory* b) { return *a->id < *b->id; });
  std::unordered_map<int64_t, int> label_of_category;
  if (spec.classes().empty()) {
    for (const RawCategory* category : categories) {
      if (!label_of_category.emplace(*category->id, dataset.class_names.size()).second) {
        return absl::InvalidArgumentError(absl::StrCat(
            json_path, ": categories: id ", *category->id, " appears twice"));
      }
      dataset.class_names.push_back(*category->name);
      dataset.category_ids.push_back(*category->id);
    }
  } else {
    std::map<std::string, int64_t> id_of_name;
    for (const RawCategory* category : categories) id_of_name[*category->name] = *category->id;
    for (const std::string& name : spec.classes()) {
      auto it = id_of_name.find(name);
      if (it == id_of_name.end()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "dataset.classes: '", name, "' is not a category of ", json_path));
      }
      label_of_category[it->second] = dataset.class_names.size();
      dataset.class_names.push_back(name);
      dataset.category_ids.push_back(it->second);
    }
  }

  // Images, in file order; the first of duplicate ids wins.
  std::unordered_map<int64_t, int> index_of_image;
  std::unordered_set<int64_t> skipped_ids;
  index_of_image.reserve(raw.images.size());
  int skipped = static_cast<int>(entry_problems.size());
  for (size_t i = 0; i < raw.images.size(); ++i) {
    RawImage& image = raw.images[i];
    const std::string where = absl::StrCat(json_path, ": images[", i, "]");
    if (!image.id) continue;  // already reported
    if (!image.file_name || !image.width || !image.height) {
      ++skipped;
      skipped_ids.insert(*image.id);
      const char* missing = !image.file_name ? "file_name" : !image.width ? "width" : "height";
      if (absl::Status s = log.Skip(BadSampleKind::kUnreadableAnnotation,
                                    absl::StrCat(where, ": required field '", missing,
                                                 "' is missing"));
          !s.ok()) {
        return s;
      }
      continue;
    }
    if (index_of_image.count(*image.id)) {
      ++skipped;
      if (absl::Status s = log.Skip(BadSampleKind::kDuplicateImageId,
                                    absl::StrCat(where, ": field 'id': image id ", *image.id,
                                                 " appears again (first occurrence kept)"));
          !s.ok()) {
        return s;
      }
      continue;
    }
    if (*image.width < 1 || *image.height < 1) {
      ++skipped;
      skipped_ids.insert(*image.id);
      if (absl::Status s = log.Skip(BadSampleKind::kUnreadableAnnotation,
                                    absl::StrCat(where, ": fields 'width'/'height': expected "
                                                 "positive, found ", *image.width, "x",
                                                 *image.height));
          !s.ok()) {
        return s;
      }
      continue;
    }
    ImageRecord record;
    record.id = std::to_string(*image.id);
    record.path = JoinPath(image_dir, *image.file_name);
    record.width = static_cast<int>(*image.width);
    record.height = static_cast<int>(*image.height);
    if (spec.verify_image_files() && !FileExists(record.path)) {
      ++skipped;
      skipped_ids.insert(*image.id);
      if (absl::Status s = log.Skip(BadSampleKind::kMissingImage,
                                    absl::StrCat(where, ": field 'file_name': image file ",
                                                 record.path, " does not exist"));
          !s.ok()) {
        return s;
      }
      continue;
    }
    index_of_image.emplace(*image.id, static_cast<int>(dataset.images.size()));
    dataset.images.push_back(std::move(record));
  }
  raw.images.clear();
  raw.images.shrink_to_fit();

  // Annotations; an unknown category marks its whole image bad (as in VOC).
  std::vector<bool> image_bad(dataset.images.size(), false);
  for (size_t i = 0; i < raw.annotations.size(); ++i) {
    const RawAnnotation& annotation = raw.annotations[i];
    const std::string where = absl::StrCat(json_path, ": annotations[", i, "]");
    if (!annotation.image_id || !annotation.category_id || !annotation.box) {
      const char* missing = !annotation.image_id      ? "image_id"
                            : !annotation.category_id ? "category_id"
                                                      : "bbox";
      if (absl::Status s = log.Skip(BadSampleKind::kUnreadableAnnotation,
                                    absl::StrCat(where, ": required field '", missing,
                                                 "' is missing"));
          !s.ok()) {
        return s;
      }
      continue;
    }
    auto image_it = index_of_image.find(*annotation.image_id);
    if (image_it == index_of_image.end()) {
      if (skipped_ids.count(*annotation.image_id)) continue;  // its image is already skipped
      if (absl::Status s = log.Skip(BadSampleKind::kOrphanAnnotation,
                                    absl::StrCat(where, ": field 'image_id': image ",
                                                 *annotation.image_id,
                                                 " is not among the images"));
          !s.ok()) {
        return s;
      }
      continue;
    }
    const int image_index = image_it->second;
    auto label_it = label_of_category.find(*annotation.category_id);
    if (label_it == label_of_category.end()) {
      if (!image_bad[image_index]) {
        if (absl::Status s = log.Skip(BadSampleKind::kUnknownClass,
                                      absl::StrCat(where, ": field 'category_id': category ",
                                                   *annotation.category_id,
                                                   " is not in the class list"));
            !s.ok()) {
          return s;
        }
        image_bad[image_index] = true;
      }
      continue;
    }
    ImageRecord& record = dataset.images[image_index];
    std::optional<Box> box =
        RepairBox(*annotation.box, record.width, record.height, where + ": field 'bbox'", log);
    if (!box) continue;
    Annotation out;
    out.box = *box;
    out.label = label_it->second;
    out.crowd = annotation.crowd;
    out.area = annotation.area >= 0 ? annotation.area : box->area();
    record.annotations.push_back(out);
  }
  if (std::find(image_bad.begin(), image_bad.end(), true) != image_bad.end()) {
    std::vector<ImageRecord> kept;
    kept.reserve(dataset.images.size());
    for (size_t i = 0; i < dataset.images.size(); ++i) {
      if (image_bad[i]) {
        ++skipped;
      } else {
        kept.push_back(std::move(dataset.images[i]));
      }
    }
    dataset.images = std::move(kept);
  }
  dataset.bad_samples = log.summary();
  if (dataset.images.empty()) {
    return EmptySplitError(absl::StrCat("COCO file ", json_path), skipped);
  }
  if (!dataset.bad_samples.empty()) {
    LOG(WARNING) << json_path << ": " << dataset.bad_samples.ToLogLine();
  }
  return dataset;
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
