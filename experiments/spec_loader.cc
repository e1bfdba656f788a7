#include "experiments/spec_loader.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
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


// Where a reference to a spec may point: `directory`/REF (and REF.pbtxt for a
// bare name without the extension), then, for a bare name (no '/'),
// experiments/specs/ in the user directory.
std::vector<std::string> SpecCandidates(absl::string_view reference, const fs::path& directory) {
  std::vector<std::string> candidates;
  auto add = [&candidates](std::string path) {
    if (std::find(candidates.begin(), candidates.end(), path) == candidates.end()) {
      candidates.push_back(std::move(path));
    }
  };
  const fs::path ref{std::string(reference)};
  add(ref.is_absolute() ? ref.string() : (directory / ref).lexically_normal().string());
  if (absl::StrContains(reference, '/')) return candidates;
  std::string name(reference);
  if (!absl::EndsWith(name, ".pbtxt")) {
    name += ".pbtxt";
    add((directory / name).lexically_normal().string());
  }
  add(ResolveUserPath(absl::StrCat("experiments/specs/", name)));
  return candidates;
}

// The first candidate that is a file; NotFound listing them all otherwise.
absl::StatusOr<std::string> FindSpecFile(absl::string_view what, absl::string_view reference,
                                         const fs::path& directory) {
  const std::vector<std::string> candidates = SpecCandidates(reference, directory);
  for (const std::string& candidate : candidates) {
    if (fs::is_regular_file(candidate)) return candidate;
  }
  return absl::NotFoundError(absl::StrCat(what, " '", reference, "' not found; looked for: ",
                                          absl::StrJoin(candidates, ", ")));
}

absl::Status Parse(absl::string_view text, absl::string_view file_name, ExperimentSpec& spec,
                   google::protobuf::TextFormat::ParseInfoTree* locations) {
  SpecErrorCollector errors{std::string(file_name), text};
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  parser.WriteLocationsTo(locations);
  if (!parser.ParseFromString(std::string(text), &spec) || !errors.errors().empty()) {
    return absl::InvalidArgumentError(absl::StrJoin(errors.errors(), "\n"));
  }
  return absl::OkStatus();
}

// One file of a base chain. `chain` holds the files that led here (canonical
// paths for the cycle check, and as named for the message).
struct ChainLink {
  std::string canonical;
  std::string named;
};

// Records where `message`'s set fields were written, under `prefix`.
void RecordLocations(const google::protobuf::Message& message,
                     const google::protobuf::TextFormat::ParseInfoTree* tree,
                     const std::string& file, const std::string& prefix,
                     SpecLocations& out) {
  if (tree == nullptr) return;
  const google::protobuf::Reflection& reflection = *message.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection.ListFields(message, &fields);
  auto place = [&](const google::protobuf::FieldDescriptor* field, int index) {
    const google::protobuf::TextFormat::ParseLocation at = tree->GetLocation(field, index);
    return at.line < 0 ? std::string()
                       : absl::StrCat(file, ":", at.line + 1, ":", at.column + 1);
  };
  for (const google::protobuf::FieldDescriptor* field : fields) {
    const std::string path = absl::StrCat(prefix, field->name());
    const bool nested = field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE;
    if (!field->is_repeated()) {
      if (std::string at = place(field, -1); !at.empty()) out[path] = at;
      if (nested) {
        RecordLocations(reflection.GetMessage(message, field), tree->GetTreeForNested(field, -1),
                        file, path + ".", out);
      }
      continue;
    }
    // A repeated field given here replaces the base's list: forget its places.
    for (auto it = out.lower_bound(path + "["); it != out.end() &&
                                                absl::StartsWith(it->first, path + "[");) {
      it = out.erase(it);
    }
    for (int i = 0; i < reflection.FieldSize(message, field); ++i) {
      const std::string element = absl::StrCat(path, "[", i, "]");
      if (std::string at = place(field, i); !at.empty()) {
        out[element] = at;
        if (i == 0) out[path] = at;
      }
      if (nested) {
        RecordLocations(reflection.GetRepeatedMessage(message, field, i),
                        tree->GetTreeForNested(field, i), file, element + ".", out);
      }
    }
  }
}

