// Command-line parsing shared by the binaries (run, sweep, detect): absl flags
// only (glog's own settings are set in code, not parsed).
#ifndef EXPERIMENTS_COMMAND_LINE_H_
#define EXPERIMENTS_COMMAND_LINE_H_

#include "absl/strings/string_view.h"

namespace huale {

// Exit status of a command line (or spec) the user has to fix.
inline constexpr int kExitUsage = 2;

// Sets the usage message and parses the flags; --help prints it (and exits 1,
// absl's rule). An
// undefined flag or a positional argument (all inputs are flags) prints what it
// is and exits kExitUsage; a malformed value exits 1 (absl's own rule).
void ParseFlagsOrExit(int argc, char** argv, absl::string_view usage);

}  // namespace huale

#endif  // EXPERIMENTS_COMMAND_LINE_H_
