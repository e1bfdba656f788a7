#include "huale/engine/run_folder.h"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "huale/core/atomic_file.h"
#include "huale/core/csv.h"
#include "huale/core/json_syntax.h"
#include "huale/core/status_macros.h"
#include "huale/engine/experiment_spec.pb.h"
#include "nlohmann/json.hpp"
#include "simdjson.h"

namespace huale {
namespace {

namespace fs = std::filesystem;

constexpr char kMetricsFile[] = "metrics.json";
constexpr char kSelectedIdsFile[] = "selected_ids.txt";
constexpr char kSelectionCsvFile[] = "selection.csv";
constexpr char kSelectionJsonFile[] = "selection.json";
constexpr char kSkippedImagesFile[] = "skipped_images.txt";

// CSV numbers: 10 significant digits, empty when not finite.
std::string CsvNumber(double value) {
  return std::isfinite(value) ? absl::StrFormat("%.10g", value) : std::string();
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

// "SOURCE: not valid JSON at line L, column C (byte B): ... (simdjson's word)".
absl::Status NotValidJson(absl::string_view source, absl::string_view json,
                          simdjson::error_code error) {
  const std::string where = JsonSyntaxError(json);
  return absl::InvalidArgumentError(absl::StrCat(source, ": not valid JSON",
                                                 where.empty() ? "" : absl::StrCat(" at ", where),
                                                 " (", simdjson::error_message(error), ")"));
}

std::string SelectionToJson(const Selection& selection) {
  nlohmann::ordered_json images = nlohmann::ordered_json::array();
  for (const SelectedImage& image : selection.images) {
    nlohmann::ordered_json metrics = nlohmann::ordered_json::object();
    for (size_t i = 0; i < image.metrics.size() && i < selection.metric_names.size(); ++i) {
      metrics[selection.metric_names[i]] = image.metrics[i];
    }
    images.push_back({{"image_id", image.image_id},
                      {"score", image.score},
                      {"from_zero_set", image.from_zero_set},
                      {"stage_ranks", image.stage_ranks},
                      {"metrics", std::move(metrics)}});
  }
  const nlohmann::ordered_json json = {{"metric_names", selection.metric_names},
                                       {"stage_names", selection.stage_names},
                                       {"stage_sizes", selection.stage_sizes},
                                       {"images", std::move(images)}};
  return json.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

// What SelectionToJson wrote. Files written before 'metric_names' was take
// them from the first image; `names_known` is false when there was none.
absl::StatusOr<Selection> SelectionFromJson(const std::string& json, const std::string& source,
                                            bool& names_known) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(json).get(root)) return NotValidJson(source, json, error);
  Selection selection;
  simdjson::dom::array stage_names, stage_sizes, images;
  if (root["stage_names"].get(stage_names) || root["stage_sizes"].get(stage_sizes) ||
      root["images"].get(images)) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": needs arrays 'stage_names', 'stage_sizes' and 'images'"));
  }
  simdjson::dom::array metric_names;
  names_known = !root["metric_names"].get(metric_names);
  if (names_known) {
    for (simdjson::dom::element name : metric_names) {
      std::string_view text;
      if (name.get(text)) return absl::InvalidArgumentError(source + ": a metric name is not a string");
      selection.metric_names.emplace_back(text);
    }
  }
  for (simdjson::dom::element name : stage_names) {
    std::string_view text;
    if (name.get(text)) return absl::InvalidArgumentError(source + ": a stage name is not a string");
    selection.stage_names.emplace_back(text);
  }
  for (simdjson::dom::element size : stage_sizes) {
    int64_t value = 0;
    if (size.get(value)) return absl::InvalidArgumentError(source + ": a stage size is not an integer");
    selection.stage_sizes.push_back(static_cast<int>(value));
  }
  for (simdjson::dom::element element : images) {
    const std::string where = absl::StrCat(source, ": image ", selection.images.size() + 1);
    SelectedImage image;
    std::string_view id;
    simdjson::dom::element score;
    simdjson::dom::array ranks;
    simdjson::dom::object metrics;
    if (element["image_id"].get(id) || element["score"].get(score) ||
        element["from_zero_set"].get(image.from_zero_set) ||
        element["stage_ranks"].get(ranks) || element["metrics"].get(metrics)) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": needs 'image_id', 'score', 'from_zero_set', 'stage_ranks' and 'metrics'"));
    }
    image.image_id = std::string(id);
    // JSON null: a score that was not finite.
    image.score = std::numeric_limits<double>::quiet_NaN();
    if (!score.is_null() && score.get(image.score)) {
      return absl::InvalidArgumentError(where + ": 'score' is not a number");
    }
    for (simdjson::dom::element rank : ranks) {
      int64_t value = 0;
      if (rank.get(value)) return absl::InvalidArgumentError(where + ": a stage rank is not an integer");
      image.stage_ranks.push_back(static_cast<int>(value));
    }
    std::vector<std::string> names;
    for (auto [key, value] : metrics) {
      double number = std::numeric_limits<double>::quiet_NaN();
      if (!value.is_null() && value.get(number)) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": metric '", std::string(key), "' is not a number"));
      }
      names.emplace_back(key);
      image.metrics.push_back(number);
    }
    if (!names_known && selection.images.empty()) selection.metric_names = names;
    if (names != selection.metric_names) {
      return absl::InvalidArgumentError(where + ": its metrics are not the selection's");
    }
    selection.images.push_back(std::move(image));
  }
  return selection;
}