absl::StatusOr<ExperimentSpec> LoadChain(const std::string& path, std::vector<ChainLink>& chain,
                                         SpecLocations* out_locations) {
  std::ifstream in{path};
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open the spec file"));
  std::stringstream text;
  text << in.rdbuf();
  ExperimentSpec spec;
  google::protobuf::TextFormat::ParseInfoTree locations;
  if (absl::Status parsed = Parse(text.str(), path, spec, &locations); !parsed.ok()) return parsed;
  if (!spec.has_base()) {
    if (out_locations != nullptr) RecordLocations(spec, &locations, path, "", *out_locations);
    return spec;
  }

  const google::protobuf::TextFormat::ParseLocation at = locations.GetLocation(
      ExperimentSpec::descriptor()->FindFieldByNumber(ExperimentSpec::kBaseFieldNumber), -1);
  const std::string where = absl::StrCat(path, ":", at.line + 1, ":", at.column + 1);
  absl::StatusOr<std::string> base_path =
      FindSpecFile("base", spec.base(), fs::path(path).parent_path());
  if (!base_path.ok()) {
    return absl::Status(base_path.status().code(),
                        absl::StrCat(where, ": ", base_path.status().message()));
  }
  const std::string canonical = fs::weakly_canonical(*base_path).string();
  for (const ChainLink& link : chain) {
    if (link.canonical != canonical) continue;
    std::vector<std::string> names;
    for (const ChainLink& l : chain) names.push_back(l.named);
    names.push_back(*base_path);
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": base cycle: ", absl::StrJoin(names, " -> ")));
  }
  chain.push_back({canonical, *base_path});
  absl::StatusOr<ExperimentSpec> base = LoadChain(*base_path, chain, out_locations);
  if (!base.ok()) {
    return absl::Status(base.status().code(), absl::StrCat(base.status().message(),
                                                           "\n  in the base of ", where));
  }
  spec.clear_base();
  if (out_locations != nullptr) RecordLocations(spec, &locations, path, "", *out_locations);
  MergeSpecOverlay(spec, *base);
  return base;
}

// A registered component: a `name` and its options in a oneof.
bool IsComponentChoice(const google::protobuf::Descriptor& message) {
  const google::protobuf::FieldDescriptor* name = message.FindFieldByName("name");
  return name != nullptr && !name->is_repeated() &&
         name->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_STRING &&
         message.oneof_decl_count() > 0;
}

// MergeSpecOverlay's rules; moves fields out of `overlay`.
void MergeConsuming(google::protobuf::Message& overlay, google::protobuf::Message& base) {
  using google::protobuf::FieldDescriptor;
  const google::protobuf::Descriptor& type = *overlay.GetDescriptor();
  const google::protobuf::Reflection& reflection = *overlay.GetReflection();
  if (IsComponentChoice(type)) {
    const FieldDescriptor* name = type.FindFieldByName("name");
    if (reflection.HasField(overlay, name) &&
        reflection.GetString(overlay, name) != reflection.GetString(base, name)) {
      base.CopyFrom(overlay);
      return;
    }
  }
  std::vector<const FieldDescriptor*> fields;
  reflection.ListFields(overlay, &fields);
  for (const FieldDescriptor* field : fields) {
    if (const google::protobuf::OneofDescriptor* oneof = field->containing_oneof()) {
      const FieldDescriptor* in_base = reflection.GetOneofFieldDescriptor(base, oneof);
      if (in_base != nullptr && in_base != field) reflection.ClearOneof(&base, oneof);
    }
    if (field->is_repeated() || field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
      reflection.ClearField(&base, field);
      reflection.SwapFields(&overlay, &base, {field});
    } else {
      MergeConsuming(*reflection.MutableMessage(&overlay, field),
                     *reflection.MutableMessage(&base, field));
    }
  }
}

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
  return FindSpecFile("spec", spec_argument, UserDirectory());
}

absl::StatusOr<ExperimentSpec> ParseSpecText(absl::string_view text,
                                             absl::string_view file_name) {
  ExperimentSpec spec;
  if (absl::Status parsed = Parse(text, file_name, spec, nullptr); !parsed.ok()) return parsed;
  return spec;
}

absl::StatusOr<ExperimentSpec> LoadSpec(absl::string_view path, SpecLocations* locations) {
  std::vector<ChainLink> chain{{fs::weakly_canonical(std::string(path)).string(), std::string(path)}};
  return LoadChain(std::string(path), chain, locations);
}

std::string LocationOf(const SpecLocations& locations, absl::string_view field_path) {
  std::string path(field_path);
  while (!path.empty()) {
    if (auto it = locations.find(path); it != locations.end()) return it->second;
    const size_t cut = path.find_last_of(".[");
    if (cut == std::string::npos) break;
    path.resize(cut);
  }
  return "";
}

void MergeSpecOverlay(const google::protobuf::Message& overlay, google::protobuf::Message& base) {
  std::unique_ptr<google::protobuf::Message> consumed(overlay.New());
  consumed->CopyFrom(overlay);
  MergeConsuming(*consumed, base);
}

ExperimentSpec WithUserPaths(const ExperimentSpec& written) {
  ExperimentSpec spec = written;
  if (!spec.dataset().root().empty()) {
    spec.mutable_dataset()->set_root(ResolveUserPath(spec.dataset().root()));
  }
  if (!spec.model().weights().empty()) {
    spec.mutable_model()->set_weights(ResolveUserPath(spec.model().weights()));
  }
  if (!spec.model().backbone_weights().empty()) {
    spec.mutable_model()->set_backbone_weights(ResolveUserPath(spec.model().backbone_weights()));
  }
  spec.set_output_dir(ResolveUserPath(spec.output_dir()));
  return spec;
}

}  // namespace huale
