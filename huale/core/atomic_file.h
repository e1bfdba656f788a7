// Crash-safe file writes: results, pools and checkpoints are written to a
// temporary file in the same directory, flushed, and renamed over the target,
// so a killed run leaves either the old or the new file, never a torn one.
#ifndef HUALE_CORE_ATOMIC_FILE_H_
#define HUALE_CORE_ATOMIC_FILE_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace huale {

// Writes `contents` to `path` atomically, creating parent directories.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents);

// For writers that need a file name (e.g. torch::save): `write` fills the given
// temporary path; on success it is renamed to `path`, on failure removed.
absl::Status WriteFileAtomicallyWith(const std::string& path,
                                     const std::function<absl::Status(const std::string&)>& write);

absl::StatusOr<std::string> ReadFile(const std::string& path);

}  // namespace huale

#endif  // HUALE_CORE_ATOMIC_FILE_H_
