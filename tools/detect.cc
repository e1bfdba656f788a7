// Runs the model of a huale run on images and writes COCO results JSON,
// optionally the images with the boxes drawn (tools/detection_output.h):
//
//   bazel run -c opt //tools:detect -- --run=runs/fmnist_huale/seed0 --out=r.json
//   bazel run -c opt //tools:detect -- --run=runs/fmnist_huale/seed0 --images=photos/ --out=r.json
//   (add --draw_dir=drawn/ for images with the boxes drawn)
//
// --run=<output_dir>/<name>/seed<seed>: the model is built from the run's
// spec.pbtxt (registered model name and options, the class count of the
// dataset's test split read through its registered reader) and loaded from
// cycle_NN/model.pt (--cycle; default the last cycle that has one). Images go
// through the run's evaluation pipeline: the data loader's resize to
// training.min_size/max_size, batches of training.batch_size. Without --images
// the run's test split is detected in its order, image_id = the dataset's id,
// so the results reproduce the cycle's evaluation (cycle_NN/metrics.json).
// --images: a folder (its .jpg/.jpeg/.png files, sorted; huale reads JPEG and
// PNG only) or a text file with one image path per line; image_id: the file's
// stem when it is a number, otherwise the 1-based position in the list. category_id = the dataset's
// category id of the label (COCO), or label + 1 (VOC: index in the class list),
// so the JSON is evaluable against the dataset.
//
// Weights exported from torchvision are detected with //tools:detect_torchvision.
//
// Exit status 2 on bad input, with a message naming the path or field.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "experiments/command_line.h"
#include "experiments/process_setup.h"
#include "huale/engine/experiment_spec.pb.h"
#include "experiments/spec_loader.h"
#include "huale/data/dataset.h"
#include "huale/data/dataset_format.h"
#include "huale/data/transforms.h"
#include "huale/engine/checkpoint.h"
#include "huale/engine/inference.h"
#include "huale/engine/run_folder.h"
#include "huale/models/detector.h"
#include "tools/detection_output.h"

ABSL_FLAG(std::string, run, "",
          "run folder of huale's driver (<output_dir>/<name>/seed<seed>; required)");
ABSL_FLAG(int, cycle, -1, "the cycle whose model.pt is used; -1 = the last one with a model");
ABSL_FLAG(std::string, images, "",
          "image folder or a text file of image paths; default the run's test split");
ABSL_FLAG(std::string, device, "", "cpu, cuda or cuda:N; empty = the run's device");
ABSL_FLAG(int, threads, 0,
          "intra-op threads; 0 = the run's choice (spec, $HUALE_THREADS, cores)");

namespace huale {
namespace {

namespace fs = std::filesystem;


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
  // spec.pbtxt keeps relative paths as written: relative to the user's directory,
  // as when the driver ran it.
  *spec = WithUserPaths(*spec);
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
    record.id = ImageIdOf((*paths)[i], i);
    record.path = (*paths)[i];
    record.width = decoded->cols;
    record.height = decoded->rows;
    images.images.push_back(std::move(record));
  }
  return images;
}

// The run's test split, read through its registered reader: the classes as
// the run saw them.
absl::StatusOr<Dataset> ReadTestSplit(const RunFolder& folder, const ExperimentSpec& spec) {
  absl::StatusOr<std::unique_ptr<DatasetFormat>> format =
      DatasetFormatRegistry::Get().Create(spec.dataset().format());
  if (!format.ok()) {
    return absl::Status(format.status().code(),
                        absl::StrCat(folder.SpecPath(), ": dataset.format: ",
                                     format.status().message()));
  }
  return (*format)->Read(spec.dataset(), spec.dataset().test_split());
}

// The run's model with the weights of cycle_NN/model.pt.
absl::StatusOr<std::unique_ptr<Detector>> LoadRunModel(const RunFolder& folder,
                                                       const ExperimentSpec& spec, int cycle,
                                                       int num_classes) {
  // The run's weights are in model.pt: no separate initialisation file is read.
  ModelSpec model_spec = spec.model();
  model_spec.clear_weights();
  absl::StatusOr<std::unique_ptr<Detector>> model =
      ModelRegistry::Get().Create(model_spec.name(), model_spec, num_classes);
  if (!model.ok()) return model.status();
  const std::string model_path = folder.ModelPath(cycle);
  if (absl::StatusOr<TrainPosition> loaded = LoadCheckpoint(model_path, **model, nullptr);
      !loaded.ok()) {
    return loaded.status();
  }
  std::fprintf(stderr, "detect: %s (%s, %d classes)\n", model_path.c_str(),
               model_spec.name().c_str(), num_classes);
  return model;
}

