// The loader's half of the image pipeline (the detector's transform does the
// other half, normalisation and padding to a multiple of 32, as torchvision's
// GeneralizedRCNNTransform): decode with OpenCV to RGB float in [0, 1], resize
// by min/max side with torchvision's rule, horizontal flip of image and boxes.
// Training, evaluation and pool scoring (including its flip view) all go
// through TransformImage / FlipBoxesHorizontally.
#ifndef HUALE_DATA_TRANSFORMS_H_
#define HUALE_DATA_TRANSFORMS_H_

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"
#include "huale/core/box.h"
#include "huale/data/dataset.h"

namespace huale {

struct TransformOptions {
  // Short side goes to min_size unless the long side would exceed max_size
  // (TrainingSpec.min_size / max_size). 0 disables resizing.
  int min_size = 600;
  int max_size = 1000;
};

// torchvision's scale: min(min_size / short side, max_size / long side), in
// float32 and rounded exactly as torchvision computes it on a tensor.
double ResizeScale(int width, int height, int min_size, int max_size);

// Output size torch's interpolate(scale_factor=s, recompute_scale_factor=True)
// gives: floor(side * s).
int ResizedSide(int side, double scale);

// Images larger than this are refused before decoding: a corrupt or hostile
// JPEG/PNG header of a few hundred bytes can claim gigabytes of pixels (the
// fuzzer found one). 8192 x 8192; tile larger images first.
inline constexpr int64_t kMaxImagePixels = int64_t{8192} * 8192;

// Reads and decodes an image file as 8-bit BGR (OpenCV's order), EXIF rotation
// ignored as PIL does. Fails (DataLoss, naming the file) on a missing file, a
// format other than JPEG and PNG (refused before any decoder sees it: OpenCV's
// other decoders crash on some malformed files), undecodable bytes, a JPEG/PNG
// that ends before its end marker (truncated), a JPEG without a frame header
// before its image data, or a JPEG/PNG whose header gives more than
// `max_pixels` pixels.
absl::StatusOr<cv::Mat> DecodeImageFile(const std::string& path,
                                        int64_t max_pixels = kMaxImagePixels);

// x -> width - x on every box (Box::FlippedHorizontally).
void FlipBoxesHorizontally(std::vector<Box>& boxes, double image_width);

struct TransformedImage {
  cv::Mat image;            // CV_32FC3, RGB, values in [0, 1]
  std::vector<Box> boxes;   // xyxy in the transformed image
  std::vector<int> labels;  // contiguous 0-based, parallel to boxes
  float scale = 1;          // nominal resize factor (ResizeScale)
  bool flipped = false;
  int original_width = 0, original_height = 0;
};

// Decode -> float RGB -> resize (bilinear, align_corners=False, boxes scaled by
// the exact per-axis ratios new/old as torchvision's resize_boxes) -> flip.
// A decoded size that differs from the record's is an error (DataLoss).
absl::StatusOr<TransformedImage> TransformImage(const ImageRecord& record,
                                                const TransformOptions& options, bool flip);

}  // namespace huale

#endif  // HUALE_DATA_TRANSFORMS_H_
