#include "huale/data/transforms.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <optional>
#include <utility>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "huale/data/image_header.h"

namespace huale {
namespace {

// A JPEG ends with the EOI marker FF D9 (only padding may follow), a PNG with
// its IEND chunk; OpenCV would otherwise decode a truncated file into a
// silently grey lower half.
absl::Status CheckComplete(const std::string& path, absl::string_view bytes) {
  const size_t n = bytes.size();
  if (n >= 2 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
      static_cast<unsigned char>(bytes[1]) == 0xD8) {
    const size_t from = n > 64 ? n - 64 : 0;
    for (size_t i = n - 1; i > from; --i) {
      if (static_cast<unsigned char>(bytes[i - 1]) == 0xFF &&
          static_cast<unsigned char>(bytes[i]) == 0xD9) {
        return absl::OkStatus();
      }
    }
    return absl::DataLossError(
        absl::StrCat(path, ": JPEG is truncated (no end-of-image marker)"));
  }
  static constexpr char kPngMagic[] = "\x89PNG\r\n\x1a\n";
  if (n >= 8 && std::memcmp(bytes.data(), kPngMagic, 8) == 0) {
    const absl::string_view tail = bytes.substr(n >= 32 ? n - 32 : 0);
    if (tail.find("IEND") == absl::string_view::npos) {
      return absl::DataLossError(absl::StrCat(path, ": PNG is truncated (no IEND chunk)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

double ResizeScale(int width, int height, int min_size, int max_size) {
  // torchvision 0.26 computes the scale from Python ints, in double precision
  // (0.14 did it in float32 tensors: 427 * 800/427 gave 799 there, 800 now).
  const double short_side = std::min(width, height);
  const double long_side = std::max(width, height);
  return std::min(min_size / short_side, max_size / long_side);
}

int ResizedSide(int side, double scale) {
  return static_cast<int>(std::floor(static_cast<double>(side) * static_cast<double>(scale)));
}

absl::StatusOr<cv::Mat> DecodeImageFile(const std::string& path, int64_t max_pixels) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return absl::DataLossError(absl::StrCat(path, ": image file cannot be opened"));
  const std::streamsize size = in.tellg();
  if (size <= 0) return absl::DataLossError(absl::StrCat(path, ": image file is empty"));
  std::string bytes(static_cast<size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(bytes.data(), size)) {
    return absl::DataLossError(absl::StrCat(path, ": image file cannot be read"));
  }
  if (absl::Status complete = CheckComplete(path, bytes); !complete.ok()) return complete;
  absl::StatusOr<std::optional<std::pair<int64_t, int64_t>>> header =
      ImageHeaderSize(path, bytes);
  if (!header.ok()) return header.status();
  // (width * height may not fit in 64 bits: PNG sides go to 2^31 - 1.)
  if (header->has_value() && (*header)->first > 0 &&
      (*header)->second > max_pixels / (*header)->first) {
    return absl::DataLossError(absl::StrCat(
        path, ": image header says ", (*header)->first, " x ", (*header)->second, " pixels, more than ",
        max_pixels, " (huale refuses larger images before decoding them; tile them first)"));
  }
  // OpenCV's DICOM reader (GDCM) claims any buffer with "DICM" at offset 128
  // and crashes on malformed ones (image_decode_fuzzer found one). The
  // signature check below does not cover a file that starts as a JPEG or PNG
  // and carries that magic too, so it is refused here first.
  if (bytes.size() >= 132 && bytes.compare(128, 4, "DICM") == 0) {
    return absl::DataLossError(
        absl::StrCat(path, ": image is a DICOM file (huale reads JPEG and PNG images)"));
  }
  // Only JPEG and PNG reach OpenCV: its other decoders (JPEG 2000, OpenEXR,
  // HDR, TIFF, ...) take any buffer with their magic, and a malformed one can
  // crash them, not fail. The same rule as ReadImageSize (image_header.h).
  if (!header->has_value()) {
    return absl::DataLossError(absl::StrCat(
        path, ": image does not decode (neither JPEG nor PNG: huale reads JPEG and PNG images; convert it first)"));
  }
  cv::Mat encoded(1, static_cast<int>(bytes.size()), CV_8UC1, bytes.data());
  cv::Mat image;
  try {
    image = cv::imdecode(encoded, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
  } catch (const cv::Exception& e) {
    return absl::DataLossError(absl::StrCat(path, ": image does not decode (", e.what(), ")"));
  }
  if (image.empty()) {
    return absl::DataLossError(
        absl::StrCat(path, ": image does not decode (not a JPEG/PNG or corrupt)"));
  }
  return image;
}

void FlipBoxesHorizontally(std::vector<Box>& boxes, double image_width) {
  for (Box& box : boxes) box = box.FlippedHorizontally(image_width);
}

absl::StatusOr<TransformedImage> TransformImage(const ImageRecord& record,
                                                const TransformOptions& options, bool flip) {
  absl::StatusOr<cv::Mat> decoded = DecodeImageFile(record.path);
  if (!decoded.ok()) return decoded.status();
  if (decoded->cols != record.width || decoded->rows != record.height) {
    return absl::DataLossError(absl::StrCat(record.path, ": image is ", decoded->cols, "x",
                                            decoded->rows, " but its annotation says ",
                                            record.width, "x", record.height));
  }
  TransformedImage out;
  out.original_width = record.width;
  out.original_height = record.height;
  out.flipped = flip;
  decoded->convertTo(out.image, CV_32FC3, 1.0 / 255.0);
  cv::cvtColor(out.image, out.image, cv::COLOR_BGR2RGB);
  out.boxes.reserve(record.annotations.size());
  out.labels.reserve(record.annotations.size());
  for (const Annotation& annotation : record.annotations) {
    out.boxes.push_back(annotation.box);
    out.labels.push_back(annotation.label);
  }
  if (options.min_size > 0 && options.max_size > 0) {
    const double scale =
        ResizeScale(record.width, record.height, options.min_size, options.max_size);
    out.scale = static_cast<float>(scale);
    const int new_width = ResizedSide(record.width, scale);
    const int new_height = ResizedSide(record.height, scale);
    if (new_width < 1 || new_height < 1) {
      return absl::DataLossError(absl::StrCat(record.path, ": image of ", record.width, "x",
                                              record.height, " resizes to nothing"));
    }
    if (new_width != record.width || new_height != record.height) {
      cv::Mat resized;
      cv::resize(out.image, resized, cv::Size(new_width, new_height), 0, 0, cv::INTER_LINEAR);
      out.image = resized;
    }
    // torchvision's resize_boxes: per-axis ratio of the new size to the old, in float32.
    const float ratio_x = static_cast<float>(new_width) / static_cast<float>(record.width);
    const float ratio_y = static_cast<float>(new_height) / static_cast<float>(record.height);
    for (Box& box : out.boxes) {
      box = Box{box.x1 * ratio_x, box.y1 * ratio_y, box.x2 * ratio_x, box.y2 * ratio_y};
    }
  }
  if (flip) {
    cv::flip(out.image, out.image, 1);
    FlipBoxesHorizontally(out.boxes, out.image.cols);
  }
  return out;
}

}  // namespace huale