// Category ids of the dataset (COCO), else label + 1; captions its class names.
CategoryOf DatasetCategories(const Dataset& split) {
  return [&split](int label) -> absl::StatusOr<Category> {
    const size_t num_classes = split.class_names.size();
    if (label < 0 || static_cast<size_t>(label) >= num_classes) {
      return absl::InternalError(absl::StrCat("label ", label, " outside [0, ", num_classes, ")"));
    }
    const int64_t id = static_cast<size_t>(label) < split.category_ids.size()
                           ? split.category_ids[label]
                           : label + 1;
    return Category{id, split.class_names[label]};
  };
}

// Detects `images` with the run's evaluation pipeline and writes the output.
absl::Status DetectAndWrite(Detector& model, const ExperimentSpec& spec, const Dataset& images,
                            const Dataset& test_split, DetectionOutput& output) {
  InferenceOptions options = InferenceOptionsFor(spec, "detect");
  if (!absl::GetFlag(FLAGS_device).empty()) options.device = absl::GetFlag(FLAGS_device);
  options.fail_fast_on_bad_images = true;  // a user's image that cannot be read is an error
  std::vector<int64_t> indices(images.images.size());
  for (size_t i = 0; i < indices.size(); ++i) indices[i] = static_cast<int64_t>(i);
  absl::StatusOr<std::vector<ImageDetections>> detections =
      DetectImages(model, images, indices, options);
  if (!detections.ok()) return detections.status();

  const CategoryOf category_of = DatasetCategories(test_split);
  for (size_t i = 0; i < detections->size(); ++i) {
    const ImageDetections& image = (*detections)[i];
    const std::string& path = images.images[i].path;
    if (absl::Status s = output.Add(path, image.image_id, image.detections, category_of);
        !s.ok()) {
      return s;
    }
  }
  return output.Finish();
}

absl::Status Run() {
  if (absl::GetFlag(FLAGS_run).empty()) {
    return absl::InvalidArgumentError(
        "--run=<run folder> is required (for torchvision-exported weights: "
        "//tools:detect_torchvision)");
  }
  absl::StatusOr<DetectionOutput> output = DetectionOutput::FromFlags();
  if (!output.ok()) return output.status();
  const std::string root = ResolveUserPath(absl::GetFlag(FLAGS_run));
  if (!fs::is_directory(root)) {
    return absl::NotFoundError(absl::StrCat("--run: ", root, ": no such folder"));
  }
  const RunFolder folder(root);
  absl::StatusOr<ExperimentSpec> spec = ReadRunSpec(folder);
  if (!spec.ok()) return spec.status();
  absl::StatusOr<int> cycle = ChooseCycle(folder, absl::GetFlag(FLAGS_cycle));
  if (!cycle.ok()) return cycle.status();
  absl::StatusOr<Dataset> test_split = ReadTestSplit(folder, *spec);
  if (!test_split.ok()) return test_split.status();
  absl::StatusOr<Dataset> images = ImagesForRun(*test_split);
  if (!images.ok()) return images.status();

  torch::set_num_threads(ChooseThreadCount(absl::GetFlag(FLAGS_threads), spec->threads()));
  absl::StatusOr<std::unique_ptr<Detector>> model =
      LoadRunModel(folder, *spec, *cycle, static_cast<int>(test_split->class_names.size()));
  if (!model.ok()) return model.status();
  std::fprintf(stderr, "detect: %zu images\n", images->images.size());
  return DetectAndWrite(**model, *spec, *images, *test_split, *output);
}

}  // namespace
}  // namespace huale

int main(int argc, char** argv) {
  huale::ReexecWithPassiveOpenMpWait(argv);
  huale::ParseFlagsOrExit(argc, argv,
                          "Detects objects with the model of a huale run; writes COCO results "
                          "JSON.\n"
                          "  detect --run=RUN_FOLDER [--cycle=N] [--images=DIR|LIST] --out=R.json");
  if (const absl::Status status = huale::Run(); !status.ok()) {
    std::fprintf(stderr, "detect: %s\n", std::string(status.message()).c_str());
    return huale::kExitUsage;
  }
  return 0;
}
