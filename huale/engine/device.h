// Devices named by a string ("cpu", "cuda", "cuda:N"): whether this build and
// this machine can run on one, said before any work, and what a program moves
// to it (pinned host memory, non-blocking copies).
#ifndef HUALE_ENGINE_DEVICE_H_
#define HUALE_ENGINE_DEVICE_H_

#include <string>

#include "absl/status/status.h"

namespace at {
class Tensor;
}  // namespace at

namespace c10 {
struct Device;
}  // namespace c10

namespace huale {

// OK when `device` can be used here. InvalidArgument for a malformed name;
// FailedPrecondition "this build has no CUDA (build with --config=cuda)" or
// "no CUDA device visible" / "cuda:3: only 1 CUDA device visible".
absl::Status CheckDeviceUsable(const std::string& device);

// Whether this binary was linked with LibTorch's CUDA libraries.
bool BuiltWithCuda();

// `host` (a CPU tensor) on `device`: through pinned memory with a non-blocking
// copy when the device is a GPU, as is otherwise.
at::Tensor ToDevice(const at::Tensor& host, const c10::Device& device);

}  // namespace huale

#endif  // HUALE_ENGINE_DEVICE_H_