// The recorded and the given spec's schedule.cycles when the two specs differ
// in nothing else; nullopt when they do, or when either is not a spec.
std::optional<std::pair<int, int>> CyclesIfOnlyTheyDiffer(const std::string& recorded_text,
                                                          const std::string& given_text) {
  ExperimentSpec recorded, given;
  if (!google::protobuf::TextFormat::ParseFromString(recorded_text, &recorded) ||
      !google::protobuf::TextFormat::ParseFromString(given_text, &given)) {
    return std::nullopt;
  }
  const std::pair<int, int> cycles = {recorded.schedule().cycles(), given.schedule().cycles()};
  recorded.mutable_schedule()->clear_cycles();
  given.mutable_schedule()->clear_cycles();
  if (!google::protobuf::util::MessageDifferencer::Equals(recorded, given)) return std::nullopt;
  return cycles;
}

std::string SelectionToCsv(const Selection& selection) {
  CsvWriter csv;
  std::vector<std::string> header = {"image_id", "score", "from_zero_set"};
  for (const std::string& stage : selection.stage_names) header.push_back("rank_" + stage);
  header.insert(header.end(), selection.metric_names.begin(), selection.metric_names.end());
  csv.AddRow(header);
  for (const SelectedImage& image : selection.images) {
    std::vector<std::string> row = {image.image_id, CsvNumber(image.score),
                                    image.from_zero_set ? "1" : "0"};
    for (int rank : image.stage_ranks) row.push_back(absl::StrCat(rank));
    for (double metric : image.metrics) row.push_back(CsvNumber(metric));
    csv.AddRow(row);
  }
  return csv.text();
}

}  // namespace

absl::StatusOr<FileLock> RunFolder::Lock() const {
  absl::StatusOr<FileLock> lock = FileLock::Acquire(File("run.lock"), root_);
  if (absl::IsUnavailable(lock.status())) {
    // Nothing was started: the caller exits as for a folder that holds a run.
    return absl::AlreadyExistsError(lock.status().message());
  }
  return lock;
}

absl::Status RunFolder::Start(const std::string& spec_text, bool resume,
                              const std::string& legacy_spec_text, bool extend) const {
  const std::string spec_path = SpecPath();
  if (!fs::exists(spec_path)) return WriteFileAtomically(spec_path, spec_text);
  if (!resume) {
    return absl::AlreadyExistsError(absl::StrCat(
        root_, " already holds a run; pass --resume to continue it, or change the spec's name, "
               "seed or output_dir"));
  }
  HUALE_ASSIGN_OR_RETURN(const std::string previous, ReadFile(spec_path));
  if (previous == spec_text || (!legacy_spec_text.empty() && previous == legacy_spec_text)) {
    return absl::OkStatus();
  }
  std::optional<std::pair<int, int>> cycles = CyclesIfOnlyTheyDiffer(previous, spec_text);
  if (!cycles && !legacy_spec_text.empty()) {
    cycles = CyclesIfOnlyTheyDiffer(previous, legacy_spec_text);
  }
  if (!cycles || cycles->first == cycles->second) {
    return absl::FailedPreconditionError(absl::StrCat(
        spec_path, " differs from the spec given: a run can only be resumed with the spec it "
                   "was started with (or, with --extend, one with more schedule.cycles)"));
  }
  const auto [recorded, given] = *cycles;
  if (given < recorded) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "%s records %d cycles and the spec given %d: a run's cycles cannot be taken back (give "
        "the spec another name or output_dir for a shorter run)",
        spec_path, recorded, given));
  }
  if (!extend) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "%s differs from the spec given only in schedule.cycles (%d recorded, %d given): pass "
        "--extend to add cycles to this run",
        spec_path, recorded, given));
  }
  return WriteFileAtomically(spec_path, spec_text);
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
  nlohmann::ordered_json json = {{"cycle", m.cycle}, {"labelled", m.labelled}};
  if (m.labelled_boxes >= 0) json["labelled_boxes"] = m.labelled_boxes;
  json["primary_metric"] = m.primary_metric;
  json["primary"] = m.primary;
  json["metrics"] = m.metrics;
  json["per_class_ap"] = m.per_class_ap;
  json["timings_seconds"] = m.timings_seconds;
  return json.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

