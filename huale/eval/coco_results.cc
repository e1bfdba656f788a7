// COCO results files: the one reader and writer; see coco_results.h.
#include "huale/eval/coco_results.h"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "huale/core/atomic_file.h"
#include "huale/core/status_macros.h"
#include "nlohmann/json.hpp"
#include "huale/core/json_syntax.h"
#include "simdjson.h"

namespace huale {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// A string image_id that reads back as the same integer is that integer.
void SetImageId(absl::string_view image_id, CocoResult& result) {
  result.image_name = std::string(image_id);
  result.image_id_is_integer = absl::SimpleAtoi(image_id, &result.image_id) &&
                               absl::StrCat(result.image_id) == image_id;
}

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
    const std::string where = JsonSyntaxError(absl::string_view(json.data(), json.size()));
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": not valid JSON", where.empty() ? "" : absl::StrCat(" at ", where), " (",
        simdjson::error_message(error), "); note that NaN and Infinity are not JSON numbers"));
  }
  return root;
}

absl::StatusOr<simdjson::padded_string> LoadPadded(const std::string& path) {
  simdjson::padded_string contents;
  if (auto error = simdjson::padded_string::load(path).get(contents);
      error != simdjson::SUCCESS) {
    return absl::NotFoundError(
        absl::StrCat(path, ": cannot read (", simdjson::error_message(error), ")"));
  }
  return contents;
}

absl::StatusOr<std::vector<CocoResult>> ParseResults(const simdjson::padded_string& padded,
                                                     absl::string_view source) {
  const Reader r(source);
  simdjson::dom::parser parser;
  HUALE_ASSIGN_OR_RETURN(element root, ParseDocument(parser, padded, source));
  HUALE_ASSIGN_OR_RETURN(array entries, r.Array(root, "top level (a results file is a list)"));
  std::vector<CocoResult> results;
  results.reserve(entries.size());
  size_t i = 0;
  for (element e : entries) {
    const std::string where = absl::StrCat("[", i++, "]");
    HUALE_ASSIGN_OR_RETURN(object o, r.Object(e, where));
    CocoResult result;
    HUALE_ASSIGN_OR_RETURN(element image_id, r.Field(o, where, "image_id"));
    std::string_view image_name;
    if (image_id.get(image_name) == simdjson::SUCCESS) {
      SetImageId(absl::string_view(image_name.data(), image_name.size()), result);
    } else {
      HUALE_ASSIGN_OR_RETURN(result.image_id, r.Int(image_id, where + ".image_id"));
      result.image_name = absl::StrCat(result.image_id);
    }
    HUALE_ASSIGN_OR_RETURN(element category_id, r.Field(o, where, "category_id"));
    HUALE_ASSIGN_OR_RETURN(result.category_id, r.Int(category_id, where + ".category_id"));
    if (absl::Status s = r.Bbox(o, where, &result.x, &result.y, &result.w, &result.h);
        !s.ok()) {
      return s;
    }
    HUALE_ASSIGN_OR_RETURN(element score, r.Field(o, where, "score"));
    HUALE_ASSIGN_OR_RETURN(result.score, r.Number(score, where + ".score"));
    results.push_back(result);
  }
  return results;
}

}  // namespace

CocoResult MakeCocoResult(absl::string_view image_id, int64_t category_id, const Box& box,
                          double score) {
  CocoResult result;
  SetImageId(image_id, result);
  result.category_id = category_id;
  result.x = box.x1;
  result.y = box.y1;
  result.w = box.width();
  result.h = box.height();
  result.score = score;
  return result;
}

absl::StatusOr<std::vector<CocoResult>> ParseCocoResults(absl::string_view json,
                                                         absl::string_view source) {
  return ParseResults(simdjson::padded_string(json.data(), json.size()), source);
}

absl::StatusOr<std::vector<CocoResult>> LoadCocoResults(const std::string& path) {
  HUALE_ASSIGN_OR_RETURN(simdjson::padded_string json, LoadPadded(path));
  return ParseResults(json, path);
}

absl::StatusOr<std::vector<CocoResult>> ToCocoResults(
    const Dataset& dataset, const std::vector<ImageDetections>& detections) {
  std::vector<CocoResult> results;
  for (const ImageDetections& image : detections) {
    for (const Detection& d : image.detections) {
      if (d.label < 0 || static_cast<size_t>(d.label) >= dataset.class_names.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("image '", image.image_id, "': label ", d.label, " outside [0, ",
                         dataset.class_names.size(), ")"));
      }
      const int64_t category_id = static_cast<size_t>(d.label) < dataset.category_ids.size()
                                      ? dataset.category_ids[d.label]
                                      : d.label + 1;
      results.push_back(MakeCocoResult(image.image_id, category_id, d.box, d.score));
    }
  }
  return results;
}

std::string CocoResultsToJson(const std::vector<CocoResult>& results) {
  nlohmann::ordered_json json = nlohmann::ordered_json::array();
  for (const CocoResult& r : results) {
    nlohmann::ordered_json entry;
    if (r.image_id_is_integer) {
      entry["image_id"] = r.image_id;
    } else {
      entry["image_id"] = r.image_name;
    }
    entry["category_id"] = r.category_id;
    entry["bbox"] = {r.x, r.y, r.w, r.h};
    entry["score"] = r.score;
    json.push_back(std::move(entry));
  }
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

absl::Status WriteCocoResults(const std::string& path, const std::vector<CocoResult>& results) {
  return WriteFileAtomically(path, CocoResultsToJson(results));
}

absl::Status WriteCocoResults(const std::string& path, const Dataset& dataset,
                              const std::vector<ImageDetections>& detections) {
  absl::StatusOr<std::vector<CocoResult>> results = ToCocoResults(dataset, detections);
  if (!results.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", results.status().message()));
  }
  return WriteCocoResults(path, *results);
}

}  // namespace huale
