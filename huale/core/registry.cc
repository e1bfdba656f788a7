#include "huale/core/registry.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace huale {
namespace {

using Catalog = std::map<std::pair<std::string, std::string>, std::string>;

Catalog& GlobalCatalog() {
  static Catalog* const catalog = new Catalog();
  return *catalog;
}

// Levenshtein distance, case-insensitive.
size_t EditDistance(absl::string_view a, absl::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      const bool same = absl::ascii_tolower(a[i - 1]) == absl::ascii_tolower(b[j - 1]);
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

namespace registry_internal {

void AddToCatalog(absl::string_view family, absl::string_view name,
                  absl::string_view description) {
  auto [it, inserted] = GlobalCatalog().emplace(
      std::make_pair(std::string(family), std::string(name)), std::string(description));
  if (!inserted) {
    // Static-initialisation time: glog is not set up yet, so print plainly.
    std::fprintf(stderr,
                 "huale: %s '%s' is registered twice ('%s' and '%s'); component names "
                 "must be unique within a family\n",
                 std::string(family).c_str(), std::string(name).c_str(),
                 it->second.c_str(), std::string(description).c_str());
    std::abort();
  }
}

}  // namespace registry_internal

std::vector<ComponentInfo> AllRegisteredComponents() {
  std::vector<ComponentInfo> components;
  for (const auto& [key, description] : GlobalCatalog()) {
    components.push_back({key.first, key.second, description});
  }
  return components;
}

absl::Status CheckRegistered(absl::string_view family, absl::string_view name) {
  std::vector<std::string> known;
  for (const auto& [key, description] : GlobalCatalog()) {
    if (key.first != family) continue;
    if (key.second == name) return absl::OkStatus();
    known.push_back(key.second);
  }
  return UnknownComponentError(family, name, known);
}

std::string ClosestName(absl::string_view name, const std::vector<std::string>& known) {
  std::string best;
  size_t best_distance = 0;
  for (const std::string& candidate : known) {
    const size_t distance = EditDistance(name, candidate);
    if (best.empty() || distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

absl::Status UnknownComponentError(absl::string_view family, absl::string_view name,
                                   const std::vector<std::string>& known) {
  if (known.empty()) {
    return absl::NotFoundError(
        absl::StrCat("unknown ", family, " '", name, "': no ", family,
                     " is registered (is its library linked with alwayslink = True?)"));
  }
  return absl::NotFoundError(absl::StrCat("unknown ", family, " '", name,
                                          "' (did you mean '", ClosestName(name, known),
                                          "'?); known: ", absl::StrJoin(known, ", ")));
}

}  // namespace huale
