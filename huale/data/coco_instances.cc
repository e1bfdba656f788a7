// The COCO instances parser; see coco_instances.h.
#include "huale/data/coco_instances.h"

#include <cmath>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "huale/core/json_syntax.h"
#include "simdjson.h"

namespace huale {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;

// Type errors on one entry's field leave the parser usable: that entry gets a
// problem. Anything else means the file is broken.
bool IsEntryError(error_code error) {
  return error == simdjson::INCORRECT_TYPE || error == simdjson::NUMBER_ERROR ||
         error == simdjson::NUMBER_OUT_OF_RANGE;
}

const char* TypeName(od::json_type type) {
  switch (type) {
    case od::json_type::array: return "an array";
    case od::json_type::object: return "an object";
    case od::json_type::number: return "a number";
    case od::json_type::string: return "a string";
    case od::json_type::boolean: return "a boolean";
    case od::json_type::null: return "null";
  }
  return "something else";
}

// One entry's fields, read with the entry's first problem remembered.
class EntryReader {
 public:
  explicit EntryReader(std::string& problem) : problem_(problem) {}

  error_code Int(od::value& value, std::string_view key, std::optional<int64_t>& out) {
    int64_t integer;
    const error_code error = value.get_int64().get(integer);  // not consumed on failure
    if (!error) out = integer;
    if (!IsEntryError(error)) return error;
    std::optional<double> number;
    if (error_code e = Number(value, key, "an integer", number)) return e;
    if (!number) return simdjson::SUCCESS;
    if (*number != std::floor(*number) || std::fabs(*number) >= 9e15) {
      return Problem(key, absl::StrCat("expected an integer, found ", *number));
    }
    out = static_cast<int64_t>(*number);
    return simdjson::SUCCESS;
  }

  error_code Double(od::value& value, std::string_view key, std::optional<double>& out) {
    return Number(value, key, "a number", out);
  }

  error_code String(od::value& value, std::string_view key, std::optional<std::string>& out) {
    std::string_view text;
    const error_code error = value.get_string().get(text);
    if (IsEntryError(error)) return TypeProblem(value, key, "a string");
    if (!error) out = std::string(text);
    return error;
  }

  // 0/1 or a boolean.
  error_code Flag(od::value& value, std::string_view key, bool& out) {
    od::json_type type;
    if (error_code e = value.type().get(type)) return e;
    if (type == od::json_type::boolean) return value.get_bool().get(out);
    std::optional<double> number;
    if (error_code e = Number(value, key, "0, 1 or a boolean", number)) return e;
    if (number) out = *number != 0;
    return simdjson::SUCCESS;
  }

  // [x, y, width, height].
  error_code Bbox(od::value& value, std::optional<std::array<double, 4>>& out) {
    od::array array;
    error_code error = value.get_array().get(array);
    if (IsEntryError(error)) return TypeProblem(value, "bbox", "4 numbers");
    if (error) return error;
    std::array<double, 4> xywh{};
    int count = 0;
    for (auto element : array) {
      double number;
      error = element.get_double().get(number);
      if (IsEntryError(error)) {
        return Problem("bbox", absl::StrCat("expected 4 numbers, found a non-number at [",
                                            count, "]"));
      }
      if (error) return error;
      if (count < 4) xywh[count] = number;
      ++count;
    }
    if (count != 4) return Problem("bbox", absl::StrCat("expected 4 numbers, found ", count));
    out = xywh;
    return simdjson::SUCCESS;
  }

 private:
  // Sets `out` when the value is a number; a problem when it is not.
  error_code Number(od::value& value, std::string_view key, const char* expected,
                    std::optional<double>& out) {
    double number;
    const error_code error = value.get_double().get(number);
    if (IsEntryError(error)) return TypeProblem(value, key, expected);
    if (!error) out = number;
    return error;
  }

  error_code TypeProblem(od::value& value, std::string_view key, const char* expected) {
    od::json_type type;
    if (error_code e = value.type().get(type)) return e;
    return Problem(key, absl::StrCat("expected ", expected, ", found ", TypeName(type)));
  }

  error_code Problem(std::string_view key, const std::string& message) {
    if (problem_.empty()) {
      problem_ = absl::StrCat("field '", absl::string_view(key.data(), key.size()), "': ",
                              message);
    }
    return simdjson::SUCCESS;
  }

