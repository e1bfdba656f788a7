#include "huale/models/ops/torchvision_reference.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <dlfcn.h>

#include <cstdlib>
#include <mutex>
#include <string>

#include "absl/strings/str_cat.h"

namespace huale {
namespace ops {
namespace reference {
namespace {

constexpr char kDefaultPrefix[] = "/opt/huale/py";
constexpr char kSitePackages[] = "lib/python3.11/site-packages";

std::string Prefix() {
  if (const char* env = std::getenv("HUALE_PY_PREFIX"); env && *env) return env;
  return kDefaultPrefix;
}

c10::OperatorHandle Op(const char* name) {
  return c10::Dispatcher::singleton().findSchemaOrThrow(name, "");
}

absl::Status Open(const std::string& path) {
  if (dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL) == nullptr) {
    return absl::NotFoundError(absl::StrCat(
        "torchvision reference: dlopen(", path, "): ", dlerror(),
        "; run `bash tools/setup.sh` (it installs torchvision into ", kDefaultPrefix, ")"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status LoadTorchvision() {
  static std::once_flag once;
  static absl::Status status;
  std::call_once(once, [] {
    const std::string prefix = Prefix();
    const std::string site = absl::StrCat(prefix, "/", kSitePackages);
    const std::string lib = absl::StrCat(site, "/torch/lib/");
    for (const std::string& path :
         {absl::StrCat(prefix, "/lib/libpython-reference.so"), lib + "libc10_cuda.so",
          lib + "libtorch_cuda.so", lib + "libtorch.so", lib + "libtorch_python.so",
          absl::StrCat(site, "/torchvision/_C.so")}) {
      status = Open(path);
      if (!status.ok()) return;
    }
  });
  return status;
}

torch::Tensor TorchvisionNms(const torch::Tensor& boxes, const torch::Tensor& scores,
                             double iou_threshold) {
  static const auto op =
      Op("torchvision::nms").typed<at::Tensor(const at::Tensor&, const at::Tensor&, double)>();
  return op.call(boxes, scores, iou_threshold);
}

torch::Tensor TorchvisionRoiAlign(const torch::Tensor& input, const torch::Tensor& rois,
                                  double spatial_scale, int64_t pooled_height,
                                  int64_t pooled_width, int64_t sampling_ratio,
                                  bool aligned) {
  static const auto op =
      Op("torchvision::roi_align")
          .typed<at::Tensor(const at::Tensor&, const at::Tensor&, double, int64_t,
                            int64_t, int64_t, bool)>();
  return op.call(input, rois, spatial_scale, pooled_height, pooled_width,
                 sampling_ratio, aligned);
}

torch::Tensor TorchvisionRoiAlignBackward(const torch::Tensor& grad,
                                          const torch::Tensor& rois,
                                          double spatial_scale, int64_t pooled_height,
                                          int64_t pooled_width, int64_t batch_size,
                                          int64_t channels, int64_t height,
                                          int64_t width, int64_t sampling_ratio,
                                          bool aligned) {
  static const auto op =
      Op("torchvision::_roi_align_backward")
          .typed<at::Tensor(const at::Tensor&, const at::Tensor&, double, int64_t,
                            int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                            bool)>();
  return op.call(grad, rois, spatial_scale, pooled_height, pooled_width, batch_size,
                 channels, height, width, sampling_ratio, aligned);
}

int SetThreadsFromEnv() {
  int threads = 2;
  if (const char* env = std::getenv("HUALE_THREADS"); env && std::atoi(env) > 0) {
    threads = std::atoi(env);
  }
  at::set_num_threads(threads);
  return threads;
}

}  // namespace reference
}  // namespace ops
}  // namespace huale
