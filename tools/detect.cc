// Runs a detector on images and writes COCO results JSON
// ([{"image_id", "category_id", "bbox": [x, y, w, h], "score"}], original pixels),
// optionally the images with the boxes drawn. The detector is either
//
//   weights exported from torchvision (tools/export_torchvision.py):
//     bazel run -c opt //tools:detect -- --weights=r50_coco.pt --images=photos/ --out=r.json
//   or a model trained by huale's active-learning driver, from its run folder:
//     bazel run -c opt //tools:detect -- --run=runs/fmnist_huale/seed0 --out=r.json
//   (add --draw_dir=drawn/ for images with the boxes drawn)
//
// --images: a folder (its .jpg/.jpeg/.png/.bmp files, sorted) or a text file with
// one image path per line. image_id: the file's stem when it is a number (COCO's
// 000000397133.jpg -> 397133), otherwise the 1-based position in the list.
//
// Weights mode: --model, --num_classes, --min_size/--max_size (the model's own
// resize), --score_thresh; category_id = label + --category_offset (1:
// torchvision's COCO models, whose labels are COCO category ids).
//
// Run mode (--run=<output_dir>/<name>/seed<seed>): the model is built from the
// run's spec.pbtxt (registered model name and options, the class count of the
// dataset's test split read through its registered reader) and loaded from
// cycle_NN/model.pt (--cycle; default the last cycle that has one). Images go
// through the run's evaluation pipeline: the data loader's resize to
// training.min_size/max_size, batches of training.batch_size. Without --images
// the run's test split is detected in its order, image_id = the dataset's id,
// so the results reproduce the cycle's evaluation (cycle_NN/metrics.json).
// category_id = the dataset's category id of the label (COCO), or label + 1
// (VOC: index in the class list), so the JSON is evaluable against the dataset.
// --model, --num_classes, --min_size, --max_size, --score_thresh and
// --category_offset are not used there: the run fixes them.
//
// Exit status 2 on bad input, with a message naming the path or field.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "experiments/process_setup.h"
#include "huale/engine/experiment_spec.pb.h"
#include "experiments/spec_loader.h"
#include "huale/core/atomic_file.h"
#include "huale/data/dataset.h"
#include "huale/data/dataset_format.h"
#include "huale/data/transforms.h"
#include "huale/engine/checkpoint.h"
#include "huale/engine/inference.h"
#include "huale/engine/run_folder.h"
#include "huale/models/detector.h"

ABSL_FLAG(std::string, run, "",
          "run folder of huale's driver (<output_dir>/<name>/seed<seed>); replaces --weights");
ABSL_FLAG(int, cycle, -1, "--run: the cycle whose model.pt is used; -1 = the last one with a model");
ABSL_FLAG(std::string, model, "fasterrcnn_resnet50_fpn", "registered model name");
ABSL_FLAG(std::string, weights, "", "weights file from tools/export_torchvision.py");
ABSL_FLAG(int, num_classes, 90, "object classes without background (torchvision COCO: 90)");
ABSL_FLAG(std::string, images, "",
          "image folder or a text file of image paths (required with --weights; "
          "with --run, default the run's test split)");
ABSL_FLAG(std::string, out, "", "COCO results JSON to write (required)");
ABSL_FLAG(std::string, draw_dir, "", "if set, writes each image with its boxes here");
ABSL_FLAG(int, min_size, 800, "resize: short side (0 = take images as they are)");
ABSL_FLAG(int, max_size, 1333, "resize: long side limit");
ABSL_FLAG(double, score_thresh, 0.05, "detections below this score are dropped");
ABSL_FLAG(double, draw_thresh, 0.5, "boxes drawn from this score");
ABSL_FLAG(int, category_offset, 1, "category_id = label + offset");
ABSL_FLAG(std::string, device, "", "--run: cpu, cuda or cuda:N; empty = the run's device");
ABSL_FLAG(int, threads, 0,
          "intra-op threads; 0 = --run: the run's choice (spec, $HUALE_THREADS, cores), "
          "--weights: LibTorch's default");

