// COCO instances/results JSON for evaluation; see coco_json.h.
#include "huale/eval/coco_json.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "simdjson.h"

namespace huale {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

std::string TypeName(const element& e) {
  switch (e.type()) {
    case simdjson::dom::element_type::ARRAY: return "an array";
    case simdjson::dom::element_type::OBJECT: return "an object";
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64: return "an integer";
    case simdjson::dom::element_type::DOUBLE: return "a number";
    case simdjson::dom::element_type::STRING: return "a string";
    case simdjson::dom::element_type::BOOL: return "a boolean";
    case simdjson::dom::element_type::NULL_VALUE: return "null";
  }
  return "something else";
}

// Field access with errors that say where, what was expected and what was found.
class Reader {
 public:
  explicit Reader(absl::string_view source) : source_(source) {}

  absl::Status Error(absl::string_view where, absl::string_view message) const {
    return absl::InvalidArgumentError(absl::StrCat(source_, ": ", where, ": ", message));
  }

  absl::StatusOr<element> Field(const object& o, absl::string_view where,
                                absl::string_view key) const {
    element e;
    if (o[std::string_view(key.data(), key.size())].get(e) != simdjson::SUCCESS) {
      return Error(where, absl::StrCat("missing field \"", key, "\""));
    }
    return e;
  }

  absl::StatusOr<object> Object(const element& e, absl::string_view where) const {
    object o;
    if (e.get(o) != simdjson::SUCCESS) {
      return Error(where, absl::StrCat("expected an object, found ", TypeName(e)));
    }
    return o;
  }

  absl::StatusOr<array> Array(const element& e, absl::string_view where) const {
    array a;
    if (e.get(a) != simdjson::SUCCESS) {
      return Error(where, absl::StrCat("expected an array, found ", TypeName(e)));
    }
    return a;
  }

  absl::StatusOr<int64_t> Int(const element& e, absl::string_view where) const {
    int64_t v;
    if (e.get(v) == simdjson::SUCCESS) return v;
    double d;
    // 3.0 is an integer id too (Python writes ids that passed through floats so).
    if (e.get(d) == simdjson::SUCCESS && std::isfinite(d) && d == std::floor(d) &&
        std::fabs(d) < 9e15) {
      return static_cast<int64_t>(d);
    }
    return Error(where, absl::StrCat("expected an integer, found ", TypeName(e)));
  }

  absl::StatusOr<double> Number(const element& e, absl::string_view where) const {
    double v;
    if (e.get(v) != simdjson::SUCCESS) {
      return Error(where, absl::StrCat("expected a number, found ", TypeName(e)));
    }
    return v;
  }

  absl::StatusOr<bool> Flag(const element& e, absl::string_view where) const {
    bool b;
    if (e.get(b) == simdjson::SUCCESS) return b;
    double d;
    if (e.get(d) == simdjson::SUCCESS) return d != 0;
    return Error(where, absl::StrCat("expected 0, 1 or a boolean, found ", TypeName(e)));
  }

  // bbox [x, y, w, h] with w, h >= 0.
  absl::Status Bbox(const object& o, const std::string& where, double* x, double* y,
                    double* w, double* h) const {
    const std::string bbox_where = where + ".bbox";
    absl::StatusOr<element> field = Field(o, where, "bbox");
    if (!field.ok()) return field.status();
    absl::StatusOr<array> values = Array(*field, bbox_where);
    if (!values.ok()) return values.status();
    if (values->size() != 4) {
      return Error(bbox_where,
                   absl::StrCat("expected 4 numbers [x, y, w, h], found ", values->size()));
    }
    double v[4];
    int i = 0;
    for (element e : *values) {
      absl::StatusOr<double> number = Number(e, absl::StrCat(bbox_where, "[", i, "]"));
      if (!number.ok()) return number.status();
      v[i++] = *number;
    }
    if (v[2] < 0 || v[3] < 0) {
      return Error(bbox_where, absl::StrCat("expected width and height >= 0, found ", v[2],
                                            " x ", v[3]));
    }
    *x = v[0], *y = v[1], *w = v[2], *h = v[3];
    return absl::OkStatus();
  }

 private:
  std::string source_;
};

absl::StatusOr<element> ParseDocument(simdjson::dom::parser& parser,
                                      const simdjson::padded_string& json,
                                      absl::string_view source) {
  element root;
  if (auto error = parser.parse(json).get(root); error != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": not valid JSON (", simdjson::error_message(error),
        "); note that NaN and Infinity are not JSON numbers"));
  }
  return root;
}

absl::StatusOr<simdjson::padded_string> ReadFile(const std::string& path) {
  simdjson::padded_string contents;
  if (auto error = simdjson::padded_string::load(path).get(contents);
      error != simdjson::SUCCESS) {
    return absl::NotFoundError(
        absl::StrCat(path, ": cannot read (", simdjson::error_message(error), ")"));
  }
  return contents;
}

