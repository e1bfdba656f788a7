// For tests: the components a BUILD file declares, as listed by
// huale_component_family's `<name>_names.txt` (see //huale:component.bzl), so
// a test can compare a registry with its package's BUILD instead of a
// hand-kept list of names.
#ifndef HUALE_CORE_DECLARED_COMPONENTS_H_
#define HUALE_CORE_DECLARED_COMPONENTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace huale {

// The names of `family` in the "family name" lines of `runfile` (a path in the
// test's runfiles, e.g. "huale/losses/all_losses_names.txt", which the test
// takes as a data dependency), sorted like Registry::Names(). NotFound if the
// file cannot be read; InvalidArgument for a line that is not "family name".
absl::StatusOr<std::vector<std::string>> ReadDeclaredComponents(absl::string_view runfile,
                                                                absl::string_view family);

}  // namespace huale

#endif  // HUALE_CORE_DECLARED_COMPONENTS_H_