namespace huale {
namespace {

namespace fs = std::filesystem;


absl::StatusOr<std::vector<std::string>> ListImages(const std::string& where) {
  std::vector<std::string> paths;
  std::error_code ec;
  if (fs::is_directory(where, ec)) {
    for (const auto& entry : fs::directory_iterator(where, ec)) {
      const std::string ext = absl::AsciiStrToLower(entry.path().extension().string());
      if (ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp") {
        paths.push_back(entry.path().string());
      }
    }
    std::sort(paths.begin(), paths.end());
    if (paths.empty()) return absl::NotFoundError(absl::StrCat(where, ": no images"));
    return paths;
  }
  std::ifstream in(where);
  if (!in) return absl::NotFoundError(absl::StrCat("--images: cannot open ", where));
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    line = std::string(absl::StripAsciiWhitespace(line));
    if (!line.empty()) paths.push_back(line);
  }
  if (paths.empty()) return absl::InvalidArgumentError(absl::StrCat(where, ": empty list"));
  return paths;
}

int64_t ImageId(const std::string& path, size_t position) {
  int64_t id = 0;
  if (absl::SimpleAtoi(fs::path(path).stem().string(), &id)) return id;
  return static_cast<int64_t>(position) + 1;
}

// A dataset id as JSON: a number when it reads back as the same text (COCO's
// ids), else a string (VOC's "000005" keeps its zeros, as tools/evaluate expects).
std::string JsonImageId(const std::string& id) {
  int64_t number = 0;
  if (absl::SimpleAtoi(id, &number) && absl::StrCat(number) == id) return id;
  return absl::StrCat("\"", id, "\"");
}

void DrawDetection(cv::Mat& bgr, const Detection& d, const std::string& caption) {
  cv::rectangle(bgr, cv::Point(d.box.x1, d.box.y1), cv::Point(d.box.x2, d.box.y2),
                cv::Scalar(0, 200, 255), 2);
  cv::putText(bgr, absl::StrFormat("%s %.2f", caption, d.score),
              cv::Point(d.box.x1, std::max(12.0, d.box.y1 - 3)), cv::FONT_HERSHEY_SIMPLEX, 0.45,
              cv::Scalar(0, 200, 255), 1);
}

absl::Status RunWithWeights() {
  if (absl::GetFlag(FLAGS_images).empty()) {
    return absl::InvalidArgumentError("--weights needs --images");
  }
  if (absl::GetFlag(FLAGS_threads) > 0) torch::set_num_threads(absl::GetFlag(FLAGS_threads));
  ModelSpec spec;
  spec.set_name(absl::GetFlag(FLAGS_model));
  spec.set_weights(ResolveUserPath(absl::GetFlag(FLAGS_weights)));
  spec.mutable_faster_rcnn()->set_min_size(absl::GetFlag(FLAGS_min_size));
  spec.mutable_faster_rcnn()->set_max_size(absl::GetFlag(FLAGS_min_size) > 0
                                               ? absl::GetFlag(FLAGS_max_size) : 0);
  spec.mutable_faster_rcnn()->set_box_score_thresh(absl::GetFlag(FLAGS_score_thresh));
  absl::StatusOr<std::unique_ptr<Detector>> model =
      ModelRegistry::Get().Create(spec.name(), spec, absl::GetFlag(FLAGS_num_classes));
  if (!model.ok()) return model.status();
  (*model)->eval();
  torch::NoGradGuard no_grad;

  absl::StatusOr<std::vector<std::string>> paths =
      ListImages(ResolveUserPath(absl::GetFlag(FLAGS_images)));
  if (!paths.ok()) return paths.status();
  const std::string draw_dir = absl::GetFlag(FLAGS_draw_dir).empty()
                                   ? "" : ResolveUserPath(absl::GetFlag(FLAGS_draw_dir));
  if (!draw_dir.empty()) fs::create_directories(draw_dir);

  std::string json = "[";
  bool first = true;
  for (size_t i = 0; i < paths->size(); ++i) {
    const std::string& path = (*paths)[i];
    cv::Mat bgr = cv::imread(path, cv::IMREAD_COLOR);
    if (bgr.empty()) return absl::DataLossError(absl::StrCat(path, ": cannot decode image"));
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    const torch::Tensor image = torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, torch::kUInt8)
                                    .permute({2, 0, 1})
                                    .to(torch::kFloat)
                                    .div_(255);
    absl::StatusOr<std::vector<ImageDetections>> dets = (*model)->Detect({image}, {}, {});
    if (!dets.ok()) return absl::Status(dets.status().code(), absl::StrCat(path, ": ", dets.status().message()));
    const int64_t image_id = ImageId(path, i);
    for (const Detection& d : (*dets)[0].detections) {
      const int category_id = d.label + absl::GetFlag(FLAGS_category_offset);
      absl::StrAppendFormat(&json, "%s\n{\"image_id\": %d, \"category_id\": %d, "
                                   "\"bbox\": [%.2f, %.2f, %.2f, %.2f], \"score\": %.5f}",
                            first ? "" : ",", image_id, category_id, d.box.x1, d.box.y1,
                            d.box.width(), d.box.height(), d.score);
      first = false;
      if (!draw_dir.empty() && d.score >= absl::GetFlag(FLAGS_draw_thresh)) {
        DrawDetection(bgr, d, absl::StrCat(category_id));
      }
    }
    if (!draw_dir.empty()) {
      const std::string out = (fs::path(draw_dir) / fs::path(path).filename()).string();
      if (!cv::imwrite(out, bgr)) return absl::InternalError(absl::StrCat(out, ": cannot write"));
    }
    std::fprintf(stderr, "%zu/%zu %s: %zu detections\n", i + 1, paths->size(), path.c_str(),
                 (*dets)[0].detections.size());
  }
  json += "\n]\n";
  return WriteFileAtomically(ResolveUserPath(absl::GetFlag(FLAGS_out)), json);
}