#define HUALE_ASSIGN_OR_RETURN_IMPL(var, expr, tmp) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  var = std::move(*tmp)
#define HUALE_EVAL_CONCAT_INNER(a, b) a##b
#define HUALE_EVAL_CONCAT(a, b) HUALE_EVAL_CONCAT_INNER(a, b)
#define ASSIGN_OR_RETURN(var, expr) \
  HUALE_ASSIGN_OR_RETURN_IMPL(var, expr, HUALE_EVAL_CONCAT(status_or_, __LINE__))

}  // namespace

namespace {

absl::StatusOr<CocoGroundTruthFile> ParseGroundTruth(const simdjson::padded_string& padded,
                                                     absl::string_view source) {
  const Reader r(source);
  simdjson::dom::parser parser;
  ASSIGN_OR_RETURN(element root, ParseDocument(parser, padded, source));
  ASSIGN_OR_RETURN(object top, r.Object(root, "top level"));
  CocoGroundTruthFile file;

  ASSIGN_OR_RETURN(element images_field, r.Field(top, "top level", "images"));
  ASSIGN_OR_RETURN(array images, r.Array(images_field, "images"));
  size_t i = 0;
  for (element e : images) {
    const std::string where = absl::StrCat("images[", i++, "]");
    ASSIGN_OR_RETURN(object o, r.Object(e, where));
    CocoGroundTruthFile::Image image;
    ASSIGN_OR_RETURN(element id, r.Field(o, where, "id"));
    ASSIGN_OR_RETURN(image.id, r.Int(id, where + ".id"));
    element v;
    int64_t size;
    if (o["width"].get(v) == simdjson::SUCCESS) {
      ASSIGN_OR_RETURN(size, r.Int(v, where + ".width"));
      image.width = static_cast<int>(size);
    }
    if (o["height"].get(v) == simdjson::SUCCESS) {
      ASSIGN_OR_RETURN(size, r.Int(v, where + ".height"));
      image.height = static_cast<int>(size);
    }
    std::string_view name;
    if (o["file_name"].get(name) == simdjson::SUCCESS) image.file_name = std::string(name);
    file.images.push_back(std::move(image));
  }

  ASSIGN_OR_RETURN(element categories_field, r.Field(top, "top level", "categories"));
  ASSIGN_OR_RETURN(array categories, r.Array(categories_field, "categories"));
  i = 0;
  for (element e : categories) {
    const std::string where = absl::StrCat("categories[", i++, "]");
    ASSIGN_OR_RETURN(object o, r.Object(e, where));
    CocoGroundTruthFile::Category category;
    ASSIGN_OR_RETURN(element id, r.Field(o, where, "id"));
    ASSIGN_OR_RETURN(category.id, r.Int(id, where + ".id"));
    std::string_view name;
    if (o["name"].get(name) == simdjson::SUCCESS) category.name = std::string(name);
    file.categories.push_back(std::move(category));
  }

  element annotations_field;
  if (top["annotations"].get(annotations_field) == simdjson::SUCCESS) {
    ASSIGN_OR_RETURN(array annotations, r.Array(annotations_field, "annotations"));
    i = 0;
    for (element e : annotations) {
      const std::string where = absl::StrCat("annotations[", i++, "]");
      ASSIGN_OR_RETURN(object o, r.Object(e, where));
      CocoGroundTruthFile::Object a;
      ASSIGN_OR_RETURN(element id, r.Field(o, where, "id"));
      ASSIGN_OR_RETURN(a.id, r.Int(id, where + ".id"));
      ASSIGN_OR_RETURN(element image_id, r.Field(o, where, "image_id"));
      ASSIGN_OR_RETURN(a.image_id, r.Int(image_id, where + ".image_id"));
      ASSIGN_OR_RETURN(element category_id, r.Field(o, where, "category_id"));
      ASSIGN_OR_RETURN(a.category_id, r.Int(category_id, where + ".category_id"));
      if (absl::Status s = r.Bbox(o, where, &a.x, &a.y, &a.w, &a.h); !s.ok()) return s;
      ASSIGN_OR_RETURN(element area, r.Field(o, where, "area"));
      ASSIGN_OR_RETURN(a.area, r.Number(area, where + ".area"));
      element crowd;
      if (o["iscrowd"].get(crowd) == simdjson::SUCCESS) {
        ASSIGN_OR_RETURN(a.crowd, r.Flag(crowd, where + ".iscrowd"));
      }
      file.annotations.push_back(a);
    }
  }
  return file;
}

absl::StatusOr<std::vector<CocoResult>> ParseResults(const simdjson::padded_string& padded,
                                                     absl::string_view source) {
  const Reader r(source);
  simdjson::dom::parser parser;
  ASSIGN_OR_RETURN(element root, ParseDocument(parser, padded, source));
  ASSIGN_OR_RETURN(array entries, r.Array(root, "top level (a results file is a list)"));
  std::vector<CocoResult> results;
  results.reserve(entries.size());
  size_t i = 0;
  for (element e : entries) {
    const std::string where = absl::StrCat("[", i++, "]");
    ASSIGN_OR_RETURN(object o, r.Object(e, where));
    CocoResult result;
    ASSIGN_OR_RETURN(element image_id, r.Field(o, where, "image_id"));
    std::string_view image_name;
    if (image_id.get(image_name) == simdjson::SUCCESS) {
      result.image_name = std::string(image_name);
      result.image_id_is_integer = absl::SimpleAtoi(result.image_name, &result.image_id) &&
                                   absl::StrCat(result.image_id) == result.image_name;
    } else {
      ASSIGN_OR_RETURN(result.image_id, r.Int(image_id, where + ".image_id"));
      result.image_name = absl::StrCat(result.image_id);
    }
    ASSIGN_OR_RETURN(element category_id, r.Field(o, where, "category_id"));
    ASSIGN_OR_RETURN(result.category_id, r.Int(category_id, where + ".category_id"));
    if (absl::Status s = r.Bbox(o, where, &result.x, &result.y, &result.w, &result.h);
        !s.ok()) {
      return s;
    }
    ASSIGN_OR_RETURN(element score, r.Field(o, where, "score"));
    ASSIGN_OR_RETURN(result.score, r.Number(score, where + ".score"));
    results.push_back(result);
  }
  return results;
}

}  // namespace

