// JSON and table forms of an EvaluationResult; see result_format.h.
#include "huale/eval/result_format.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "huale/eval/coco_eval.h"
#include "nlohmann/json.hpp"

namespace huale {
namespace {

// COCO's twelve first, in their order; then the rest by name.
std::vector<std::string> MetricOrder(const EvaluationResult& result) {
  std::vector<std::string> order;
  for (const char* name : kCocoMetricNames) {
    if (result.metrics.count(name)) order.push_back(name);
  }
  for (const auto& [name, value] : result.metrics) {
    if (std::find(order.begin(), order.end(), name) == order.end()) order.push_back(name);
  }
  return order;
}

}  // namespace

std::string EvaluationResultToJson(const EvaluationResult& result, absl::string_view metric) {
  nlohmann::ordered_json json;
  json["metric"] = std::string(metric);
  for (const std::string& name : MetricOrder(result)) json[name] = result.metrics.at(name);
  json["per_class_AP"] = nlohmann::ordered_json::object();
  for (const auto& [name, ap] : result.per_class_ap) json["per_class_AP"][name] = ap;
  return json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string FormatResultTable(const EvaluationResult& result) {
  size_t width = 5;
  for (const auto& [name, ap] : result.per_class_ap) width = std::max(width, name.size());
  for (const auto& [name, value] : result.metrics) width = std::max(width, name.size());
  std::string table;
  for (const std::string& name : MetricOrder(result)) {
    absl::StrAppend(&table, absl::StrFormat("%-*s  %7.4f\n", static_cast<int>(width), name,
                                            result.metrics.at(name)));
  }
  absl::StrAppend(&table, "\n", absl::StrFormat("%-*s  %7s\n", static_cast<int>(width), "class", "AP"));
  for (const auto& [name, ap] : result.per_class_ap) {
    absl::StrAppend(&table, absl::StrFormat("%-*s  %7.4f\n", static_cast<int>(width), name, ap));
  }
  return table;
}

}  // namespace huale
