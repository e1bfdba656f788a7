// huale's ops are dispatcher ops with a CPU kernel always and a CUDA kernel in a
// --config=cuda build (CI runs this test in both builds).
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/torch.h>

#include "gtest/gtest.h"
#include "huale/models/ops/nms.h"
#include "huale/models/ops/roi_align.h"

namespace huale {
namespace ops {
namespace {

bool HasKernel(const char* op, c10::DispatchKey key) {
  const auto handle = c10::Dispatcher::singleton().findSchema({op, ""});
  return handle.has_value() && handle->hasKernelForDispatchKey(key);
}

TEST(Dispatch, EveryOpHasACpuKernelAndACudaKernelExactlyInACudaBuild) {
  const bool cuda_build = at::detail::getCUDAHooks().isBuilt();
  for (const char* op : {"huale::nms", "huale::roi_align", "huale::_roi_align_backward"}) {
    EXPECT_TRUE(HasKernel(op, c10::DispatchKey::CPU)) << op;
    EXPECT_EQ(HasKernel(op, c10::DispatchKey::CUDA), cuda_build) << op;
  }
}

TEST(Dispatch, ReducedPrecisionIsComputedInFloat) {
  torch::manual_seed(0);
  const torch::Tensor input = torch::randn({1, 4, 12, 12});
  const torch::Tensor rois = torch::tensor({{0.f, 1.f, 1.f, 9.f, 7.f}, {0.f, 0.f, 2.f, 11.f, 11.f}});
  const torch::Tensor expected = RoiAlign(input, rois, 1.0, 3, 3, 2, true);
  const torch::Tensor half = RoiAlign(input.to(torch::kBFloat16), rois, 1.0, 3, 3, 2, true);
  EXPECT_EQ(half.scalar_type(), torch::kBFloat16);
  EXPECT_TRUE(torch::allclose(half.to(torch::kFloat), expected, 2e-2, 2e-2));

  const torch::Tensor boxes = torch::tensor({{0.f, 0.f, 10.f, 10.f}, {1.f, 1.f, 11.f, 11.f},
                                             {20.f, 20.f, 30.f, 30.f}});
  const torch::Tensor scores = torch::tensor({0.9f, 0.8f, 0.7f});
  EXPECT_TRUE(torch::equal(Nms(boxes.to(torch::kBFloat16), scores.to(torch::kBFloat16), 0.5),
                           Nms(boxes, scores, 0.5)));
}

}  // namespace
}  // namespace ops
}  // namespace huale