absl::StatusOr<CocoGroundTruthFile> ParseCocoGroundTruth(absl::string_view json,
                                                         absl::string_view source) {
  return ParseGroundTruth(simdjson::padded_string(json.data(), json.size()), source);
}

absl::StatusOr<CocoGroundTruthFile> LoadCocoGroundTruth(const std::string& path) {
  ASSIGN_OR_RETURN(simdjson::padded_string json, ReadFile(path));
  return ParseGroundTruth(json, path);
}

absl::StatusOr<std::vector<CocoResult>> ParseCocoResults(absl::string_view json,
                                                         absl::string_view source) {
  return ParseResults(simdjson::padded_string(json.data(), json.size()), source);
}

absl::StatusOr<std::vector<CocoResult>> LoadCocoResults(const std::string& path) {
  ASSIGN_OR_RETURN(simdjson::padded_string json, ReadFile(path));
  return ParseResults(json, path);
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
  ASSIGN_OR_RETURN(CategoryMap category_index, CategoryIndex(ground_truth));
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

absl::Status WriteCocoResults(const std::string& path, const Dataset& dataset,
                              const std::vector<ImageDetections>& detections) {
  std::string json = "[";
  bool first = true;
  for (const ImageDetections& image : detections) {
    int64_t numeric_id;
    const std::string image_id = absl::SimpleAtoi(image.image_id, &numeric_id)
                                     ? absl::StrCat(numeric_id)
                                     : absl::StrCat("\"", image.image_id, "\"");
    for (const Detection& d : image.detections) {
      if (d.label < 0 || static_cast<size_t>(d.label) >= dataset.class_names.size()) {
        return absl::InvalidArgumentError(absl::StrCat(
            path, ": image '", image.image_id, "': label ", d.label, " outside [0, ",
            dataset.class_names.size(), ")"));
      }
      const int64_t category_id = static_cast<size_t>(d.label) < dataset.category_ids.size()
                                      ? dataset.category_ids[d.label]
                                      : d.label + 1;
      absl::StrAppend(&json, first ? "\n" : ",\n",
                      absl::StrFormat("{\"image_id\": %s, \"category_id\": %d, \"bbox\": "
                                      "[%.17g, %.17g, %.17g, %.17g], \"score\": %.9g}",
                                      image_id, category_id, d.box.x1, d.box.y1,
                                      d.box.width(), d.box.height(), d.score));
      first = false;
    }
  }
  json += "\n]\n";
  const std::string temp = absl::StrCat(path, ".tmp.", getpid());
  FILE* f = std::fopen(temp.c_str(), "wb");
  if (f == nullptr) return absl::UnavailableError(absl::StrCat(temp, ": cannot open for writing"));
  const bool written = std::fwrite(json.data(), 1, json.size(), f) == json.size();
  if (std::fclose(f) != 0 || !written) {
    std::remove(temp.c_str());
    return absl::UnavailableError(absl::StrCat(temp, ": write failed"));
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    std::remove(temp.c_str());
    return absl::UnavailableError(absl::StrCat("cannot rename ", temp, " to ", path));
  }
  return absl::OkStatus();
}

}  // namespace huale
