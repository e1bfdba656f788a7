#include "huale/engine/run_folder.h"

#include <filesystem>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "huale/core/atomic_file.h"
#include "huale/core/json_quote.h"
#include "simdjson.h"

namespace huale {
namespace {

namespace fs = std::filesystem;

std::string JsonNumber(double value) {
  if (!std::isfinite(value)) return "null";
  return absl::StrFormat("%.10g", value);
}

std::string JsonObject(const std::map<std::string, double>& values) {
  std::vector<std::string> fields;
  for (const auto& [key, value] : values) {
    fields.push_back(absl::StrCat(JsonQuote(key), ": ", JsonNumber(value)));
  }
  return absl::StrCat("{", absl::StrJoin(fields, ", "), "}");
}

absl::Status ReadNumberMap(simdjson::dom::element element, const std::string& where,
                           std::map<std::string, double>& out) {
  simdjson::dom::object object;
  if (element.get(object)) return absl::InvalidArgumentError(where + ": expected an object");
  for (auto [key, value] : object) {
    double number = std::numeric_limits<double>::quiet_NaN();
    if (!value.is_null() && value.get(number)) {
      return absl::InvalidArgumentError(absl::StrCat(where, ".", std::string(key),
                                                     ": expected a number"));
    }
    out[std::string(key)] = number;
  }
  return absl::OkStatus();
}

}  // namespace

std::string RunFolder::CycleDirectory(int cycle) const {
  return absl::StrFormat("%s/cycle_%02d", root_, cycle);
}

bool RunFolder::Exists(const std::string& path) const { return fs::exists(path); }

std::string CycleMetricsToJson(const CycleMetrics& m) {
  return absl::StrCat("{\n  \"cycle\": ", m.cycle, ",\n  \"labelled\": ", m.labelled,
                      ",\n  \"primary_metric\": ", JsonQuote(m.primary_metric),
                      ",\n  \"primary\": ", JsonNumber(m.primary),
                      ",\n  \"metrics\": ", JsonObject(m.metrics),
                      ",\n  \"per_class_ap\": ", JsonObject(m.per_class_ap),
                      ",\n  \"timings_seconds\": ", JsonObject(m.timings_seconds), "\n}\n");
}

absl::StatusOr<CycleMetrics> CycleMetricsFromJson(const std::string& json,
                                                  const std::string& source) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(json).get(root)) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": not valid JSON: ", simdjson::error_message(error)));
  }
  CycleMetrics m;
  int64_t cycle = 0, labelled = 0;
  std::string_view primary_metric;
  double primary = 0;
  if (root["cycle"].get(cycle) || root["labelled"].get(labelled) ||
      root["primary_metric"].get(primary_metric) || root["primary"].get(primary)) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": needs integer 'cycle' and 'labelled', string 'primary_metric', number 'primary'"));
  }
  m.cycle = static_cast<int>(cycle);
  m.labelled = static_cast<int>(labelled);
  m.primary_metric = std::string(primary_metric);
  m.primary = primary;
  for (auto [field, target] : {std::pair{"metrics", &m.metrics},
                               std::pair{"per_class_ap", &m.per_class_ap},
                               std::pair{"timings_seconds", &m.timings_seconds}}) {
    simdjson::dom::element element;
    if (root[field].get(element)) continue;
    if (absl::Status s = ReadNumberMap(element, absl::StrCat(source, ": ", field), *target);
        !s.ok()) {
      return s;
    }
  }
  return m;
}

absl::Status RunFolder::WriteCycleMetrics(const CycleMetrics& metrics) const {
  return WriteFileAtomically(CyclePath(metrics.cycle, "metrics.json"),
                             CycleMetricsToJson(metrics));
}

absl::StatusOr<CycleMetrics> RunFolder::ReadCycleMetrics(int cycle) const {
  const std::string path = CyclePath(cycle, "metrics.json");
  absl::StatusOr<std::string> json = ReadFile(path);
  if (!json.ok()) return json.status();
  return CycleMetricsFromJson(*json, path);
}

absl::StatusOr<std::vector<CycleMetrics>> RunFolder::ReadAllCycleMetrics() const {
  std::vector<CycleMetrics> all;
  for (int cycle = 0; Exists(CycleDirectory(cycle)); ++cycle) {
    if (!Exists(CyclePath(cycle, "metrics.json"))) break;
    absl::StatusOr<CycleMetrics> metrics = ReadCycleMetrics(cycle);
    if (!metrics.ok()) return metrics.status();
    all.push_back(*std::move(metrics));
  }
  return all;
}

absl::Status RunFolder::WriteMetricsCsv() const {
  absl::StatusOr<std::vector<CycleMetrics>> all = ReadAllCycleMetrics();
  if (!all.ok()) return all.status();
  std::set<std::string> metric_names;
  for (const CycleMetrics& m : *all) {
    for (const auto& [name, value] : m.metrics) metric_names.insert(name);
  }
  std::string csv = absl::StrCat("cycle,labelled,primary_metric,primary",
                                 metric_names.empty() ? "" : ",",
                                 absl::StrJoin(metric_names, ","), "\n");
  for (const CycleMetrics& m : *all) {
    absl::StrAppend(&csv, m.cycle, ",", m.labelled, ",", m.primary_metric, ",",
                    JsonNumber(m.primary));
    for (const std::string& name : metric_names) {
      auto it = m.metrics.find(name);
      absl::StrAppend(&csv, ",", it == m.metrics.end() ? "" : JsonNumber(it->second));
    }
    csv += "\n";
  }
  return WriteFileAtomically(Path("metrics.csv"), csv);
}

}  // namespace huale
