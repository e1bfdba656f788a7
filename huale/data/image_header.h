// An image's size read from its JPEG frame header or PNG IHDR chunk, before any
// pixel is decoded: to refuse a hostile header before decoding (transforms.h)
// and to size a pool image that has no annotation file yet (voc_reader.h).
#ifndef HUALE_DATA_IMAGE_HEADER_H_
#define HUALE_DATA_IMAGE_HEADER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace huale {

// (width, height) from the header in `bytes` (the file `path`, named in
// errors); nullopt for a format other than JPEG and PNG. A JPEG is walked
// marker by marker as libjpeg does (bytes between segments skipped); one with
// no frame header before its image data (or before `bytes` end) is DataLoss.
absl::StatusOr<std::optional<std::pair<int64_t, int64_t>>> ImageHeaderSize(
    const std::string& path, absl::string_view bytes);

// The size of the JPEG or PNG file `path`, reading no more of it than the
// header needs (the first 256 KiB, the whole file when its frame header lies
// further). DataLoss naming the file when it cannot be read, is neither JPEG
// nor PNG, or claims a side < 1 or > 2^31 - 1.
absl::StatusOr<std::pair<int, int>> ReadImageSize(const std::string& path);

}  // namespace huale

#endif  // HUALE_DATA_IMAGE_HEADER_H_
