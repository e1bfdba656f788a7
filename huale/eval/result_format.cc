// JSON and table forms of an EvaluationResult; see result_format.h.
#include "huale/eval/result_format.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "huale/eval/coco_eval.h"

namespace huale {
namespace {

std::string Quoted(absl::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += absl::StrFormat("\\u%04x", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Number(double v) { return absl::StrFormat("%.17g", v); }

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
  std::string json = absl::StrCat("{\"metric\": ", Quoted(metric));
  for (const std::string& name : MetricOrder(result)) {
    absl::StrAppend(&json, ", ", Quoted(name), ": ", Number(result.metrics.at(name)));
  }
  json += ", \"per_class_AP\": {";
  bool first = true;
  for (const auto& [name, ap] : result.per_class_ap) {
    absl::StrAppend(&json, first ? "" : ", ", Quoted(name), ": ", Number(ap));
    first = false;
  }
  return json + "}}";
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
