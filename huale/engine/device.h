// Devices named by a string ("cpu", "cuda", "cuda:N"): whether this build and
// this machine can run on one, said before any work, and what a program moves
// to it (pinned host memory, non-blocking copies).
#ifndef HUALE_ENGINE_DEVICE_H_
#define HUALE_ENGINE_DEVICE_H_

#include <string>

#include <c10/core/Device.h>
#include <c10/core/DeviceType.h>
#include <c10/core/ScalarType.h>

#include "absl/status/status.h"

namespace at {
class Tensor;
}  // namespace at

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

// bfloat16 autocast on `device`'s type for the scope's lifetime when `enabled`
// (training.amp); the previous autocast state is restored on exit.
class AutocastScope {
 public:
  AutocastScope(const c10::Device& device, bool enabled);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  const c10::DeviceType type_;
  const bool enabled_;
  bool previous_enabled_ = false;
  c10::ScalarType previous_dtype_ = c10::kBFloat16;
};

}  // namespace huale

#endif  // HUALE_ENGINE_DEVICE_H_