absl::StatusOr<CycleMetrics> CycleMetricsFromJson(const std::string& json,
                                                  const std::string& source) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(json).get(root)) return NotValidJson(source, json, error);
  CycleMetrics m;
  int64_t cycle = 0, labelled = 0;
  std::string_view primary_metric;
  double primary = std::numeric_limits<double>::quiet_NaN();  // JSON null: not finite
  simdjson::dom::element primary_element;
  if (root["cycle"].get(cycle) || root["labelled"].get(labelled) ||
      root["primary_metric"].get(primary_metric) || root["primary"].get(primary_element) ||
      (!primary_element.is_null() && primary_element.get(primary))) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": needs integer 'cycle' and 'labelled', string 'primary_metric', number 'primary'"));
  }
  m.cycle = static_cast<int>(cycle);
  m.labelled = static_cast<int>(labelled);
  if (int64_t boxes = 0; !root["labelled_boxes"].get(boxes)) {
    m.labelled_boxes = static_cast<int>(boxes);
  }
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
  CsvWriter csv;
  std::vector<std::string> header = {"cycle", "labelled", "labelled_boxes", "primary_metric",
                                     "primary"};
  header.insert(header.end(), metric_names.begin(), metric_names.end());
  csv.AddRow(header);
  for (const CycleMetrics& m : all) {
    std::vector<std::string> row = {
        absl::StrCat(m.cycle), absl::StrCat(m.labelled),
        m.labelled_boxes >= 0 ? absl::StrCat(m.labelled_boxes) : "", m.primary_metric,
        CsvNumber(m.primary)};
    for (const std::string& name : metric_names) {
      auto it = m.metrics.find(name);
      row.push_back(it == m.metrics.end() ? "" : CsvNumber(it->second));
    }
    csv.AddRow(row);
  }
  return WriteFileAtomically(MetricsCsvPath(), csv.text());
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

absl::Status RunFolder::WriteSkippedImages(const std::vector<std::string>& messages) const {
  std::string text;
  for (const std::string& message : messages) {
    // One a line: a line break inside a message (a path can hold one) is escaped.
    absl::StrAppend(&text, absl::StrReplaceAll(message, {{"\\", "\\\\"}, {"\n", "\\n"}}), "\n");
  }
  return WriteFileAtomically(File(kSkippedImagesFile), text);
}

absl::Status RunFolder::WriteLabelling(int cycle, const LabellingRecord& record) const {
  nlohmann::ordered_json json = {{"cycle", cycle},
                                 {"annotator", record.annotator},
                                 {"images", record.image_ids}};
  nlohmann::json annotator = nlohmann::json::parse(record.record, nullptr, false);
  json["record"] = annotator.is_discarded() ? nlohmann::json(record.record) : annotator;
  return WriteFileAtomically(LabellingPath(cycle), json.dump(1) + "\n");
}

absl::StatusOr<std::optional<LabellingRecord>> RunFolder::ReadLabelling(int cycle) const {
  const std::string path = LabellingPath(cycle);
  if (!fs::exists(path)) return std::optional<LabellingRecord>();
  HUALE_ASSIGN_OR_RETURN(const std::string text, ReadFile(path));
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  LabellingRecord record;
  bool ok = json.is_object() && json.contains("annotator") && json["annotator"].is_string() &&
            json.contains("images") && json["images"].is_array() && json.contains("record");
  if (ok) {
    record.annotator = json["annotator"].get<std::string>();
    for (const auto& id : json["images"]) {
      if (!id.is_string()) {
        ok = false;
        break;
      }
      record.image_ids.push_back(id.get<std::string>());
    }
    record.record = json["record"].is_string() ? json["record"].get<std::string>()
                                               : json["record"].dump();
  }
  if (!ok) {
    return absl::DataLossError(
        absl::StrCat(path, ": not a labelling record ({\"annotator\", \"images\", \"record\"})"));
  }
  return std::optional<LabellingRecord>(std::move(record));
}