  std::string& problem_;
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

error_code ParseImage(od::object& object, CocoInstances::Image& out) {
  EntryReader read(out.problem);
  return ForEachField(object, [&](std::string_view key, od::value& value) -> error_code {
    if (key == "id") return read.Int(value, key, out.id);
    if (key == "file_name") return read.String(value, key, out.file_name);
    if (key == "width") return read.Double(value, key, out.width);
    if (key == "height") return read.Double(value, key, out.height);
    return simdjson::SUCCESS;
  });
}

error_code ParseObject(od::object& object, CocoInstances::Object& out) {
  EntryReader read(out.problem);
  return ForEachField(object, [&](std::string_view key, od::value& value) -> error_code {
    if (key == "id") return read.Int(value, key, out.id);
    if (key == "image_id") return read.Int(value, key, out.image_id);
    if (key == "category_id") return read.Int(value, key, out.category_id);
    if (key == "bbox") return read.Bbox(value, out.bbox);
    if (key == "area") return read.Double(value, key, out.area);
    if (key == "iscrowd") return read.Flag(value, key, out.crowd);
    return simdjson::SUCCESS;
  });
}

error_code ParseCategory(od::object& object, CocoInstances::Category& out) {
  EntryReader read(out.problem);
  return ForEachField(object, [&](std::string_view key, od::value& value) -> error_code {
    if (key == "id") return read.Int(value, key, out.id);
    if (key == "name") return read.String(value, key, out.name);
    return simdjson::SUCCESS;
  });
}

// Parses the array `value` of `key` entry by entry with parse(object, entry);
// `fatal` names the field when it is not an array.
template <typename Entry, typename Parse>
error_code ParseEntries(od::value& value, std::string_view key, Parse parse,
                        std::optional<std::vector<Entry>>& out, std::string& fatal) {
  od::array array;
  error_code error = value.get_array().get(array);
  if (error) {
    fatal = absl::StrCat("field '", absl::string_view(key.data(), key.size()),
                         "': expected an array");
    return error;
  }
  out.emplace();
  for (auto element : array) {
    Entry& entry = out->emplace_back();
    od::object object;
    error = element.get_object().get(object);
    if (IsEntryError(error)) {
      entry.problem = "expected an object";
    } else if (error || (error = parse(object, entry))) {
      return error;
    }
    if (!entry.problem.empty()) {
      entry.problem = absl::StrCat(absl::string_view(key.data(), key.size()), "[",
                                   out->size() - 1, "]: ", entry.problem);
    }
  }
  return simdjson::SUCCESS;
}

absl::StatusOr<CocoInstances> Parse(const simdjson::padded_string& json,
                                    absl::string_view source) {
  od::parser parser;
  od::document doc;
  od::object top;
  CocoInstances file;
  std::string fatal;  // names the field where a structural error was found
  error_code error = parser.iterate(json).get(doc);
  if (!error) error = doc.get_object().get(top);
  if (!error) {
    error = ForEachField(top, [&](std::string_view key, od::value& value) -> error_code {
      if (key == "images") return ParseEntries(value, key, ParseImage, file.images, fatal);
      if (key == "annotations") {
        return ParseEntries(value, key, ParseObject, file.annotations, fatal);
      }
      if (key == "categories") {
        return ParseEntries(value, key, ParseCategory, file.categories, fatal);
      }
      return simdjson::SUCCESS;
    });
  }
  if (error) {
    // simdjson says what; the locator says where (a syntax error), else the
    // field that was found wrong names the place.
    const std::string where = JsonSyntaxError(absl::string_view(json.data(), json.size()));
    if (!where.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(source, ": not valid JSON at ", where));
    }
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": JSON does not parse", fatal.empty() ? "" : absl::StrCat(" at ", fatal),
        " (", simdjson::error_message(error), ")"));
  }
  return file;
}

}  // namespace

absl::StatusOr<CocoInstances> ParseCocoInstances(absl::string_view json,
                                                 absl::string_view source) {
  return Parse(simdjson::padded_string(json.data(), json.size()), source);
}

absl::StatusOr<CocoInstances> ReadCocoInstancesFile(const std::string& path) {
  simdjson::padded_string json;
  if (error_code error = simdjson::padded_string::load(path).get(json)) {
    return absl::NotFoundError(
        absl::StrCat(path, ": cannot read file (", simdjson::error_message(error), ")"));
  }
  return Parse(json, path);
}

}  // namespace huale
