// What the detect tools share: the images a user names, and the output, COCO
// results JSON ([{"image_id", "category_id", "bbox": [x, y, w, h], "score"}] in
// original pixels) plus, optionally, each image with its boxes drawn.
#ifndef TOOLS_DETECTION_OUTPUT_H_
#define TOOLS_DETECTION_OUTPUT_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "huale/core/detections.h"
#include "huale/eval/coco_results.h"

namespace huale {

// --images: a folder (its .jpg/.jpeg/.png files, sorted; huale reads JPEG and
// PNG only) or a text file with one image path per line.
absl::StatusOr<std::vector<std::string>> ListImages(const std::string& where);

// An image's id in the results: the file's stem when it is a number (COCO's
// 000000397133.jpg -> 397133), otherwise the 1-based position in the list.
std::string ImageIdOf(const std::string& path, size_t position);

// A detection's class as the results and the drawing show it.
struct Category {
  int64_t id = 0;
  std::string caption;
};
// Maps a detector label to its category; an error stops the output.
using CategoryOf = std::function<absl::StatusOr<Category>(int label)>;

// The tools' output options are this library's flags: --out (the JSON),
// --draw_dir and --draw_thresh.
class DetectionOutput {
 public:
  // `draw_dir` empty: nothing is drawn; else it is created and receives each
  // image with its detections of score >= draw_thresh.
  static absl::StatusOr<DetectionOutput> Create(std::string json_path, std::string draw_dir,
                                                double draw_thresh);
  // Create() from --out (required), --draw_dir and --draw_thresh, paths relative
  // to where `bazel run` was called.
  static absl::StatusOr<DetectionOutput> FromFlags();

  // One image's detections. `bgr`: the decoded image if the caller has it;
  // empty: read from `path` when drawing.
  absl::Status Add(const std::string& path, const std::string& image_id,
                   const std::vector<Detection>& detections, const CategoryOf& category_of,
                   cv::Mat bgr = cv::Mat());

  // Writes the JSON (atomically: a failed run leaves no results file).
  absl::Status Finish();

 private:
  DetectionOutput(std::string json_path, std::string draw_dir, double draw_thresh)
      : json_path_(std::move(json_path)), draw_dir_(std::move(draw_dir)),
        draw_thresh_(draw_thresh) {}

  std::string json_path_;
  std::string draw_dir_;
  double draw_thresh_;
  std::vector<CocoResult> results_;
};

}  // namespace huale

#endif  // TOOLS_DETECTION_OUTPUT_H_
