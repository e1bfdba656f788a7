#include "huale/models/ops/torchvision_reference.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <dirent.h>
#include <dlfcn.h>

#include <cstdlib>
#include <mutex>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace huale {
namespace ops {
namespace reference {
namespace {

constexpr char kDebianDir[] = "/usr/lib/python3/dist-packages/torchvision";

std::string FindLibrary() {
  if (const char* env = std::getenv("HUALE_TORCHVISION_C_SO"); env && *env) return env;
  DIR* dir = opendir(kDebianDir);
  if (dir == nullptr) return "";
  std::string found;
  while (dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (absl::StartsWith(name, "_C.") && absl::EndsWith(name, ".so")) {
      found = absl::StrCat(kDebianDir, "/", name);
      break;
    }
  }
  closedir(dir);
  return found;
}

c10::OperatorHandle Op(const char* name) {
  return c10::Dispatcher::singleton().findSchemaOrThrow(name, "");
}

}  // namespace

absl::Status LoadTorchvision() {
  static std::once_flag once;
  static absl::Status status;
  std::call_once(once, [] {
    const std::string path = FindLibrary();
    if (path.empty()) {
      status = absl::NotFoundError(absl::StrCat(
          "torchvision's _C.so not found: set HUALE_TORCHVISION_C_SO or install "
          "python3-torchvision (looked in ", kDebianDir, ")"));
      return;
    }
    if (dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL) == nullptr) {
      status = absl::NotFoundError(absl::StrCat("dlopen(", path, "): ", dlerror()));
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