std::string CycleLabelsToJson(const CycleLabels& labels) {
  nlohmann::ordered_json images = nlohmann::ordered_json::array();
  for (const ReturnedImage& image : labels.images) {
    nlohmann::ordered_json objects = nlohmann::ordered_json::array();
    for (const ReturnedBox& box : image.boxes) {
      objects.push_back({{"class", box.class_name},
                         {"box", {box.box.x1, box.box.y1, box.box.x2, box.box.y2}}});
    }
    images.push_back({{"id", image.image_id}, {"objects", objects}});
  }
  nlohmann::ordered_json skipped = nlohmann::ordered_json::array();
  for (const auto& [id, reason] : labels.skipped) {
    skipped.push_back({{"id", id}, {"reason", reason}});
  }
  // One image a line: a person reads it, a diff shows what changed.
  auto lines = [](const nlohmann::ordered_json& list) {
    std::vector<std::string> out;
    for (const auto& item : list) out.push_back(item.dump());
    return out.empty() ? std::string("[]")
                       : absl::StrCat("[\n  ", absl::StrJoin(out, ",\n  "), "\n ]");
  };
  return absl::StrCat("{\n \"cycle\": ", labels.cycle,
                      ",\n \"annotator\": ", nlohmann::json(labels.annotator).dump(),
                      ",\n \"images\": ", lines(images), ",\n \"skipped\": ", lines(skipped),
                      "\n}\n");
}

absl::StatusOr<CycleLabels> CycleLabelsFromJson(const std::string& text, const std::string& source) {
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  auto bad = [&](absl::string_view what) {
    return absl::DataLossError(absl::StrCat(source, ": ", what));
  };
  if (json.is_discarded()) return bad("not valid JSON");
  if (!json.is_object() || !json.contains("cycle") || !json["cycle"].is_number_integer() ||
      !json.contains("images") || !json["images"].is_array() || !json.contains("skipped") ||
      !json["skipped"].is_array()) {
    return bad("expected {\"cycle\", \"annotator\", \"images\", \"skipped\"}");
  }
  CycleLabels labels;
  labels.cycle = json["cycle"].get<int>();
  labels.annotator = json.value("annotator", "");
  for (size_t i = 0; i < json["images"].size(); ++i) {
    const nlohmann::json& image = json["images"][i];
    if (!image.is_object() || !image.contains("id") || !image["id"].is_string() ||
        !image.contains("objects") || !image["objects"].is_array()) {
      return bad(absl::StrCat("images[", i, "]: expected {\"id\", \"objects\"}"));
    }
    ReturnedImage out;
    out.image_id = image["id"].get<std::string>();
    for (size_t j = 0; j < image["objects"].size(); ++j) {
      const nlohmann::json& object = image["objects"][j];
      const bool good = object.is_object() && object.contains("class") &&
                        object["class"].is_string() && object.contains("box") &&
                        object["box"].is_array() && object["box"].size() == 4 &&
                        std::all_of(object["box"].begin(), object["box"].end(),
                                    [](const nlohmann::json& v) { return v.is_number(); });
      if (!good) {
        return bad(absl::StrCat("images[", i, "].objects[", j,
                                "]: expected {\"class\", \"box\": [x1, y1, x2, y2]}"));
      }
      const auto& b = object["box"];
      out.boxes.push_back({Box{b[0].get<float>(), b[1].get<float>(), b[2].get<float>(),
                               b[3].get<float>()},
                           object["class"].get<std::string>(), ""});
    }
    labels.images.push_back(std::move(out));
  }
  for (size_t i = 0; i < json["skipped"].size(); ++i) {
    const nlohmann::json& entry = json["skipped"][i];
    if (!entry.is_object() || !entry.contains("id") || !entry["id"].is_string()) {
      return bad(absl::StrCat("skipped[", i, "]: expected {\"id\", \"reason\"}"));
    }
    labels.skipped.push_back({entry["id"].get<std::string>(), entry.value("reason", "")});
  }
  return labels;
}

absl::Status RunFolder::WriteLabels(const CycleLabels& labels) const {
  return WriteFileAtomically(LabelsPath(labels.cycle), CycleLabelsToJson(labels));
}

