// schedule.annotator: LABEL_STUDIO. People label in a Label Studio server
// (https://labelstud.io, the open-source server from PyPI), reached over its
// REST API:
//   GET  /api/projects                   find the project by title
//   POST /api/projects                   make it (title, label config)
//   GET/POST /api/storages/localfiles     a local-files storage per image
//                                        folder (Label Studio serves only those)
//   POST /api/projects/{id}/import       the batch as tasks, with predictions
//   GET  /api/projects/{id}/export?exportType=JSON&download_all_tasks=true
//                                        every task with its annotations
// with the header "Authorization: Token <token>". The record kept in the run
// folder is {"project": id, "tasks": {"<image id>": task id}}; the URL and the
// token are never written.
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "huale/core/http_client.h"
#include "huale/core/status_macros.h"
#include "huale/engine/annotator.h"
#include "huale/engine/label_studio_json.h"
#include "nlohmann/json.hpp"

namespace huale {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

// Tasks per import request (Label Studio takes large ones, but a failed
// request should not be large).
constexpr size_t kImportChunk = 250;

absl::StatusOr<json> ParseJson(const std::string& text, const std::string& what) {
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return absl::DataLossError(absl::StrCat(what, ": not valid JSON: ",
                                            text.substr(0, 200)));
  }
  return parsed;
}

class LabelStudioAnnotator : public Annotator {
 public:
  LabelStudioAnnotator(const AnnotatorContext& context, std::string url, std::string token)
      : class_names_(context.class_names),
        title_(context.spec.labelling().label_studio_project().empty()
                   ? absl::StrCat("huale ", context.spec.name(), " seed", context.spec.seed())
                   : context.spec.labelling().label_studio_project()),
        document_root_(context.spec.labelling().label_studio_document_root().empty()
                           ? context.spec.dataset().root()
                           : context.spec.labelling().label_studio_document_root()),
        min_score_(context.spec.labelling().prediction_score_threshold()),
        client_("Label Studio", url, {absl::StrCat("Authorization: Token ", token)},
                RetryPolicy{context.spec.labelling().max_attempts(),
                            context.spec.labelling().retry_seconds(), 120}) {}

  absl::StatusOr<std::string> Send(const LabelBatch& batch,
                                   const std::string& previous_record) override {
    json record = json::object();
    if (!previous_record.empty()) {
      HUALE_ASSIGN_OR_RETURN(record, ParseJson(previous_record, "the labelling record"));
    }
    if (!record.contains("project")) {
      HUALE_ASSIGN_OR_RETURN(const int64_t project, FindOrMakeProject());
      record["project"] = project;
      record["tasks"] = json::object();
    }
    const int64_t project = record["project"].get<int64_t>();
    HUALE_RETURN_IF_ERROR(GrantImageFolders(project, batch));
    // Tasks an earlier, interrupted Send made are found by their data, not
    // imported twice.
    HUALE_ASSIGN_OR_RETURN(const std::vector<LabelStudioTaskState> tasks, Export(project));
    Adopt(batch, tasks, record);
    std::vector<const LabelTask*> missing;
    for (const LabelTask& image : batch.images) {
      if (!record["tasks"].contains(image.image_id)) missing.push_back(&image);
    }
    HUALE_RETURN_IF_ERROR(Import(project, batch.cycle, missing));
    if (!missing.empty()) {
      HUALE_ASSIGN_OR_RETURN(const std::vector<LabelStudioTaskState> now, Export(project));
      Adopt(batch, now, record);
      for (const LabelTask* image : missing) {
        if (!record["tasks"].contains(image->image_id)) {
          return absl::DataLossError(absl::StrCat(
              "Label Studio project ", project, " accepted the task of image '", image->image_id,
              "' but its export does not list it"));
        }
      }
    }
    return record.dump();
  }

