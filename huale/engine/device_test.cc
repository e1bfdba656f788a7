#include "huale/engine/device.h"

#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/torch.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace huale {
namespace {

using ::testing::HasSubstr;

TEST(Device, CpuIsAlwaysUsable) { EXPECT_TRUE(CheckDeviceUsable("cpu").ok()); }

TEST(Device, MalformedNamesAreInvalid) {
  for (const char* name : {"gpu", "cuda:", "cuda:x", "cuda:-1", "CUDA", ""}) {
    const absl::Status status = CheckDeviceUsable(name);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_THAT(status.message(), HasSubstr("expected \"cpu\", \"cuda\" or \"cuda:N\""));
  }
}

// Without CUDA the message says which of the two is missing: the build or the
// device. This test runs in both builds (CPU: the first; --config=cuda on a
// machine with no GPU: the second).
TEST(Device, CudaWithoutCudaSaysWhy) {
  const int visible =
      BuiltWithCuda() ? static_cast<int>(at::detail::getCUDAHooks().deviceCount()) : 0;
  for (const char* name : {"cuda", "cuda:0", "cuda:7"}) {
    const absl::Status status = CheckDeviceUsable(name);
    if (!BuiltWithCuda()) {
      EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << name;
      EXPECT_THAT(status.message(),
                  HasSubstr("this build has no CUDA (build with --config=cuda)"));
    } else if (visible == 0) {
      EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << name;
      EXPECT_THAT(status.message(), HasSubstr("no CUDA device visible"));
    }
  }
  if (BuiltWithCuda() && visible > 0) {
    EXPECT_TRUE(CheckDeviceUsable("cuda").ok());
    EXPECT_THAT(CheckDeviceUsable("cuda:" + std::to_string(visible)).message(),
                HasSubstr("CUDA device"));
  }
}

TEST(Device, ToDeviceOnTheCpuKeepsValues) {
  const at::Tensor host = torch::arange(6, torch::kFloat).reshape({2, 3});
  const at::Tensor moved = ToDevice(host, c10::Device("cpu"));
  EXPECT_TRUE(moved.device().is_cpu());
  EXPECT_TRUE(torch::equal(moved, host));
}

}  // namespace
}  // namespace huale