bool RunFolder::HasLabels(int cycle) const { return fs::exists(LabelsPath(cycle)); }

absl::StatusOr<std::string> RunFolder::ReadLabelsText(int cycle) const {
  return ReadFile(LabelsPath(cycle));
}

absl::StatusOr<std::vector<std::string>> RunFolder::ReadSkippedImages() const {
  const std::string path = File(kSkippedImagesFile);
  if (!fs::exists(path)) return std::vector<std::string>();
  HUALE_ASSIGN_OR_RETURN(const std::string text, ReadFile(path));
  std::vector<std::string> messages;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::string message;
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '\\' && i + 1 < line.size()) {
        message += line[i + 1] == 'n' ? '\n' : line[i + 1];
        ++i;
      } else {
        message += line[i];
      }
    }
    messages.push_back(std::move(message));
  }
  return messages;
}

absl::Status RunFolder::VerifyCycleMetrics(int cycle) const {
  const std::string path = CycleFile(cycle, kMetricsFile);
  HUALE_ASSIGN_OR_RETURN(const std::string json, ReadFile(path));
  absl::StatusOr<CycleMetrics> metrics = CycleMetricsFromJson(json, path);
  if (!metrics.ok()) return absl::DataLossError(metrics.status().message());
  if (metrics->cycle != cycle) {
    return absl::DataLossError(
        absl::StrCat(path, ": holds cycle ", metrics->cycle, ", not cycle ", cycle));
  }
  return absl::OkStatus();
}

absl::Status RunFolder::VerifySelection(int cycle) const {
  const std::string json_path = CycleFile(cycle, kSelectionJsonFile);
  HUALE_ASSIGN_OR_RETURN(const std::string json, ReadFile(json_path));
  bool names_known = false;
  absl::StatusOr<Selection> selection = SelectionFromJson(json, json_path, names_known);
  if (!selection.ok()) return absl::DataLossError(selection.status().message());
  // The other two files are what selection.json says, byte for byte (the
  // CSV's header unknown only for an empty selection of an older run).
  std::string ids;
  for (const SelectedImage& image : selection->images) absl::StrAppend(&ids, image.image_id, "\n");
  std::vector<std::pair<const char*, std::string>> derived = {{kSelectedIdsFile, ids}};
  if (names_known || !selection->images.empty()) {
    derived.emplace_back(kSelectionCsvFile, SelectionToCsv(*selection));
  }
  for (const auto& [name, expected] : derived) {
    const std::string path = CycleFile(cycle, name);
    HUALE_ASSIGN_OR_RETURN(const std::string found, ReadFile(path));
    if (found == expected) continue;
    const std::vector<absl::string_view> found_lines = absl::StrSplit(found, '\n');
    const std::vector<absl::string_view> expected_lines = absl::StrSplit(expected, '\n');
    size_t line = 0;
    while (line < found_lines.size() && line < expected_lines.size() &&
           found_lines[line] == expected_lines[line]) {
      ++line;
    }
    return absl::DataLossError(absl::StrCat(
        path, ":", line + 1, ": does not match ", json_path, " (",
        line < found_lines.size() ? absl::StrCat("'", found_lines[line], "'") : "end of file",
        " where it says ",
        line < expected_lines.size() ? absl::StrCat("'", expected_lines[line], "'") : "nothing",
        ")"));
  }
  return absl::OkStatus();
}

std::vector<std::string> RunFolder::CycleMetricsFiles(int cycle) const {
  return {CycleFile(cycle, kMetricsFile)};
}

std::vector<std::string> RunFolder::SelectionFiles(int cycle) const {
  // The marker first: a kill between two moves leaves the stage to be redone.
  return {CycleFile(cycle, kSelectionJsonFile), CycleFile(cycle, kSelectedIdsFile),
          CycleFile(cycle, kSelectionCsvFile)};
}

absl::StatusOr<std::vector<std::string>> RunFolder::SetAside(
    const std::vector<std::string>& files) const {
  std::vector<std::string> moved;
  for (const std::string& file : files) {
    if (!fs::exists(file)) continue;
    std::string aside = file + ".corrupt";
    for (int n = 2; fs::exists(aside); ++n) aside = absl::StrCat(file, ".corrupt.", n);
    std::error_code error;
    fs::rename(file, aside, error);
    if (error) {
      return absl::ErrnoToStatus(error.value(),
                                 absl::StrCat("cannot move ", file, " aside to ", aside));
    }
    moved.push_back(aside);
  }
  return moved;
}

}  // namespace huale
