#include "huale/core/declared_components.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace huale {

absl::StatusOr<std::vector<std::string>> ReadDeclaredComponents(absl::string_view runfile,
                                                                absl::string_view family) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  const std::string path = absl::StrCat(srcdir ? srcdir : ".", "/",
                                        workspace ? workspace : "huale", "/", runfile);
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat(path, ": cannot open; is it a data dependency of the test?"));
  }
  std::vector<std::string> names;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    const std::vector<std::string> fields = absl::StrSplit(line, ' ');
    if (fields.size() != 2) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", number,
                                                     ": expected \"family name\", found \"",
                                                     line, "\""));
    }
    if (fields[0] == family) names.push_back(fields[1]);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace huale
