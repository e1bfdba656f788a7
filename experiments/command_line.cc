#include "experiments/command_line.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/strip.h"

namespace huale {
namespace {

// Handled by absl's parser itself, outside the flag registry (this absl version).
constexpr absl::string_view kBuiltinFlags[] = {
    "help",    "helpfull", "helpshort", "helppackage", "helpon",     "helpmatch",
    "version", "only_check_args", "flagfile", "fromenv", "tryfromenv", "undefok"};

const absl::CommandLineFlag* FindFlag(absl::string_view name) {
  if (const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name)) return flag;
  // --nofoo sets the bool flag foo to false.
  if (absl::ConsumePrefix(&name, "no")) {
    const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag != nullptr && flag->IsOfType<bool>()) return flag;
  }
  return nullptr;
}

// absl::ParseCommandLine exits 1 on an undefined flag; a usage error here exits
// kExitUsage like every other mistake on the command line.
void ExitOnUndefinedFlag(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") return;
    if (!absl::ConsumePrefix(&arg, "-")) continue;
    absl::ConsumePrefix(&arg, "-");
    const size_t equals = arg.find('=');
    const absl::string_view name = arg.substr(0, equals);
    if (std::find(std::begin(kBuiltinFlags), std::end(kBuiltinFlags), name) !=
        std::end(kBuiltinFlags)) {
      continue;
    }
    const absl::CommandLineFlag* flag = FindFlag(name);
    if (flag == nullptr) {
      std::fprintf(stderr, "%s: unknown flag '--%s' (see --help)\n", argv[0],
                   std::string(name).c_str());
      std::exit(kExitUsage);
    }
    if (equals == absl::string_view::npos && !flag->IsOfType<bool>()) ++i;  // "--flag value"
  }
}

}  // namespace

void ParseFlagsOrExit(int argc, char** argv, absl::string_view usage) {
  absl::SetProgramUsageMessage(usage);
  ExitOnUndefinedFlag(argc, argv);
  const std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() > 1) {
    std::fprintf(stderr, "%s: unexpected argument '%s' (all inputs are flags; see --help)\n",
                 positional[0], positional[1]);
    std::exit(kExitUsage);
  }
}

}  // namespace huale