// --cycle, or the highest cycle_NN that holds a model.pt.
absl::StatusOr<int> ChooseCycle(const RunFolder& folder, int requested) {
  if (requested >= 0) {
    const std::string model_path = folder.ModelPath(requested);
    if (!fs::exists(model_path)) {
      return absl::NotFoundError(absl::StrCat("--cycle=", requested, ": ", model_path,
                                              " does not exist (that cycle has not finished "
                                              "training)"));
    }
    return requested;
  }
  if (requested != -1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--cycle: expected a cycle number >= 0 (or -1 for the last), found ", requested));
  }
  std::optional<int> last = folder.LastTrainedCycle();
  if (!last.has_value()) {
    return absl::NotFoundError(absl::StrCat(folder.root(), ": no cycle_NN/model.pt",
                                            " (no cycle of this run has finished training)"));
  }
  return *last;
}

absl::StatusOr<ExperimentSpec> ReadRunSpec(const RunFolder& folder) {
  const std::string path = folder.SpecPath();
  if (!fs::exists(path)) {
    return absl::NotFoundError(
        absl::StrCat(path, " does not exist: --run must name a run folder of huale's driver "
                           "(<output_dir>/<name>/seed<seed>)"));
  }
  absl::StatusOr<ExperimentSpec> spec = LoadSpec(path);
  if (!spec.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed run spec: ", spec.status().message()));
  }
  if (!spec->has_model() || spec->model().name().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": model.name is not set"));
  }
  if (!spec->has_dataset() || spec->dataset().format().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": dataset.format is not set"));
  }
  return spec;
}

// The images to detect, as records the data loader takes: the run's test split,
// or --images (image_id as in weights mode, sizes from the files).
absl::StatusOr<Dataset> ImagesForRun(const Dataset& test_split) {
  if (absl::GetFlag(FLAGS_images).empty()) return test_split;
  absl::StatusOr<std::vector<std::string>> paths =
      ListImages(ResolveUserPath(absl::GetFlag(FLAGS_images)));
  if (!paths.ok()) return paths.status();
  Dataset images;
  images.class_names = test_split.class_names;
  images.category_ids = test_split.category_ids;
  for (size_t i = 0; i < paths->size(); ++i) {
    absl::StatusOr<cv::Mat> decoded = DecodeImageFile((*paths)[i]);
    if (!decoded.ok()) return decoded.status();
    ImageRecord record;
    record.id = absl::StrCat(ImageId((*paths)[i], i));
    record.path = (*paths)[i];
    record.width = decoded->cols;
    record.height = decoded->rows;
    images.images.push_back(std::move(record));
  }
  return images;
}

