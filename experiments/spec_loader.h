// Reads an experiment spec (text proto) and resolves paths against the user's
// working tree, so `bazel run` (whose working directory is the runfiles tree)
// and a plain binary behave alike.
#ifndef EXPERIMENTS_SPEC_LOADER_H_
#define EXPERIMENTS_SPEC_LOADER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "huale/engine/experiment_spec.pb.h"

namespace huale {

// The directory relative paths are resolved against: $BUILD_WORKSPACE_DIRECTORY
// under `bazel run`, the current directory otherwise.
std::string UserDirectory();

// `path` if absolute, else joined to UserDirectory().
std::string ResolveUserPath(absl::string_view path);

// A spec argument as given on the command line: a path, or a bare file name
// (no '/') that is looked up in experiments/specs/ when it is not a file in the
// user directory. ".pbtxt" may be omitted from a bare name.
absl::StatusOr<std::string> ResolveSpecPath(absl::string_view spec_argument);

// Parses a text-format spec. Syntax errors are InvalidArgument with
// "FILE:LINE:COLUMN: message" (1-based), naming the offending field.
absl::StatusOr<ExperimentSpec> ParseSpecText(absl::string_view text,
                                             absl::string_view file_name);
absl::StatusOr<ExperimentSpec> LoadSpec(absl::string_view path);

}  // namespace huale

#endif  // EXPERIMENTS_SPEC_LOADER_H_
