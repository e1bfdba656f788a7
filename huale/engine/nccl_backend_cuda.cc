// The CUDA build's MakeNcclBackend (nccl_backend.h): LibTorch's ProcessGroupNCCL
// on the same TCPStore as Gloo would use, with the run's collective timeout.
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>

#include "huale/engine/nccl_backend.h"

namespace huale {

absl::StatusOr<c10::intrusive_ptr<c10d::Backend>> MakeNcclBackend(
    const c10::intrusive_ptr<c10d::Store>& store, int rank, int world_size,
    std::chrono::milliseconds timeout) {
  auto options = c10d::ProcessGroupNCCL::Options::create();
  options->timeout = timeout;
  return c10::intrusive_ptr<c10d::Backend>(
      c10::make_intrusive<c10d::ProcessGroupNCCL>(store, rank, world_size, options));
}

}  // namespace huale
