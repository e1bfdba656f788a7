#include "tools/detection_output.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "experiments/spec_loader.h"
#include "huale/data/transforms.h"
#include "huale/eval/coco_results.h"

ABSL_FLAG(std::string, out, "", "COCO results JSON to write (required)");
ABSL_FLAG(std::string, draw_dir, "", "if set, writes each image with its boxes here");
ABSL_FLAG(double, draw_thresh, 0.5, "boxes drawn from this score");

namespace huale {
namespace {

namespace fs = std::filesystem;

void DrawDetection(cv::Mat& bgr, const Detection& d, const std::string& caption) {
  cv::rectangle(bgr, cv::Point(d.box.x1, d.box.y1), cv::Point(d.box.x2, d.box.y2),
                cv::Scalar(0, 200, 255), 2);
  cv::putText(bgr, absl::StrFormat("%s %.2f", caption, d.score),
              cv::Point(d.box.x1, std::max(12.0, d.box.y1 - 3)), cv::FONT_HERSHEY_SIMPLEX, 0.45,
              cv::Scalar(0, 200, 255), 1);
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ListImages(const std::string& where) {
  std::vector<std::string> paths;
  std::error_code ec;
  if (fs::is_directory(where, ec)) {
    for (const auto& entry : fs::directory_iterator(where, ec)) {
      const std::string ext = absl::AsciiStrToLower(entry.path().extension().string());
      if (ext == ".jpg" || ext == ".jpeg" || ext == ".png") {
        paths.push_back(entry.path().string());
      }
    }
    std::sort(paths.begin(), paths.end());
    if (paths.empty()) return absl::NotFoundError(absl::StrCat(where, ": no JPEG or PNG images"));
    return paths;
  }
  std::ifstream in(where);
  if (!in) return absl::NotFoundError(absl::StrCat("--images: cannot open ", where));
  for (std::string line; std::getline(in, line);) {
    line = std::string(absl::StripAsciiWhitespace(line));
    if (!line.empty()) paths.push_back(line);
  }
  if (paths.empty()) return absl::InvalidArgumentError(absl::StrCat(where, ": empty list"));
  return paths;
}

std::string ImageIdOf(const std::string& path, size_t position) {
  int64_t id = 0;
  if (absl::SimpleAtoi(fs::path(path).stem().string(), &id)) return absl::StrCat(id);
  return absl::StrCat(position + 1);
}

absl::StatusOr<DetectionOutput> DetectionOutput::Create(std::string json_path,
                                                        std::string draw_dir, double draw_thresh) {
  if (!draw_dir.empty()) {
    std::error_code ec;
    fs::create_directories(draw_dir, ec);
    if (ec) return absl::UnavailableError(absl::StrCat(draw_dir, ": ", ec.message()));
  }
  return DetectionOutput(std::move(json_path), std::move(draw_dir), draw_thresh);
}

absl::StatusOr<DetectionOutput> DetectionOutput::FromFlags() {
  const std::string out = absl::GetFlag(FLAGS_out);
  if (out.empty()) return absl::InvalidArgumentError("--out is required");
  const std::string draw_dir = absl::GetFlag(FLAGS_draw_dir);
  return Create(ResolveUserPath(out), draw_dir.empty() ? "" : ResolveUserPath(draw_dir),
                absl::GetFlag(FLAGS_draw_thresh));
}

absl::Status DetectionOutput::Add(const std::string& path, const std::string& image_id,
                                  const std::vector<Detection>& detections,
                                  const CategoryOf& category_of, cv::Mat bgr) {
  const bool draw = !draw_dir_.empty();
  if (draw && bgr.empty()) {
    absl::StatusOr<cv::Mat> decoded = DecodeImageFile(path);
    if (!decoded.ok()) return decoded.status();
    bgr = *std::move(decoded);
  }
  for (const Detection& d : detections) {
    absl::StatusOr<Category> category = category_of(d.label);
    if (!category.ok()) {
      return absl::Status(category.status().code(),
                          absl::StrCat(path, ": ", category.status().message()));
    }
    results_.push_back(MakeCocoResult(image_id, category->id, d.box, d.score));
    if (draw && d.score >= draw_thresh_) DrawDetection(bgr, d, category->caption);
  }
  if (!draw) return absl::OkStatus();
  const std::string out = (fs::path(draw_dir_) / fs::path(path).filename()).string();
  if (!cv::imwrite(out, bgr)) return absl::InternalError(absl::StrCat(out, ": cannot write"));
  return absl::OkStatus();
}

absl::Status DetectionOutput::Finish() {
  return WriteCocoResults(json_path_, results_);
}

}  // namespace huale
