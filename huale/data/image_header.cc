#include "huale/data/image_header.h"

#include <cstring>
#include <fstream>
#include <limits>

#include "absl/strings/str_cat.h"

namespace huale {
namespace {

int64_t BigEndian(absl::string_view bytes, size_t at, int width) {
  int64_t value = 0;
  for (int k = 0; k < width; ++k) value = value * 256 + static_cast<unsigned char>(bytes[at + k]);
  return value;
}

// Up to `limit` bytes of `path` (all of it when limit < 0).
absl::StatusOr<std::string> ReadPrefix(const std::string& path, std::streamsize limit,
                                       std::streamsize& file_size) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return absl::DataLossError(absl::StrCat(path, ": image file cannot be opened"));
  file_size = in.tellg();
  if (file_size <= 0) return absl::DataLossError(absl::StrCat(path, ": image file is empty"));
  const std::streamsize n = limit < 0 ? file_size : std::min(limit, file_size);
  std::string bytes(static_cast<size_t>(n), '\0');
  in.seekg(0);
  if (!in.read(bytes.data(), n)) {
    return absl::DataLossError(absl::StrCat(path, ": image file cannot be read"));
  }
  return bytes;
}

}  // namespace

absl::StatusOr<std::optional<std::pair<int64_t, int64_t>>> ImageHeaderSize(
    const std::string& path, absl::string_view bytes) {
  const size_t n = bytes.size();
  const auto at = [&](size_t i) { return static_cast<unsigned char>(bytes[i]); };
  if (n >= 24 && std::memcmp(bytes.data(), "\x89PNG\r\n\x1a\n", 8) == 0 &&
      bytes.substr(12, 4) == "IHDR") {
    return std::make_optional(std::make_pair(BigEndian(bytes, 16, 4), BigEndian(bytes, 20, 4)));
  }
  if (n < 2 || at(0) != 0xFF || at(1) != 0xD8) return std::nullopt;
  size_t i = 2;
  while (i + 1 < n) {
    if (at(i) != 0xFF || at(i + 1) == 0xFF) {  // a stray byte or fill before a marker
      ++i;
      continue;
    }
    const unsigned char marker = at(i + 1);
    if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
      i += 2;  // no length
      continue;
    }
    if (marker == 0xDA || marker == 0xD9) break;  // image data (or the end) already
    const bool frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 &&
                       marker != 0xCC;
    if (frame && i + 9 <= n) {
      // FF Cn, length (2), precision (1), height (2), width (2).
      return std::make_optional(
          std::make_pair(BigEndian(bytes, i + 7, 2), BigEndian(bytes, i + 5, 2)));
    }
    if (i + 4 > n) break;
    i += 2 + static_cast<size_t>(BigEndian(bytes, i + 2, 2));
  }
  return absl::DataLossError(
      absl::StrCat(path, ": JPEG has no frame header before its image data"));
}

absl::StatusOr<std::pair<int, int>> ReadImageSize(const std::string& path) {
  constexpr std::streamsize kPrefix = 256 * 1024;
  std::streamsize file_size = 0;
  absl::StatusOr<std::string> bytes = ReadPrefix(path, kPrefix, file_size);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<std::optional<std::pair<int64_t, int64_t>>> size = ImageHeaderSize(path, *bytes);
  if (!size.ok() && file_size > kPrefix) {  // the frame header lies past the prefix
    bytes = ReadPrefix(path, -1, file_size);
    if (!bytes.ok()) return bytes.status();
    size = ImageHeaderSize(path, *bytes);
  }
  if (!size.ok()) return size.status();
  if (!size->has_value()) {
    return absl::DataLossError(absl::StrCat(path, ": neither a JPEG nor a PNG"));
  }
  const auto [width, height] = **size;
  constexpr int64_t kMax = std::numeric_limits<int>::max();
  if (width < 1 || height < 1 || width > kMax || height > kMax) {
    return absl::DataLossError(
        absl::StrCat(path, ": image header says ", width, " x ", height, " pixels"));
  }
  return std::make_pair(static_cast<int>(width), static_cast<int>(height));
}

}  // namespace huale
