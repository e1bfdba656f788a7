// Reader for the gzip-compressed idx files of MNIST and Fashion-MNIST
// (http://yann.lecun.com/exdb/mnist/: big-endian magic 0x0000080N, N dims,
// unsigned byte data), decompressed with zlib.
#ifndef HUALE_DATA_IDX_FILE_H_
#define HUALE_DATA_IDX_FILE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace huale {

struct IdxArray {
  std::vector<int> dims;       // e.g. {60000, 28, 28}
  std::vector<uint8_t> data;   // row-major
};

// Reads a (gzip or plain) idx file of unsigned bytes; errors name the file and
// what was expected.
absl::StatusOr<IdxArray> ReadIdxFile(const std::string& path);

}  // namespace huale

#endif  // HUALE_DATA_IDX_FILE_H_
