// Fuzzes image decoding as the loader does it (DecodeImageFile, then the
// training transform of what decoded) with arbitrary file contents: an image
// or an error naming the file, never a crash or a runaway allocation.
#include <cstddef>
#include <cstdint>

#include "huale/data/dataset.h"
#include "huale/data/transforms.h"
#include "third_party/fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = FuzzInputFile("image", data, size);
  // 4 M pixels here: a header claiming up to kMaxImagePixels still decodes in
  // the loader, but its float copies would pass libFuzzer's memory limit.
  absl::StatusOr<cv::Mat> decoded = huale::DecodeImageFile(path, int64_t{1} << 22);
  if (!decoded.ok()) return 0;
  huale::ImageRecord record;
  record.id = "fuzz";
  record.path = path;
  record.width = decoded->cols;
  record.height = decoded->rows;
  huale::Annotation object;
  object.box = huale::Box{0, 0, 1.5, 2.5};
  record.annotations.push_back(object);
  huale::TransformOptions options;
  options.min_size = 32;
  options.max_size = 64;
  (void)huale::TransformImage(record, options, /*flip=*/size % 2 == 1);
  return 0;
}
