#include "experiments/spec_loader.h"

#include <cstdlib>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace huale {
namespace {

namespace fs = std::filesystem;

// Collects every parse error with its position instead of printing to stderr.
// Each error quotes its source line with a caret, so the field is named even
// when protobuf's message only says what it expected.
class SpecErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  SpecErrorCollector(std::string file_name, absl::string_view text)
      : file_name_(std::move(file_name)), lines_(absl::StrSplit(text, '\n')) {}

  void AddError(int line, int column, const std::string& message) override {
    // Protobuf counts from 0; editors count from 1.
    std::string error =
        absl::StrCat(file_name_, ":", line + 1, ":", column + 1, ": ", message);
    if (line >= 0 && line < static_cast<int>(lines_.size())) {
      absl::StrAppend(&error, "\n    ", lines_[line], "\n    ",
                      std::string(std::max(0, column), ' '), "^");
    }
    errors_.push_back(std::move(error));
  }
  void AddWarning(int line, int column, const std::string& message) override {
    AddError(line, column, absl::StrCat("warning: ", message));
  }

  const std::vector<std::string>& errors() const { return errors_; }

 private:
  std::string file_name_;
  std::vector<std::string> lines_;
  std::vector<std::string> errors_;
};

}  // namespace

std::string UserDirectory() {
  if (const char* workspace = std::getenv("BUILD_WORKSPACE_DIRECTORY");
      workspace != nullptr && *workspace != '\0') {
    return workspace;
  }
  std::error_code error;
  fs::path current = fs::current_path(error);
  return error ? "." : current.string();
}

std::string ResolveUserPath(absl::string_view path) {
  fs::path p{std::string(path)};
  if (p.is_absolute()) return p.string();
  return (fs::path(UserDirectory()) / p).lexically_normal().string();
}

absl::StatusOr<std::string> ResolveSpecPath(absl::string_view spec_argument) {
  if (spec_argument.empty()) {
    return absl::InvalidArgumentError(
        "no spec given: pass --spec=NAME.pbtxt (a file, or a name in experiments/specs/)");
  }
  std::vector<std::string> tried;
  const std::string direct = ResolveUserPath(spec_argument);
  tried.push_back(direct);
  if (fs::is_regular_file(direct)) return direct;
  if (!absl::StrContains(spec_argument, '/')) {
    std::string name(spec_argument);
    if (!absl::EndsWith(name, ".pbtxt")) name += ".pbtxt";
    const std::string in_specs = ResolveUserPath(absl::StrCat("experiments/specs/", name));
    tried.push_back(in_specs);
    if (fs::is_regular_file(in_specs)) return in_specs;
  }
  return absl::NotFoundError(absl::StrCat("spec '", spec_argument,
                                          "' not found; looked for: ",
                                          absl::StrJoin(tried, ", ")));
}

absl::StatusOr<ExperimentSpec> ParseSpecText(absl::string_view text,
                                             absl::string_view file_name) {
  SpecErrorCollector errors{std::string(file_name), text};
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  ExperimentSpec spec;
  if (!parser.ParseFromString(std::string(text), &spec) || !errors.errors().empty()) {
    return absl::InvalidArgumentError(absl::StrJoin(errors.errors(), "\n"));
  }
  return spec;
}

absl::StatusOr<ExperimentSpec> LoadSpec(absl::string_view path) {
  std::ifstream in{std::string(path)};
  if (!in) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot open the spec file"));
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseSpecText(text.str(), path);
}

}  // namespace huale
