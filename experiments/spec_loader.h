// Reads an experiment spec (text proto), following its `base` chain, and finds
// spec files and paths in the user's working tree, so `bazel run` (whose working
// directory is the runfiles tree) and a plain binary behave alike.
#ifndef EXPERIMENTS_SPEC_LOADER_H_
#define EXPERIMENTS_SPEC_LOADER_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
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

// Parses one text-format spec, its `base` kept. Syntax errors are
// InvalidArgument with "FILE:LINE:COLUMN: message" (1-based), naming the
// offending field.
absl::StatusOr<ExperimentSpec> ParseSpecText(absl::string_view text,
                                             absl::string_view file_name);

// Reads the spec at `path` as written: its base (recursively) with this file's
// fields merged on top (MergeSpecOverlay), `base` cleared; paths stay as
// written. Errors name the file, line and column they come from (a base's own
// file), followed by the chain of files that included it; a missing base and a
// cycle of bases name the `base` field that caused them.
//
// `locations`, when given, receives where each field that the text sets was
// written: "file:line:column" (1-based) by field path ("acquisition.huale.
// retrieval_ratio", "losses[1].smooth_l1.beta", a repeated field also under its
// name alone), the overlay's place where it replaced the base's.
using SpecLocations = std::map<std::string, std::string>;
absl::StatusOr<ExperimentSpec> LoadSpec(absl::string_view path,
                                        SpecLocations* locations = nullptr);

// The place of `field_path` or of its closest enclosing field the text sets
// ("schedule" for a default "schedule.cycles"); empty when none.
std::string LocationOf(const SpecLocations& locations, absl::string_view field_path);

// Applies `overlay` on top of `base` (both the same message type), the rules
// documented at ExperimentSpec.base: a set singular field replaces; a set
// message merges field by field; a non-empty repeated field replaces the whole
// list (protobuf's MergeFrom would append); a set oneof member replaces the
// base's other member; a message with a `name` and a oneof of options (a
// registered component: AcquisitionSpec, LossSpec) whose `name` differs from
// the base's replaces it whole, so the old component's options do not linger.
void MergeSpecOverlay(const google::protobuf::Message& overlay, google::protobuf::Message& base);

// The spec the run reads and writes with: dataset.root, model.weights and
// output_dir joined to UserDirectory() when relative. The run folder records
// the spec as written instead, so that a moved checkout still resumes.
ExperimentSpec WithUserPaths(const ExperimentSpec& written);

}  // namespace huale

#endif  // EXPERIMENTS_SPEC_LOADER_H_
