// Fuzzes reading a checkpoint damaged after it was written, as --resume meets
// train_state.pt or model.pt: the input edits a valid checkpoint of a small
// model with its optimiser state. Its first 4 bytes say where the file is cut
// (modulo its size + 1), then every 3 bytes overwrite one byte (2 bytes of
// offset, scaled to the file, and the value). LoadCheckpoint gives the
// position or an error (kDataLoss naming the file), never a crash.
//
// Why checkpoints carry huale's header (digest and length): without it,
// LibTorch's reader alone faces the damage, and a changed byte of a zip header
// loaded other weights silently (checkpoint_test), while fuzzing found its zip
// reader leaking when it throws and its unpickler allocating 2.5 GB for a
// damaged length field. Files from before the header are still read, by
// LibTorch alone.
#include <cstddef>
#include <cstdint>
#include <string>

#include <torch/torch.h>

#include "huale/core/atomic_file.h"
#include "huale/engine/checkpoint.h"
#include "third_party/fuzz_input_file.h"

namespace {

struct SmallNet : torch::nn::Module {
  SmallNet() {
    fc1 = register_module("fc1", torch::nn::Linear(3, 4));
    fc2 = register_module("fc2", torch::nn::Linear(4, 1));
  }
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
};

const std::string* valid = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  torch::set_num_threads(1);
  torch::manual_seed(0);
  SmallNet net;
  torch::optim::SGD sgd(net.parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  sgd.zero_grad();
  net.fc2(torch::relu(net.fc1(torch::ones({2, 3})))).sum().backward();
  sgd.step();
  const std::string path = FuzzInputFolder() + "/valid.pt";
  if (!huale::SaveCheckpoint(path, net, &sgd, {2, 7}).ok()) std::abort();
  absl::StatusOr<std::string> bytes = huale::ReadFile(path);
  if (!bytes.ok() || bytes->empty()) std::abort();
  valid = new std::string(*std::move(bytes));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string file = *valid;
  if (size >= 4) {
    const uint32_t cut = (uint32_t{data[0]} << 24) | (uint32_t{data[1]} << 16) |
                         (uint32_t{data[2]} << 8) | data[3];
    file.resize(std::min<size_t>(file.size(), cut % (file.size() + 1)));
  }
  for (size_t i = 4; i + 2 < size && !file.empty(); i += 3) {
    const size_t offset = ((size_t{data[i]} << 8) | data[i + 1]) * file.size() / 65536;
    file[offset] = static_cast<char>(data[i + 2]);
  }
  const std::string path =
      FuzzInputFile("train_state.pt", reinterpret_cast<const uint8_t*>(file.data()), file.size());
  SmallNet net;
  torch::optim::SGD sgd(net.parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  (void)huale::LoadCheckpoint(path, net, &sgd);
  return 0;
}
