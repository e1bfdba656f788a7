#include "huale/data/idx_file.h"

#include <zlib.h>

#include "absl/strings/str_cat.h"

namespace huale {

absl::StatusOr<IdxArray> ReadIdxFile(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");  // reads plain files too
  if (file == nullptr) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::vector<uint8_t> bytes;
  uint8_t buffer[1 << 16];
  int n;
  while ((n = gzread(file, buffer, sizeof(buffer))) > 0) bytes.insert(bytes.end(), buffer, buffer + n);
  int error_number = 0;
  const char* error = gzerror(file, &error_number);
  const std::string error_text = error ? error : "";
  gzclose(file);
  if (n < 0 || (error_number != Z_OK && error_number != Z_STREAM_END)) {
    return absl::DataLossError(absl::StrCat(path, ": gzip data is corrupt (", error_text, ")"));
  }
  if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not an idx file of unsigned bytes (magic 0x000008NN expected)"));
  }
  IdxArray array;
  const int ndims = bytes[3];
  size_t offset = 4;
  if (ndims < 1 || bytes.size() < offset + 4 * ndims) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": idx header is truncated"));
  }
  size_t total = 1;
  for (int d = 0; d < ndims; ++d, offset += 4) {
    const uint32_t dim = (uint32_t{bytes[offset]} << 24) | (uint32_t{bytes[offset + 1]} << 16) |
                         (uint32_t{bytes[offset + 2]} << 8) | bytes[offset + 3];
    array.dims.push_back(static_cast<int>(dim));
    total *= dim;
  }
  if (bytes.size() - offset != total) {
    return absl::DataLossError(absl::StrCat(path, ": idx data has ", bytes.size() - offset,
                                            " bytes, its header says ", total));
  }
  array.data.assign(bytes.begin() + offset, bytes.end());
  return array;
}

}  // namespace huale
