#include "huale/engine/device.h"

#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>
#include <ATen/detail/CUDAHooksInterface.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace huale {

bool BuiltWithCuda() { return at::detail::getCUDAHooks().isBuilt(); }

absl::Status CheckDeviceUsable(const std::string& device) {
  if (device == "cpu") return absl::OkStatus();
  int index = 0;
  if (device != "cuda") {
    if (!absl::StartsWith(device, "cuda:") ||
        !absl::SimpleAtoi(device.substr(5), &index) || index < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "expected \"cpu\", \"cuda\" or \"cuda:N\", found \"", device, "\""));
    }
  }
  if (!BuiltWithCuda()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "\"", device, "\": this build has no CUDA (build with --config=cuda)"));
  }
  const int visible = static_cast<int>(at::detail::getCUDAHooks().deviceCount());
  if (visible == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("\"", device, "\": no CUDA device visible"));
  }
  if (index >= visible) {
    return absl::FailedPreconditionError(absl::StrCat(
        "\"", device, "\": only ", visible, " CUDA device", visible == 1 ? "" : "s",
        " visible (cuda:0 to cuda:", visible - 1, ")"));
  }
  return absl::OkStatus();
}

at::Tensor ToDevice(const at::Tensor& host, const c10::Device& device) {
  if (!device.is_cuda()) return host.to(device);
  return host.pin_memory().to(device, /*non_blocking=*/true);
}

AutocastScope::AutocastScope(const c10::Device& device, bool enabled)
    : type_(device.type()), enabled_(enabled) {
  if (!enabled_) return;
  previous_enabled_ = at::autocast::is_autocast_enabled(type_);
  previous_dtype_ = at::autocast::get_autocast_dtype(type_);
  at::autocast::set_autocast_enabled(type_, true);
  at::autocast::set_autocast_dtype(type_, at::kBFloat16);
}

AutocastScope::~AutocastScope() {
  if (!enabled_) return;
  at::autocast::set_autocast_enabled(type_, previous_enabled_);
  at::autocast::set_autocast_dtype(type_, previous_dtype_);
  at::autocast::clear_cache();
}

}  // namespace huale
