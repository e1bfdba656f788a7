// Whole-file writes that never leave a half-written file behind: the text goes
// to a temporary file beside the target, is flushed, and is renamed over it
// (rename(2) is atomic within one file system).
#ifndef HUALE_DATA_ATOMIC_FILE_H_
#define HUALE_DATA_ATOMIC_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace huale {

// Writes `contents` to `path` through `path`.tmp.<pid> and a rename.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents);

// The whole file; NotFound names the path.
absl::StatusOr<std::string> ReadFileToString(const std::string& path);

}  // namespace huale

#endif  // HUALE_DATA_ATOMIC_FILE_H_
