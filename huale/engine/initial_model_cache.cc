#include "huale/engine/initial_model_cache.h"

#include <sys/stat.h>

#include <cstdint>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/text_format.h"
#include "huale/core/atomic_file.h"
#include "huale/core/digest.h"

namespace huale {
namespace {

namespace fs = std::filesystem;

// One line per training image: its id, its image file's digest (every byte:
// a changed file changes the key) and its annotations as the reader gave them.
void AppendImageContents(const ImageRecord& image, std::string& text) {
  absl::StatusOr<std::string> bytes = ReadFile(image.path);
  // An unreadable image is part of what training saw (the reader's policy
  // decides what happens to it); its error stands in for the digest.
  const std::string digest = bytes.ok() ? absl::StrFormat("%016x", Fnv1a64(*bytes))
                                        : std::string(bytes.status().message());
  absl::StrAppendFormat(&text, "\n%s %s %dx%d:", image.id, digest, image.width, image.height);
  for (const Annotation& a : image.annotations) {
    absl::StrAppendFormat(&text, " [%.9g %.9g %.9g %.9g %d%s%s%s %.9g]", a.box.x1, a.box.y1,
                          a.box.x2, a.box.y2, a.label, a.difficult ? " difficult" : "",
                          a.truncated ? " truncated" : "", a.crowd ? " crowd" : "", a.area);
  }
}

// Size and modification time: cheap, and they change whenever the binary is rebuilt.
std::string BinaryIdentity(const std::string& path) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0) return "unknown binary";
  return absl::StrFormat("%d bytes, modified %d.%09d", static_cast<int64_t>(info.st_size),
                         static_cast<int64_t>(info.st_mtim.tv_sec),
                         static_cast<int64_t>(info.st_mtim.tv_nsec));
}

}  // namespace

InitialModelCache::InitialModelCache(const ExperimentSpec& spec)
    : directory_(absl::StrCat(spec.output_dir(), "/shared/initial_models")) {}

std::string InitialModelCache::Key(const ExperimentSpec& spec, const Dataset& pool,
                                   const std::vector<int64_t>& initial, int threads,
                                   const std::string& binary_path) {
  ExperimentSpec training = spec;
  training.clear_name();
  training.clear_acquisition();
  training.clear_evaluation();
  training.clear_output_dir();
  training.clear_threads();  // the threads actually used are part of the key
  training.mutable_schedule()->clear_budget_per_cycle();
  training.mutable_schedule()->clear_cycles();
  training.mutable_schedule()->clear_pool_subset();
  training.mutable_schedule()->clear_share_initial_model();
  std::string text;
  google::protobuf::TextFormat::PrintToString(training, &text);
  absl::StrAppend(&text, "\nthreads: ", threads, "\nbinary: ", BinaryIdentity(binary_path),
                  "\nclasses: ", absl::StrJoin(pool.class_names, ","), "\ninitial set:");
  for (int64_t index : initial) AppendImageContents(pool.images[index], text);
  return absl::StrFormat("%016x", Fnv1a64(text));
}

absl::StatusOr<std::optional<std::string>> InitialModelCache::Fetch(
    const std::string& key, const std::string& destination) const {
  const std::string model = absl::StrCat(directory_, "/", key, "/", kModelFile);
  std::error_code error;
  if (!fs::exists(model, error)) return std::optional<std::string>();
  absl::StatusOr<std::string> bytes = ReadFile(model);
  if (!bytes.ok()) return bytes.status();
  if (absl::Status s = WriteFileAtomically(destination, *bytes); !s.ok()) return s;
  absl::StatusOr<std::string> source = ReadFile(absl::StrCat(directory_, "/", key, "/", kSourceFile));
  return std::optional<std::string>(source.ok() ? *source : model);
}

absl::Status InitialModelCache::Store(const std::string& key, const std::string& model_path,
                                      const std::string& source_run) const {
  absl::StatusOr<std::string> bytes = ReadFile(model_path);
  if (!bytes.ok()) return bytes.status();
  const std::string folder = absl::StrCat(directory_, "/", key);
  // The source first: a model without it is still usable, the reverse is not.
  if (absl::Status s = WriteFileAtomically(absl::StrCat(folder, "/", kSourceFile), source_run);
      !s.ok()) {
    return s;
  }
  return WriteFileAtomically(absl::StrCat(folder, "/", kModelFile), *bytes);
}

}  // namespace huale