  absl::StatusOr<ReturnedLabels> Collect(const LabelBatch& batch, std::string& record_text) override {
    HUALE_ASSIGN_OR_RETURN(json record, ParseJson(record_text, "the labelling record"));
    if (!record.contains("project") || !record.contains("tasks")) {
      return absl::DataLossError("the labelling record names no Label Studio project");
    }
    const int64_t project = record["project"].get<int64_t>();
    HUALE_ASSIGN_OR_RETURN(const std::vector<LabelStudioTaskState> tasks, Export(project));
    std::map<int64_t, const LabelStudioTaskState*> by_task;
    for (const LabelStudioTaskState& task : tasks) by_task[task.task_id] = &task;
    ReturnedLabels labels;
    labels.where_to_label = absl::StrCat(client_.base_url(), "/projects/", project, "/data");
    std::set<std::string> in_batch;
    std::vector<const LabelTask*> deleted;
    for (const LabelTask& image : batch.images) {
      in_batch.insert(image.image_id);
      const int64_t task_id = record["tasks"].value(image.image_id, int64_t{-1});
      auto found = by_task.find(task_id);
      if (found == by_task.end()) {
        labels.warnings.push_back(absl::StrCat("the Label Studio task ", task_id, " of image '",
                                               image.image_id, "' is gone from project ", project,
                                               " (deleted in the tool?); sending it again"));
        record["tasks"].erase(image.image_id);
        deleted.push_back(&image);
        ++labels.pending;
        continue;
      }
      const LabelStudioTaskState& task = *found->second;
      const std::string where =
          absl::StrCat("Label Studio task ", task.task_id, " (image '", image.image_id, "')");
      switch (task.state) {
        case LabelStudioTaskState::kPending:
          ++labels.pending;
          break;
        case LabelStudioTaskState::kSkipped:
          labels.skipped.push_back(
              {image.image_id, absl::StrCat("skipped in Label Studio (task ", task.task_id, ")")});
          break;
        case LabelStudioTaskState::kLabelled: {
          HUALE_ASSIGN_OR_RETURN(std::vector<ReturnedBox> boxes,
                                 LabelStudioBoxes(task.result, image.width, image.height, where));
          labels.labelled.push_back({image.image_id, std::move(boxes)});
          break;
        }
      }
    }
    for (const LabelStudioTaskState& task : tasks) {
      if (task.state != LabelStudioTaskState::kLabelled) continue;
      if (task.huale_id.empty()) {
        labels.warnings.push_back(absl::StrCat(
            "Label Studio task ", task.task_id, " (", task.image,
            ") was not sent by huale: its labels are not used"));
      } else if (task.cycle == batch.cycle && in_batch.count(task.huale_id) == 0) {
        labels.warnings.push_back(absl::StrCat(
            "Label Studio task ", task.task_id, " labels image '", task.huale_id,
            "', which cycle ", batch.cycle, " did not select: its labels are not used"));
      }
    }
    if (!deleted.empty()) {
      HUALE_RETURN_IF_ERROR(Import(project, batch.cycle, deleted));
      HUALE_ASSIGN_OR_RETURN(const std::vector<LabelStudioTaskState> now, Export(project));
      Adopt(batch, now, record);
      record_text = record.dump();
    }
    return labels;
  }

 private:
  absl::StatusOr<int64_t> FindOrMakeProject() {
    HUALE_ASSIGN_OR_RETURN(const std::string listing,
                           client_.RequestOk("GET", "/api/projects?page_size=10000"));
    HUALE_ASSIGN_OR_RETURN(const json projects, ParseJson(listing, "Label Studio's project list"));
    const json& list = projects.is_object() && projects.contains("results") ? projects["results"]
                                                                            : projects;
    if (list.is_array()) {
      for (const json& project : list) {
        if (!project.is_object() || project.value("title", "") != title_) continue;
        const std::vector<std::string> classes =
            LabelStudioConfigClasses(project.value("label_config", ""));
        if (classes != class_names_) {
          return absl::FailedPreconditionError(absl::StrCat(
              "Label Studio project '", title_, "' (", project.value("id", int64_t{-1}),
              ") labels other classes (", absl::StrJoin(classes, ", "), ") than the dataset's (",
              absl::StrJoin(class_names_, ", "),
              "); name another project with labelling.label_studio_project"));
        }
        return project.value("id", int64_t{-1});
      }
    }
    const json body = {{"title", title_},
                       {"description",
                        "Images chosen by huale's active learning; the boxes shown first are "
                        "the current model's detections: correct them."},
                       {"label_config", LabelStudioConfig(class_names_)}};
    HUALE_ASSIGN_OR_RETURN(const std::string made,
                           client_.RequestOk("POST", "/api/projects", body.dump()));
    HUALE_ASSIGN_OR_RETURN(const json project, ParseJson(made, "Label Studio's new project"));
    if (!project.is_object() || !project.contains("id")) {
      return absl::DataLossError(absl::StrCat("Label Studio made project '", title_,
                                              "' but gave no id: ", made.substr(0, 200)));
    }
    return project["id"].get<int64_t>();
  }

