// Runs a registered detector on images and writes COCO results JSON
// ([{"image_id", "category_id", "bbox": [x, y, w, h], "score"}], original pixels),
// optionally the images with the boxes drawn.
//
//   bazel run -c opt //tools:detect -- --weights=r50_coco.pt --images=photos/ --out=r.json
//   (add --draw_dir=drawn/ for images with the boxes drawn)
//
// --images: a folder (its .jpg/.jpeg/.png/.bmp files, sorted) or a text file with
// one image path per line. image_id: the file's stem when it is a number (COCO's
// 000000397133.jpg -> 397133), otherwise the 1-based position in the list.
// category_id = label + --category_offset (1: torchvision's COCO models, whose
// labels are COCO category ids). Exit status 2 on bad input, with a message.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
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
#include "huale/core/atomic_file.h"
#include "huale/models/detector.h"

ABSL_FLAG(std::string, model, "fasterrcnn_resnet50_fpn", "registered model name");
ABSL_FLAG(std::string, weights, "", "weights file from tools/export_torchvision.py (required)");
ABSL_FLAG(int, num_classes, 90, "object classes without background (torchvision COCO: 90)");
ABSL_FLAG(std::string, images, "", "image folder or a text file of image paths (required)");
ABSL_FLAG(std::string, out, "", "COCO results JSON to write (required)");
ABSL_FLAG(std::string, draw_dir, "", "if set, writes each image with its boxes here");
ABSL_FLAG(int, min_size, 800, "resize: short side (0 = take images as they are)");
ABSL_FLAG(int, max_size, 1333, "resize: long side limit");
ABSL_FLAG(double, score_thresh, 0.05, "detections below this score are dropped");
ABSL_FLAG(double, draw_thresh, 0.5, "boxes drawn from this score");
ABSL_FLAG(int, category_offset, 1, "category_id = label + offset");
ABSL_FLAG(int, threads, 0, "intra-op threads; 0 = LibTorch's default");

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

absl::Status Run() {
  if (absl::GetFlag(FLAGS_weights).empty() || absl::GetFlag(FLAGS_images).empty() ||
      absl::GetFlag(FLAGS_out).empty()) {
    return absl::InvalidArgumentError("--weights, --images and --out are required");
  }
  if (absl::GetFlag(FLAGS_threads) > 0) torch::set_num_threads(absl::GetFlag(FLAGS_threads));
  ModelSpec spec;
  spec.set_name(absl::GetFlag(FLAGS_model));
  spec.set_weights(absl::GetFlag(FLAGS_weights));
  spec.mutable_faster_rcnn()->set_min_size(absl::GetFlag(FLAGS_min_size));
  spec.mutable_faster_rcnn()->set_max_size(absl::GetFlag(FLAGS_min_size) > 0
                                               ? absl::GetFlag(FLAGS_max_size) : 0);
  spec.mutable_faster_rcnn()->set_box_score_thresh(absl::GetFlag(FLAGS_score_thresh));
  absl::StatusOr<std::unique_ptr<Detector>> model =
      ModelRegistry::Get().Create(spec.name(), spec, absl::GetFlag(FLAGS_num_classes));
  if (!model.ok()) return model.status();
  (*model)->eval();
  torch::NoGradGuard no_grad;

  absl::StatusOr<std::vector<std::string>> paths = ListImages(absl::GetFlag(FLAGS_images));
  if (!paths.ok()) return paths.status();
  const std::string draw_dir = absl::GetFlag(FLAGS_draw_dir);
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
      absl::StrAppendFormat(&json, "%s\n{\"image_id\": %d, \"category_id\": %d, "
                                   "\"bbox\": [%.2f, %.2f, %.2f, %.2f], \"score\": %.5f}",
                            first ? "" : ",", image_id,
                            d.label + absl::GetFlag(FLAGS_category_offset), d.box.x1, d.box.y1,
                            d.box.width(), d.box.height(), d.score);
      first = false;
      if (!draw_dir.empty() && d.score >= absl::GetFlag(FLAGS_draw_thresh)) {
        cv::rectangle(bgr, cv::Point(d.box.x1, d.box.y1), cv::Point(d.box.x2, d.box.y2),
                      cv::Scalar(0, 200, 255), 2);
        cv::putText(bgr, absl::StrFormat("%d %.2f", d.label + absl::GetFlag(FLAGS_category_offset), d.score),
                    cv::Point(d.box.x1, std::max(12.0, d.box.y1 - 3)), cv::FONT_HERSHEY_SIMPLEX,
                    0.45, cv::Scalar(0, 200, 255), 1);
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
  return WriteFileAtomically(absl::GetFlag(FLAGS_out), json);
}

}  // namespace
}  // namespace huale

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("Detects objects in images; writes COCO results JSON.");
  absl::ParseCommandLine(argc, argv);
  const absl::Status status = huale::Run();
  if (!status.ok()) {
    std::fprintf(stderr, "detect: %s\n", std::string(status.message()).c_str());
    return 2;
  }
  return 0;
}
