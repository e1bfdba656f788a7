#include "huale/engine/checkpoint.h"

#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <map>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "glog/logging.h"
#include "huale/core/atomic_file.h"

namespace huale {

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
  return WriteFileAtomically(path, bytes.str());
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
    torch::serialize::InputArchive archive;
    archive.load_from(path, device);
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