  // Label Studio serves a local file only to a project with a local-files
  // storage whose path holds it: one per folder of the batch's images, made
  // when missing (nothing is synced; the tasks name their images).
  absl::Status GrantImageFolders(int64_t project, const LabelBatch& batch) {
    std::set<std::string> folders;
    for (const LabelTask& image : batch.images) {
      folders.insert(fs::weakly_canonical(fs::absolute(image.path)).parent_path().string());
    }
    HUALE_ASSIGN_OR_RETURN(
        const std::string listing,
        client_.RequestOk("GET", absl::StrCat("/api/storages/localfiles?project=", project)));
    HUALE_ASSIGN_OR_RETURN(const json storages, ParseJson(listing, "Label Studio's storages"));
    std::set<std::string> granted;
    if (storages.is_array()) {
      for (const json& storage : storages) {
        if (storage.is_object() && storage.contains("path") && storage["path"].is_string()) {
          granted.insert(storage["path"].get<std::string>());
        }
      }
    }
    for (const std::string& folder : folders) {
      if (granted.count(folder) > 0) continue;
      const json body = {{"project", project},
                         {"path", folder},
                         {"title", absl::StrCat("huale images ", folder)},
                         {"use_blob_urls", true}};
      HUALE_RETURN_IF_ERROR(
          client_.RequestOk("POST", "/api/storages/localfiles", body.dump()).status());
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<LabelStudioTaskState>> Export(int64_t project) {
    HUALE_ASSIGN_OR_RETURN(
        const std::string text,
        client_.RequestOk("GET", absl::StrCat("/api/projects/", project,
                                              "/export?exportType=JSON&download_all_tasks=true")));
    HUALE_ASSIGN_OR_RETURN(const json tasks,
                           ParseJson(text, absl::StrCat("Label Studio project ", project, "'s export")));
    if (!tasks.is_array()) {
      return absl::DataLossError(absl::StrCat("Label Studio project ", project,
                                              "'s export: expected an array of tasks"));
    }
    std::vector<LabelStudioTaskState> states;
    for (const json& task : tasks) {
      absl::StatusOr<LabelStudioTaskState> state = ReadLabelStudioTask(task);
      if (!state.ok()) {
        return absl::DataLossError(absl::StrCat("Label Studio project ", project, ": ",
                                                state.status().message()));
      }
      states.push_back(std::move(*state));
    }
    return states;
  }

  // Records the tasks of `batch` that the project holds and the record lacks.
  static void Adopt(const LabelBatch& batch, const std::vector<LabelStudioTaskState>& tasks,
                    json& record) {
    std::map<std::string, int64_t> of_cycle;
    for (const LabelStudioTaskState& task : tasks) {
      if (task.cycle == batch.cycle && !task.huale_id.empty()) {
        of_cycle.emplace(task.huale_id, task.task_id);  // the first, if sent twice
      }
    }
    for (const LabelTask& image : batch.images) {
      auto it = of_cycle.find(image.image_id);
      if (!record["tasks"].contains(image.image_id) && it != of_cycle.end()) {
        record["tasks"][image.image_id] = it->second;
      }
    }
  }

  absl::StatusOr<std::string> ImageUrl(const LabelTask& image) const {
    const fs::path root = fs::weakly_canonical(fs::absolute(document_root_));
    const fs::path path = fs::weakly_canonical(fs::absolute(image.path));
    const fs::path relative = path.lexically_relative(root);
    if (relative.empty() || *relative.begin() == "..") {
      return absl::FailedPreconditionError(absl::StrCat(
          "image '", image.image_id, "' (", image.path, ") is outside the folder Label Studio "
          "serves (labelling.label_studio_document_root: ", root.string(), ")"));
    }
    return absl::StrCat("/data/local-files/?d=", UrlEncode(relative.string()));
  }

  absl::Status Import(int64_t project, int cycle, const std::vector<const LabelTask*>& images) {
    for (size_t start = 0; start < images.size(); start += kImportChunk) {
      json tasks = json::array();
      for (size_t i = start; i < std::min(images.size(), start + kImportChunk); ++i) {
        HUALE_ASSIGN_OR_RETURN(const std::string url, ImageUrl(*images[i]));
        tasks.push_back(LabelStudioTask(*images[i], url, cycle, class_names_, min_score_));
      }
      HUALE_RETURN_IF_ERROR(
          client_.RequestOk("POST", absl::StrCat("/api/projects/", project, "/import"),
                            tasks.dump())
              .status());
    }
    return absl::OkStatus();
  }

  const std::vector<std::string> class_names_;
  const std::string title_;
  const std::string document_root_;
  const double min_score_;
  HttpClient client_;
};

absl::StatusOr<std::unique_ptr<Annotator>> MakeLabelStudioAnnotator(const AnnotatorContext& context) {
  const char* url = std::getenv("LABEL_STUDIO_URL");
  const char* token = std::getenv("LABEL_STUDIO_API_KEY");
  if (url == nullptr || *url == '\0') {
    return absl::InvalidArgumentError(
        "Label Studio's URL is not set: pass --label_studio_url=http://HOST:PORT or set "
        "LABEL_STUDIO_URL");
  }
  if (token == nullptr || *token == '\0') {
    return absl::InvalidArgumentError(
        "Label Studio's token is not set: pass --label_studio_token or set LABEL_STUDIO_API_KEY "
        "(Label Studio: Account & Settings, Access Token)");
  }
  if (!absl::StartsWith(url, "http://") && !absl::StartsWith(url, "https://")) {
    return absl::InvalidArgumentError(
        absl::StrCat("Label Studio's URL '", url, "' must start with http:// or https://"));
  }
  return std::make_unique<LabelStudioAnnotator>(context, url, token);
}

}  // namespace

HUALE_REGISTER(AnnotatorRegistry, "label_studio",
               "people in a Label Studio server: tasks with the model's boxes as pre-annotations "
               "(schedule.annotator: LABEL_STUDIO)",
               MakeLabelStudioAnnotator);

}  // namespace huale