absl::Status RunWithRunFolder() {
  const std::string root = ResolveUserPath(absl::GetFlag(FLAGS_run));
  if (!fs::is_directory(root)) {
    return absl::NotFoundError(absl::StrCat("--run: ", root, ": no such folder"));
  }
  const RunFolder folder(root);
  absl::StatusOr<ExperimentSpec> spec = ReadRunSpec(folder);
  if (!spec.ok()) return spec.status();
  absl::StatusOr<int> cycle = ChooseCycle(folder, absl::GetFlag(FLAGS_cycle));
  if (!cycle.ok()) return cycle.status();

  // Classes as the run saw them: the dataset read through its registered reader.
  absl::StatusOr<std::unique_ptr<DatasetFormat>> format =
      DatasetFormatRegistry::Get().Create(spec->dataset().format());
  if (!format.ok()) {
    return absl::Status(format.status().code(), absl::StrCat(folder.SpecPath(),
                                                             ": dataset.format: ",
                                                             format.status().message()));
  }
  absl::StatusOr<Dataset> test_split = (*format)->Read(spec->dataset(), spec->dataset().test_split());
  if (!test_split.ok()) return test_split.status();
  absl::StatusOr<Dataset> images = ImagesForRun(*test_split);
  if (!images.ok()) return images.status();

  torch::set_num_threads(ChooseThreadCount(absl::GetFlag(FLAGS_threads), spec->threads()));
  // The run's weights are in model.pt: no separate initialisation file is read.
  ModelSpec model_spec = spec->model();
  model_spec.clear_weights();
  absl::StatusOr<std::unique_ptr<Detector>> model = ModelRegistry::Get().Create(
      model_spec.name(), model_spec, static_cast<int>(test_split->class_names.size()));
  if (!model.ok()) return model.status();
  const std::string model_path = folder.ModelPath(*cycle);
  if (absl::StatusOr<TrainPosition> loaded = LoadCheckpoint(model_path, **model, nullptr);
      !loaded.ok()) {
    return loaded.status();
  }
  std::fprintf(stderr, "detect: %s (%s, %zu classes), %zu images\n", model_path.c_str(),
               model_spec.name().c_str(), test_split->class_names.size(), images->images.size());

  // The run's evaluation pipeline.
  InferenceOptions options = InferenceOptionsFor(*spec, "detect");
  if (!absl::GetFlag(FLAGS_device).empty()) options.device = absl::GetFlag(FLAGS_device);
  options.fail_fast_on_bad_images = true;  // a user's image that cannot be read is an error
  std::vector<int64_t> indices(images->images.size());
  for (size_t i = 0; i < indices.size(); ++i) indices[i] = static_cast<int64_t>(i);
  absl::StatusOr<std::vector<ImageDetections>> detections =
      DetectImages(**model, *images, indices, options);
  if (!detections.ok()) return detections.status();

  const std::string draw_dir = absl::GetFlag(FLAGS_draw_dir).empty()
                                   ? "" : ResolveUserPath(absl::GetFlag(FLAGS_draw_dir));
  if (!draw_dir.empty()) fs::create_directories(draw_dir);
  const size_t num_classes = test_split->class_names.size();
  std::string json = "[";
  bool first = true;
  for (size_t i = 0; i < detections->size(); ++i) {
    const ImageDetections& image = (*detections)[i];
    const ImageRecord& record = images->images[i];
    cv::Mat bgr;
    if (!draw_dir.empty()) bgr = cv::imread(record.path, cv::IMREAD_COLOR);
    for (const Detection& d : image.detections) {
      if (d.label < 0 || static_cast<size_t>(d.label) >= num_classes) {
        return absl::InternalError(absl::StrCat(record.path, ": label ", d.label,
                                                " outside [0, ", num_classes, ")"));
      }
      const int64_t category_id = static_cast<size_t>(d.label) < test_split->category_ids.size()
                                      ? test_split->category_ids[d.label]
                                      : d.label + 1;
      // Exact round trip (float score, double box), so evaluating this file
      // gives the numbers the run's evaluation gave.
      absl::StrAppendFormat(&json, "%s\n{\"image_id\": %s, \"category_id\": %d, "
                                   "\"bbox\": [%.17g, %.17g, %.17g, %.17g], \"score\": %.9g}",
                            first ? "" : ",", JsonImageId(image.image_id), category_id, d.box.x1,
                            d.box.y1, d.box.width(), d.box.height(), d.score);
      first = false;
      if (!bgr.empty() && d.score >= absl::GetFlag(FLAGS_draw_thresh)) {
        DrawDetection(bgr, d, test_split->class_names[d.label]);
      }
    }
    if (!bgr.empty()) {
      const std::string out = (fs::path(draw_dir) / fs::path(record.path).filename()).string();
      if (!cv::imwrite(out, bgr)) return absl::InternalError(absl::StrCat(out, ": cannot write"));
    }
  }
  json += "\n]\n";
  return WriteFileAtomically(ResolveUserPath(absl::GetFlag(FLAGS_out)), json);
}

absl::Status Run() {
  const bool run_mode = !absl::GetFlag(FLAGS_run).empty();
  const bool weights_mode = !absl::GetFlag(FLAGS_weights).empty();
  if (run_mode == weights_mode) {
    return absl::InvalidArgumentError(
        "give exactly one of --weights=<exported weights> and --run=<run folder>");
  }
  if (absl::GetFlag(FLAGS_out).empty()) return absl::InvalidArgumentError("--out is required");
  return run_mode ? RunWithRunFolder() : RunWithWeights();
}

}  // namespace
}  // namespace huale

int main(int argc, char** argv) {
  huale::ReexecWithPassiveOpenMpWait(argv);
  absl::SetProgramUsageMessage(
      "Detects objects in images; writes COCO results JSON.\n"
      "  detect --weights=W.pt --images=DIR|LIST --out=R.json\n"
      "  detect --run=RUN_FOLDER [--cycle=N] [--images=DIR|LIST] --out=R.json");
  const std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() > 1) {
    std::fprintf(stderr, "detect: unexpected argument '%s' (all inputs are flags; see --help)\n",
                 positional[1]);
    return 2;
  }
  const absl::Status status = huale::Run();
  if (!status.ok()) {
    std::fprintf(stderr, "detect: %s\n", std::string(status.message()).c_str());
    return 2;
  }
  return 0;
}
