#include "huale/engine/run_folder.h"

#include <filesystem>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "huale/core/atomic_file.h"
#include "huale/core/json_quote.h"
#include "huale/core/status_macros.h"
#include "simdjson.h"

namespace huale {
namespace {

namespace fs = std::filesystem;

constexpr char kMetricsFile[] = "metrics.json";
constexpr char kSelectedIdsFile[] = "selected_ids.txt";
constexpr char kSelectionCsvFile[] = "selection.csv";
constexpr char kSelectionJsonFile[] = "selection.json";

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

std::string SelectionToJson(const Selection& selection) {
  std::vector<std::string> images;
  for (const SelectedImage& image : selection.images) {
    std::vector<std::string> metrics;
    for (size_t i = 0; i < image.metrics.size() && i < selection.metric_names.size(); ++i) {
      metrics.push_back(absl::StrFormat("%s: %.10g", JsonQuote(selection.metric_names[i]),
                                        image.metrics[i]));
    }
    images.push_back(absl::StrFormat(
        "    {\"image_id\": %s, \"score\": %.10g, \"from_zero_set\": %s, \"stage_ranks\": [%s], "
        "\"metrics\": {%s}}",
        JsonQuote(image.image_id), image.score, image.from_zero_set ? "true" : "false",
        absl::StrJoin(image.stage_ranks, ", "), absl::StrJoin(metrics, ", ")));
  }
  std::vector<std::string> stage_names;
  for (const std::string& name : selection.stage_names) stage_names.push_back(JsonQuote(name));
  return absl::StrCat("{\n  \"stage_names\": [", absl::StrJoin(stage_names, ", "),
                      "],\n  \"stage_sizes\": [", absl::StrJoin(selection.stage_sizes, ", "),
                      "],\n  \"images\": [\n", absl::StrJoin(images, ",\n"), "\n  ]\n}\n");
}

std::string SelectionToCsv(const Selection& selection) {
  std::string csv = "image_id,score,from_zero_set";
  for (const std::string& stage : selection.stage_names) absl::StrAppend(&csv, ",rank_", stage);
  for (const std::string& metric : selection.metric_names) absl::StrAppend(&csv, ",", metric);
  csv += "\n";
  for (const SelectedImage& image : selection.images) {
    absl::StrAppendFormat(&csv, "%s,%.10g,%d", image.image_id, image.score, image.from_zero_set);
    for (int rank : image.stage_ranks) absl::StrAppend(&csv, ",", rank);
    for (double metric : image.metrics) absl::StrAppendFormat(&csv, ",%.10g", metric);
    csv += "\n";
  }
  return csv;
}

}  // namespace

absl::Status RunFolder::Start(const std::string& spec_text, bool resume,
                              const std::string& legacy_spec_text) const {
  const std::string spec_path = SpecPath();
  if (!fs::exists(spec_path)) return WriteFileAtomically(spec_path, spec_text);
  if (!resume) {
    return absl::AlreadyExistsError(absl::StrCat(
        root_, " already holds a run; pass --resume to continue it, or change the spec's name, "
               "seed or output_dir"));
  }
  HUALE_ASSIGN_OR_RETURN(const std::string previous, ReadFile(spec_path));
  if (previous != spec_text && (legacy_spec_text.empty() || previous != legacy_spec_text)) {
    return absl::FailedPreconditionError(absl::StrCat(
        spec_path, " differs from the spec given: a run can only be resumed with the spec it "
                   "was started with"));
  }
  return absl::OkStatus();
}

std::string RunFolder::CycleDirectory(int cycle) const {
  return absl::StrFormat("%s/cycle_%02d", root_, cycle);
}

bool RunFolder::HasModel(int cycle) const { return fs::exists(ModelPath(cycle)); }
std::optional<int> RunFolder::LastTrainedCycle() const {
  std::optional<int> last;
  for (int cycle = 0; fs::is_directory(CycleDirectory(cycle)); ++cycle) {
    if (HasModel(cycle)) last = cycle;
  }
  return last;
}

bool RunFolder::HasCycleMetrics(int cycle) const {
  return fs::exists(CycleFile(cycle, kMetricsFile));
}
bool RunFolder::HasSelection(int cycle) const {
  return fs::exists(CycleFile(cycle, kSelectionJsonFile));
}

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
  return WriteFileAtomically(CycleFile(metrics.cycle, kMetricsFile),
                             CycleMetricsToJson(metrics));
}

absl::StatusOr<CycleMetrics> RunFolder::ReadCycleMetrics(int cycle) const {
  const std::string path = CycleFile(cycle, kMetricsFile);
  HUALE_ASSIGN_OR_RETURN(const std::string json, ReadFile(path));
  return CycleMetricsFromJson(json, path);
}

absl::StatusOr<std::vector<CycleMetrics>> RunFolder::ReadAllCycleMetrics() const {
  std::vector<CycleMetrics> all;
  for (int cycle = 0; HasCycleMetrics(cycle); ++cycle) {
    HUALE_ASSIGN_OR_RETURN(CycleMetrics metrics, ReadCycleMetrics(cycle));
    all.push_back(std::move(metrics));
  }
  return all;
}

absl::Status RunFolder::WriteMetricsCsv() const {
  HUALE_ASSIGN_OR_RETURN(const std::vector<CycleMetrics> all, ReadAllCycleMetrics());
  std::set<std::string> metric_names;
  for (const CycleMetrics& m : all) {
    for (const auto& [name, value] : m.metrics) metric_names.insert(name);
  }
  std::string csv = absl::StrCat("cycle,labelled,primary_metric,primary",
                                 metric_names.empty() ? "" : ",",
                                 absl::StrJoin(metric_names, ","), "\n");
  for (const CycleMetrics& m : all) {
    absl::StrAppend(&csv, m.cycle, ",", m.labelled, ",", m.primary_metric, ",",
                    JsonNumber(m.primary));
    for (const std::string& name : metric_names) {
      auto it = m.metrics.find(name);
      absl::StrAppend(&csv, ",", it == m.metrics.end() ? "" : JsonNumber(it->second));
    }
    csv += "\n";
  }
  return WriteFileAtomically(MetricsCsvPath(), csv);
}

absl::Status RunFolder::WriteSelection(int cycle, const Selection& selection) const {
  std::string ids;
  for (const SelectedImage& image : selection.images) absl::StrAppend(&ids, image.image_id, "\n");
  HUALE_RETURN_IF_ERROR(WriteFileAtomically(CycleFile(cycle, kSelectedIdsFile), ids));
  HUALE_RETURN_IF_ERROR(
      WriteFileAtomically(CycleFile(cycle, kSelectionCsvFile), SelectionToCsv(selection)));
  // Written last: its presence marks the selection stage as done.
  return WriteFileAtomically(CycleFile(cycle, kSelectionJsonFile), SelectionToJson(selection));
}

absl::StatusOr<std::vector<std::string>> RunFolder::ReadSelectedIds(int cycle) const {
  HUALE_ASSIGN_OR_RETURN(const std::string text, ReadFile(CycleFile(cycle, kSelectedIdsFile)));
  return std::vector<std::string>(absl::StrSplit(text, '\n', absl::SkipEmpty()));
}

}  // namespace huale
