#include "huale/data/voc_classes.h"

#include <sys/stat.h>

#include <fstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace huale {

const std::vector<std::string>& VocClassNames() {
  static const std::vector<std::string>* const names = new std::vector<std::string>{
      "aeroplane", "bicycle", "bird",  "boat",      "bottle", "bus",         "car",
      "cat",       "chair",   "cow",   "diningtable", "dog",  "horse",       "motorbike",
      "person",    "pottedplant", "sheep", "sofa",  "train",  "tvmonitor"};
  return *names;
}

namespace {

// The names of a class-list file, possibly none.
absl::StatusOr<VocClassList> ReadClassNames(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read the class list"));
  VocClassList classes;
  classes.source = path;
  std::unordered_map<std::string, int> line_of;
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    std::string name(absl::StripAsciiWhitespace(line));
    if (name.empty()) continue;
    const auto [first, inserted] = line_of.emplace(name, line_number);
    if (!inserted) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", line_number, ": class '", name,
                       "' is listed twice (first on line ", first->second, ")"));
    }
    classes.names.push_back(std::move(name));
  }
  if (in.bad()) return absl::DataLossError(absl::StrCat(path, ": read error"));
  return classes;
}

}  // namespace

absl::StatusOr<VocClassList> ReadVocClassList(const std::string& path) {
  absl::StatusOr<VocClassList> classes = ReadClassNames(path);
  if (classes.ok() && classes->names.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": expected one class name a line, found none"));
  }
  return classes;
}

absl::StatusOr<VocClassList> VocClassesOfRoot(const std::string& root) {
  const std::string path = absl::StrCat(root, "/classes.txt");
  struct stat info;
  if (::stat(path.c_str(), &info) == 0) {
    absl::StatusOr<VocClassList> classes = ReadClassNames(path);
    // An empty classes.txt gives the devkit classes, for a devkit.
    if (!classes.ok() || !classes->names.empty()) return classes;
  }
  return VocClassList{VocClassNames(), "the 20 PASCAL VOC classes"};
}

}  // namespace huale
