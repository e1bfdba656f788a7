#include "huale/engine/checkpoint.h"

#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "glog/logging.h"
#include "huale/core/atomic_file.h"
#include "huale/core/digest.h"
#include "huale/core/status_macros.h"

namespace huale {
namespace {

// A checkpoint file: one header line, then LibTorch's archive (a zip).
//   huale-checkpoint 1 bytes <archive size> fnv1a64 <16 hex digits>\n
// LibTorch's reader does not notice every damaged byte (a changed byte of a
// zip header can load other weights silently); the digest does.
constexpr absl::string_view kMagic = "huale-checkpoint 1 ";

std::string WithHeader(const std::string& archive) {
  return absl::StrFormat("%sbytes %d fnv1a64 %016x\n%s", kMagic, archive.size(),
                         Fnv1a64(archive), archive);
}

// The archive of a file SaveCheckpoint wrote, checked against its header;
// nullopt for a file without the header (written before there was one).
absl::StatusOr<std::optional<absl::string_view>> VerifiedArchive(const std::string& path,
                                                                 absl::string_view file) {
  if (!absl::StartsWith(file, kMagic)) return std::nullopt;
  const size_t end = file.find('\n');
  int64_t size = -1;
  uint64_t digest = 0;
  std::vector<absl::string_view> fields =
      absl::StrSplit(file.substr(kMagic.size(), end - kMagic.size()), ' ');
  if (end == absl::string_view::npos || fields.size() != 4 || fields[0] != "bytes" ||
      !absl::SimpleAtoi(fields[1], &size) || fields[2] != "fnv1a64" ||
      !absl::SimpleHexAtoi(fields[3], &digest)) {
    return absl::DataLossError(absl::StrCat(path, ": damaged checkpoint header"));
  }
  const absl::string_view archive = file.substr(end + 1);
  if (static_cast<int64_t>(archive.size()) != size) {
    return absl::DataLossError(absl::StrCat(path, ": damaged checkpoint: ", archive.size(),
                                            " bytes where its header says ", size,
                                            " (cut short or appended to)"));
  }
  if (Fnv1a64(archive) != digest) {
    return absl::DataLossError(absl::StrCat(
        path, ": damaged checkpoint: its bytes changed since it was written (digest mismatch)"));
  }
  return std::make_optional(archive);
}

}  // namespace

absl::Status SaveCheckpoint(const std::string& path, const torch::nn::Module& model,
                            const torch::optim::Optimizer* optimizer,
                            const TrainPosition& position) {
  // In memory first: LibTorch's file writer fails inside a destructor on a
  // full disk (an abort); our writer checks every write and cleans up.
  std::ostringstream bytes;
  try {
    torch::serialize::OutputArchive archive;
    torch::serialize::OutputArchive model_archive;
    model.save(model_archive);
    archive.write("model", model_archive);
    if (optimizer != nullptr) {
      torch::serialize::OutputArchive optimizer_archive;
      optimizer->save(optimizer_archive);
      archive.write("optimizer", optimizer_archive);
    }
    archive.write("epochs_done", torch::tensor(position.epochs_done));
    archive.write("iteration", torch::tensor(position.iteration));
    archive.save_to(bytes);
  } catch (const c10::Error& error) {
    return absl::InternalError(
        absl::StrCat(path, ": cannot write checkpoint: ", error.what_without_backtrace()));
  }
  return WriteFileAtomically(path, WithHeader(bytes.str()));
}

std::string PreviousCheckpointPath(const std::string& path) {
  return absl::StrCat(path, ".previous");
}

absl::Status SaveCheckpointKeepingPrevious(const std::string& path,
                                           const torch::nn::Module& model,
                                           const torch::optim::Optimizer* optimizer,
                                           const TrainPosition& position) {
  std::error_code error;
  if (std::filesystem::exists(path, error)) {
    // previous := current, atomically: a link under a temporary name, renamed.
    const std::string previous = PreviousCheckpointPath(path);
    const std::string link = absl::StrCat(previous, ".tmp.", getpid());
    std::filesystem::remove(link, error);
    std::filesystem::create_hard_link(path, link, error);
    if (!error) std::filesystem::rename(link, previous, error);
    if (error) {
      std::filesystem::remove(link, error);
      return absl::InternalError(
          absl::StrCat(path, ": cannot keep the previous checkpoint: ", error.message()));
    }
  }
  return SaveCheckpoint(path, model, optimizer, position);
}

absl::StatusOr<TrainPosition> LoadCheckpoint(const std::string& path, torch::nn::Module& model,
                                             torch::optim::Optimizer* optimizer) {
  if (!std::filesystem::exists(path)) {
    return absl::NotFoundError(absl::StrCat(path, ": no checkpoint"));
  }
  TrainPosition position;
  try {
    // Tensors load onto the model's device, whatever device wrote them: a model
    // trained on a GPU resumes or detects on the CPU and back.
    torch::Device device(torch::kCPU);
    for (const auto& parameter : model.parameters()) {
      device = parameter.device();
      break;
    }
    HUALE_ASSIGN_OR_RETURN(const std::string file, ReadFile(path));
    HUALE_ASSIGN_OR_RETURN(const std::optional<absl::string_view> verified,
                           VerifiedArchive(path, file));
    torch::serialize::InputArchive archive;
    if (verified.has_value()) {
      archive.load_from(verified->data(), verified->size(), device);
    } else {
      archive.load_from(path, device);  // no header: written before there was one
    }
    torch::serialize::InputArchive model_archive;
    archive.read("model", model_archive);
    // InputArchive::read replaces a tensor with whatever shape the file holds, so
    // a checkpoint of another architecture would load silently: compare shapes.
    std::vector<std::pair<std::string, std::vector<int64_t>>> expected;
    for (const auto& item : model.named_parameters()) {
      expected.emplace_back(item.key(), item.value().sizes().vec());
    }
    for (const auto& item : model.named_buffers()) {
      expected.emplace_back(item.key(), item.value().sizes().vec());
    }
    model.load(model_archive);
    std::map<std::string, std::vector<int64_t>> loaded;
    for (const auto& item : model.named_parameters()) loaded[item.key()] = item.value().sizes().vec();
    for (const auto& item : model.named_buffers()) loaded[item.key()] = item.value().sizes().vec();
    for (const auto& [name, shape] : expected) {
      if (loaded[name] != shape) {
        return absl::DataLossError(absl::StrCat(
            path, ": not a checkpoint of this model: tensor '", name, "' has shape [",
            absl::StrJoin(loaded[name], ", "), "] in the file, the model expects [",
            absl::StrJoin(shape, ", "), "]"));
      }
    }
    torch::serialize::InputArchive optimizer_archive;
    if (optimizer != nullptr && archive.try_read("optimizer", optimizer_archive)) {
      optimizer->load(optimizer_archive);
    }
    torch::Tensor value;
    archive.read("epochs_done", value);
    position.epochs_done = value.item<int64_t>();
    archive.read("iteration", value);
    position.iteration = value.item<int64_t>();
  } catch (const c10::Error& error) {
    return absl::DataLossError(absl::StrCat(path, ": not a checkpoint of this model: ",
                                            error.what_without_backtrace()));
  } catch (const std::exception& error) {
    // LibTorch's reader throws more than c10::Error on a damaged archive.
    return absl::DataLossError(
        absl::StrCat(path, ": not a checkpoint of this model: ", error.what()));
  }
  return position;
}

absl::StatusOr<TrainPosition> LoadCheckpointOrPrevious(const std::string& path,
                                                       torch::nn::Module& model,
                                                       torch::optim::Optimizer* optimizer,
                                                       std::string* loaded_from) {
  absl::StatusOr<TrainPosition> loaded = LoadCheckpoint(path, model, optimizer);
  std::string from = path;
  const std::string previous = PreviousCheckpointPath(path);
  if (absl::IsDataLoss(loaded.status()) && std::filesystem::exists(previous)) {
    LOG(WARNING) << loaded.status().message() << "; falling back to " << previous;
    loaded = LoadCheckpoint(previous, model, optimizer);
    from = previous;
  }
  if (loaded.ok() && loaded_from != nullptr) *loaded_from = from;
  return loaded;
}

}  // namespace huale
