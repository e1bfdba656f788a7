// The CPU build's MakeNcclBackend (nccl_backend.h).
#include "huale/engine/nccl_backend.h"

namespace huale {

absl::StatusOr<c10::intrusive_ptr<c10d::Backend>> MakeNcclBackend(
    const c10::intrusive_ptr<c10d::Store>&, int, int, std::chrono::milliseconds) {
  return absl::FailedPreconditionError(
      "the NCCL backend needs the CUDA build (bazel ... --config=cuda); this build has Gloo "
      "only (device \"cpu\")");
}

}  // namespace huale
