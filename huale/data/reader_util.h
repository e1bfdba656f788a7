// Pieces both dataset readers share: box repair under the bad-sample rules,
// file checks, the class list a spec chooses, and keeping an annotation file
// before people's labels replace it.
#ifndef HUALE_DATA_READER_UTIL_H_
#define HUALE_DATA_READER_UTIL_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/status/statusor.h"
#include "huale/core/box.h"
#include "huale/data/bad_samples.h"

namespace huale {

// Clips `box` to the image (counted as kClippedBox when it changed) and drops it
// (kDroppedBox, nullopt) when non-finite or of zero or negative area after
// clipping. `where` names the file and field for the summary. Under the
// FAIL_FAST policy any such box is the error BadSampleLog::Repair returns.
absl::StatusOr<std::optional<Box>> RepairBox(const Box& box, int image_width, int image_height,
                                             const std::string& where, BadSampleLog& log);

bool FileExists(const std::string& path);
bool DirectoryExists(const std::string& path);

// `a`/`b` without doubling the separator; `b` absolute stays as is.
std::string JoinPath(absl::string_view a, absl::string_view b);

// Keeps the annotation file `path` before huale replaces it with people's
// labels: a hard link (a copy where links are refused) at
// <path>.before-huale, or .before-huale.2, .3, ... when taken; `path` itself
// is left in place for the caller's atomic replace, so no moment lacks it.
// Returns where the old file went.
absl::StatusOr<std::string> KeepAside(const std::string& path);

// An empty split is always an error, whatever the policy: there is nothing to
// learn from or evaluate on.
absl::Status EmptySplitError(const std::string& where, int skipped);

}  // namespace huale

#endif  // HUALE_DATA_READER_UTIL_H_
