// Runs a detector with weights exported from torchvision
// (tools/export_torchvision.py) on images and writes COCO results JSON,
// optionally the images with the boxes drawn (tools/detection_output.h):
//
//   bazel run -c opt //tools:detect_torchvision -- --weights=r50_coco.pt --images=photos/ --out=r.json
//   (add --draw_dir=drawn/ for images with the boxes drawn)
//
// --images: a folder (its .jpg/.jpeg/.png files, sorted; huale reads JPEG and
// PNG only) or a text file with one image path per line. image_id: the file's stem when it is a number (COCO's
// 000000397133.jpg -> 397133), otherwise the 1-based position in the list.
// --model, --num_classes, --min_size/--max_size (the model's own resize),
// --score_thresh; category_id = label + --category_offset (1: torchvision's COCO
// models, whose labels are COCO category ids). A model trained by huale's
// driver is detected with //tools:detect --run instead.
//
// Exit status 2 on bad input, with a message naming the path or flag.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "experiments/command_line.h"
#include "experiments/process_setup.h"
#include "experiments/spec_loader.h"
#include "huale/data/transforms.h"
#include "huale/models/detector.h"
#include "tools/detection_output.h"

ABSL_FLAG(std::string, weights, "", "weights file from tools/export_torchvision.py (required)");
ABSL_FLAG(std::string, model, "fasterrcnn_resnet50_fpn", "registered model name");
ABSL_FLAG(int, num_classes, 90, "object classes without background (torchvision COCO: 90)");
ABSL_FLAG(std::string, images, "", "image folder or a text file of image paths (required)");
ABSL_FLAG(int, min_size, 800, "resize: short side (0 = take images as they are)");
ABSL_FLAG(int, max_size, 1333, "resize: long side limit");
ABSL_FLAG(double, score_thresh, 0.05, "detections below this score are dropped");
ABSL_FLAG(int, category_offset, 1, "category_id = label + offset");
ABSL_FLAG(int, threads, 0, "intra-op threads; 0 = LibTorch's default");

namespace huale {
namespace {

absl::StatusOr<std::unique_ptr<Detector>> LoadExportedModel() {
  ModelSpec spec;
  spec.set_name(absl::GetFlag(FLAGS_model));
  spec.set_weights(ResolveUserPath(absl::GetFlag(FLAGS_weights)));
  const int min_size = absl::GetFlag(FLAGS_min_size);
  spec.mutable_faster_rcnn()->set_min_size(min_size);
  spec.mutable_faster_rcnn()->set_max_size(min_size > 0 ? absl::GetFlag(FLAGS_max_size) : 0);
  spec.mutable_faster_rcnn()->set_box_score_thresh(absl::GetFlag(FLAGS_score_thresh));
  absl::StatusOr<std::unique_ptr<Detector>> model =
      ModelRegistry::Get().Create(spec.name(), spec, absl::GetFlag(FLAGS_num_classes));
  if (model.ok()) (*model)->eval();
  return model;
}

// The model's input: RGB in [0, 1], [3, H, W].
torch::Tensor ToInput(const cv::Mat& bgr) {
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, torch::kUInt8)
      .permute({2, 0, 1})
      .to(torch::kFloat)
      .div_(255);
}

absl::Status Run() {
  if (absl::GetFlag(FLAGS_weights).empty() || absl::GetFlag(FLAGS_images).empty()) {
    return absl::InvalidArgumentError("--weights and --images are required");
  }
  absl::StatusOr<DetectionOutput> output = DetectionOutput::FromFlags();
  if (!output.ok()) return output.status();
  if (absl::GetFlag(FLAGS_threads) > 0) torch::set_num_threads(absl::GetFlag(FLAGS_threads));
  absl::StatusOr<std::unique_ptr<Detector>> model = LoadExportedModel();
  if (!model.ok()) return model.status();
  absl::StatusOr<std::vector<std::string>> paths =
      ListImages(ResolveUserPath(absl::GetFlag(FLAGS_images)));
  if (!paths.ok()) return paths.status();
  const CategoryOf category_of = [](int label) -> absl::StatusOr<Category> {
    const int64_t id = label + absl::GetFlag(FLAGS_category_offset);
    return Category{id, absl::StrCat(id)};
  };

  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < paths->size(); ++i) {
    const std::string& path = (*paths)[i];
    absl::StatusOr<cv::Mat> bgr = DecodeImageFile(path);
    if (!bgr.ok()) return bgr.status();
    absl::StatusOr<std::vector<ImageDetections>> dets = (*model)->Detect({ToInput(*bgr)}, {}, {});
    if (!dets.ok()) {
      return absl::Status(dets.status().code(), absl::StrCat(path, ": ", dets.status().message()));
    }
    const std::vector<Detection>& detections = (*dets)[0].detections;
    if (absl::Status s = output->Add(path, ImageIdOf(path, i), detections, category_of, *bgr);
        !s.ok()) {
      return s;
    }
    std::fprintf(stderr, "%zu/%zu %s: %zu detections\n", i + 1, paths->size(), path.c_str(),
                 detections.size());
  }
  return output->Finish();
}

}  // namespace
}  // namespace huale

int main(int argc, char** argv) {
  huale::ReexecWithPassiveOpenMpWait(argv);
  huale::ParseFlagsOrExit(argc, argv,
                          "Detects objects in images with torchvision-exported weights; writes "
                          "COCO results JSON.\n"
                          "  detect_torchvision --weights=W.pt --images=DIR|LIST --out=R.json");
  if (const absl::Status status = huale::Run(); !status.ok()) {
    std::fprintf(stderr, "detect_torchvision: %s\n", std::string(status.message()).c_str());
    return huale::kExitUsage;
  }
  return 0;
}
