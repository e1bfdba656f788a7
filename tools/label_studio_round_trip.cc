// Times huale's Label Studio annotator against a running server: pushing N
// tasks with pre-annotations (Annotator::Send), then pulling them back
// (Annotator::Collect) before anyone labelled them and after every task got
// an annotation (posted here, one request per task, as people's clients do).
//
//   LABEL_STUDIO_URL=http://127.0.0.1:8080 LABEL_STUDIO_API_KEY=... \
//     bazel run -c opt //tools:label_studio_round_trip -- --images=1000
//
// The images need not exist (Label Studio does not fetch them at import).
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "huale/core/http_client.h"
#include "huale/engine/annotator.h"
#include "nlohmann/json.hpp"

ABSL_FLAG(int, images, 1000, "Tasks to push and pull.");
ABSL_FLAG(int, boxes, 5, "Pre-annotations (and annotated boxes) per image.");
ABSL_FLAG(std::string, project, "", "Project title; empty = a new one named after the time.");

namespace huale {
namespace {

double Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int Main() {
  const int n = absl::GetFlag(FLAGS_images), boxes = absl::GetFlag(FLAGS_boxes);
  AnnotatorContext context;
  context.spec.set_name("round_trip");
  context.spec.mutable_dataset()->set_root("/data");
  context.spec.mutable_labelling()->set_label_studio_project(
      absl::GetFlag(FLAGS_project).empty()
          ? absl::StrCat("huale round trip ", std::chrono::system_clock::now().time_since_epoch().count())
          : absl::GetFlag(FLAGS_project));
  context.spec.mutable_labelling()->set_prediction_score_threshold(0);
  context.class_names = {"person", "car", "dog", "cat", "bottle"};
  absl::StatusOr<std::unique_ptr<Annotator>> annotator =
      AnnotatorRegistry::Get().Create("label_studio", context);
  if (!annotator.ok()) {
    std::cerr << "error: " << annotator.status() << "\n";
    return 2;
  }
  LabelBatch batch;
  batch.cycle = 1;
  for (int i = 0; i < n; ++i) {
    LabelTask task;
    task.image_id = absl::StrFormat("%06d", i);
    task.path = absl::StrCat("/data/JPEGImages/", task.image_id, ".jpg");
    task.width = 500;
    task.height = 375;
    for (int b = 0; b < boxes; ++b) {
      Detection detection;
      detection.box = Box{10.0 + 40 * b, 20, 60.0 + 40 * b, 120};
      detection.score = 0.9f;
      detection.label = b % 5;
      task.predictions.push_back(detection);
    }
    batch.images.push_back(task);
  }
  auto start = std::chrono::steady_clock::now();
  absl::StatusOr<std::string> record = (*annotator)->Send(batch, "");
  if (!record.ok()) {
    std::cerr << "error: " << record.status() << "\n";
    return 1;
  }
  const double push = Since(start);
  start = std::chrono::steady_clock::now();
  absl::StatusOr<ReturnedLabels> none = (*annotator)->Collect(batch, *record);
  if (!none.ok()) {
    std::cerr << "error: " << none.status() << "\n";
    return 1;
  }
  const double pull_empty = Since(start);

  // The people: one annotation per task.
  HttpClient client("Label Studio", std::getenv("LABEL_STUDIO_URL"),
                    {absl::StrCat("Authorization: Token ", std::getenv("LABEL_STUDIO_API_KEY"))},
                    RetryPolicy{});
  const nlohmann::json tasks = nlohmann::json::parse(*record)["tasks"];
  start = std::chrono::steady_clock::now();
  for (const auto& [id, task] : tasks.items()) {
    nlohmann::json result = nlohmann::json::array();
    for (int b = 0; b < boxes; ++b) {
      result.push_back({{"from_name", "label"}, {"to_name", "image"}, {"type", "rectanglelabels"},
                        {"original_width", 500}, {"original_height", 375},
                        {"value", {{"x", 2.0 + 8 * b}, {"y", 5}, {"width", 10}, {"height", 26},
                                   {"rotation", 0},
                                   {"rectanglelabels", {context.class_names[b % 5]}}}}});
    }
    absl::StatusOr<std::string> posted = client.RequestOk(
        "POST", absl::StrCat("/api/tasks/", task.get<int64_t>(), "/annotations"),
        nlohmann::json({{"result", result}, {"was_cancelled", false}}).dump());
    if (!posted.ok()) {
      std::cerr << "error: " << posted.status() << "\n";
      return 1;
    }
  }
  const double annotate = Since(start);
  start = std::chrono::steady_clock::now();
  absl::StatusOr<ReturnedLabels> all = (*annotator)->Collect(batch, *record);
  if (!all.ok()) {
    std::cerr << "error: " << all.status() << "\n";
    return 1;
  }
  const double pull = Since(start);
  int64_t returned_boxes = 0;
  for (const ReturnedImage& image : all->labelled) returned_boxes += image.boxes.size();
  std::cout << absl::StrFormat(
      "images %d, boxes/image %d\n"
      "push (Send: project, %d tasks with predictions, export to map ids): %.2f s\n"
      "pull before labelling (Collect: export, %d pending): %.2f s\n"
      "annotate (%d POST /api/tasks/ID/annotations, the people's part): %.2f s\n"
      "pull after labelling (Collect: export, %d labelled, %d boxes): %.2f s\n",
      n, boxes, n, push, none->pending, pull_empty, n, annotate, all->labelled.size(),
      returned_boxes, pull);
  return all->labelled.size() == static_cast<size_t>(n) ? 0 : 1;
}

}  // namespace
}  // namespace huale

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return huale::Main();
}
