#include "huale/engine/label_studio_json.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "pugixml.hpp"

namespace huale {
namespace {

using json = nlohmann::json;

constexpr char kFromName[] = "label";
constexpr char kToName[] = "image";

std::string XmlEscape(const std::string& text) {
  return absl::StrReplaceAll(text, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"},
                                    {"\"", "&quot;"}, {"'", "&apos;"}});
}

// A number of a JSON field, or nullopt.
std::optional<double> Number(const json& object, const char* field) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(field);
  if (it == object.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

}  // namespace

std::string LabelStudioConfig(const std::vector<std::string>& class_names) {
  std::string config = absl::StrCat("<View>\n  <Image name=\"", kToName,
                                    "\" value=\"$image\" zoom=\"true\"/>\n  <RectangleLabels name=\"",
                                    kFromName, "\" toName=\"", kToName, "\">\n");
  for (const std::string& name : class_names) {
    absl::StrAppend(&config, "    <Label value=\"", XmlEscape(name), "\"/>\n");
  }
  config += "  </RectangleLabels>\n</View>\n";
  return config;
}

std::vector<std::string> LabelStudioConfigClasses(const std::string& config) {
  pugi::xml_document document;
  if (!document.load_string(config.c_str())) return {};
  std::vector<std::string> names;
  pugi::xpath_node_set sets = document.select_nodes("//RectangleLabels");
  if (sets.size() != 1) return {};
  for (pugi::xml_node label : sets[0].node().children("Label")) {
    names.push_back(label.attribute("value").value());
  }
  return names;
}

json LabelStudioTask(const LabelTask& image, const std::string& image_url, int cycle,
                     const std::vector<std::string>& class_names, double min_score) {
  json task = {{"data",
                {{"image", image_url}, {"huale_id", image.image_id}, {"huale_cycle", cycle}}}};
  json result = json::array();
  double total = 0;
  int count = 0;
  for (const Detection& detection : image.predictions) {
    if (detection.score < min_score || detection.label < 0 ||
        detection.label >= static_cast<int>(class_names.size())) {
      continue;
    }
    const Box& box = detection.box;
    const double w = image.width, h = image.height;
    result.push_back({{"id", absl::StrCat("p", count)},
                      {"from_name", kFromName},
                      {"to_name", kToName},
                      {"type", "rectanglelabels"},
                      {"original_width", image.width},
                      {"original_height", image.height},
                      {"image_rotation", 0},
                      {"score", detection.score},
                      {"value",
                       {{"x", 100.0 * box.x1 / w},
                        {"y", 100.0 * box.y1 / h},
                        {"width", 100.0 * (box.x2 - box.x1) / w},
                        {"height", 100.0 * (box.y2 - box.y1) / h},
                        {"rotation", 0},
                        {"rectanglelabels", {class_names[detection.label]}}}}});
    total += detection.score;
    ++count;
  }
  if (count > 0) {
    task["predictions"] = json::array(
        {{{"model_version", absl::StrCat("huale cycle ", cycle)},
          {"score", total / count},
          {"result", result}}});
  }
  return task;
}

absl::StatusOr<std::vector<ReturnedBox>> LabelStudioBoxes(const json& result, int width,
                                                          int height, const std::string& where) {
  std::vector<ReturnedBox> boxes;
  if (!result.is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": result: expected an array"));
  }
  for (size_t i = 0; i < result.size(); ++i) {
    const json& region = result[i];
    const std::string at = absl::StrCat(where, ": result[", i, "]");
    if (!region.is_object() || region.value("type", "") != "rectanglelabels") continue;
    const json* value = region.contains("value") ? &region["value"] : nullptr;
    std::optional<double> x = value ? Number(*value, "x") : std::nullopt;
    std::optional<double> y = value ? Number(*value, "y") : std::nullopt;
    std::optional<double> w = value ? Number(*value, "width") : std::nullopt;
    std::optional<double> h = value ? Number(*value, "height") : std::nullopt;
    if (!x || !y || !w || !h) {
      return absl::InvalidArgumentError(
          absl::StrCat(at, ".value: expected numbers x, y, width and height (percent)"));
    }
    const json* labels = value->contains("rectanglelabels") ? &(*value)["rectanglelabels"] : nullptr;
    if (labels == nullptr || !labels->is_array() || labels->size() != 1 ||
        !(*labels)[0].is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat(at, ".value.rectanglelabels: expected exactly one class name"));
    }
    // The image size the percentages refer to: the result's own, else the dataset's.
    const double image_w = Number(region, "original_width").value_or(width);
    const double image_h = Number(region, "original_height").value_or(height);
    const double px = *x / 100 * image_w, py = *y / 100 * image_h;
    const double pw = *w / 100 * image_w, ph = *h / 100 * image_h;
    const double degrees = Number(*value, "rotation").value_or(0);
    Box box;
    if (degrees == 0) {
      box = Box{static_cast<float>(px), static_cast<float>(py), static_cast<float>(px + pw),
                static_cast<float>(py + ph)};
    } else {
      // Rotated about (x, y): the axis-aligned box around its four corners.
      const double t = degrees * M_PI / 180, c = std::cos(t), s = std::sin(t);
      const double xs[4] = {px, px + pw * c, px + pw * c - ph * s, px - ph * s};
      const double ys[4] = {py, py + pw * s, py + pw * s + ph * c, py + ph * c};
      box = Box{static_cast<float>(*std::min_element(xs, xs + 4)),
                static_cast<float>(*std::min_element(ys, ys + 4)),
                static_cast<float>(*std::max_element(xs, xs + 4)),
                static_cast<float>(*std::max_element(ys, ys + 4))};
    }
    boxes.push_back({box, (*labels)[0].get<std::string>(), at});
  }
  return boxes;
}

absl::StatusOr<LabelStudioTaskState> ReadLabelStudioTask(const json& task) {
  LabelStudioTaskState state;
  if (!task.is_object()) return absl::InvalidArgumentError("a task: expected an object");
  if (auto id = task.find("id"); id != task.end() && id->is_number_integer()) {
    state.task_id = id->get<int64_t>();
  }
  const std::string where = absl::StrCat("task ", state.task_id);
  if (auto data = task.find("data"); data != task.end() && data->is_object()) {
    if (auto id = data->find("huale_id"); id != data->end() && id->is_string()) {
      state.huale_id = id->get<std::string>();
    }
    if (auto cycle = data->find("huale_cycle"); cycle != data->end() && cycle->is_number_integer()) {
      state.cycle = cycle->get<int>();
    }
    if (auto image = data->find("image"); image != data->end() && image->is_string()) {
      state.image = image->get<std::string>();
    }
  }
  auto annotations = task.find("annotations");
  if (annotations == task.end() || annotations->is_null()) return state;
  if (!annotations->is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": annotations: expected an array"));
  }
  const json* newest = nullptr;
  for (const json& annotation : *annotations) {
    if (!annotation.is_object()) continue;
    const int64_t id = annotation.value("id", int64_t{-1});
    if (newest == nullptr || id > state.annotation_id) {
      newest = &annotation;
      state.annotation_id = id;
    }
  }
  if (newest == nullptr) return state;
  if (newest->value("was_cancelled", false)) {
    state.state = LabelStudioTaskState::kSkipped;
    return state;
  }
  state.state = LabelStudioTaskState::kLabelled;
  state.result = newest->contains("result") ? (*newest)["result"] : json::array();
  return state;
}

std::string UrlEncode(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      absl::StrAppendFormat(&out, "%%%02X", c);
    }
  }
  return out;
}

}  // namespace huale
