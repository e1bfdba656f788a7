// ProcessGroupNCCL for distributed.cc: built only by --config=cuda (LibTorch's
// NCCL backend lives in libtorch_cuda.so); the CPU build says how to get it.
#ifndef HUALE_ENGINE_NCCL_BACKEND_H_
#define HUALE_ENGINE_NCCL_BACKEND_H_

#include <chrono>

#include <torch/csrc/distributed/c10d/Backend.hpp>
#include <torch/csrc/distributed/c10d/Store.hpp>

#include "absl/status/statusor.h"

namespace huale {

absl::StatusOr<c10::intrusive_ptr<c10d::Backend>> MakeNcclBackend(
    const c10::intrusive_ptr<c10d::Store>& store, int rank, int world_size,
    std::chrono::milliseconds timeout);

}  // namespace huale

#endif  // HUALE_ENGINE_NCCL_BACKEND_H_
