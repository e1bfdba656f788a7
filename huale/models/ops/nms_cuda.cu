// NMS CUDA kernel, registered for the CUDA dispatch key of huale::nms beside the
// CPU kernel (nms.cc). Same decisions as the CPU kernel: candidates in the same
// stable descending score order (ties keep index order), the same float
// expressions for area, intersection and IoU (--fmad=false: no fused
// multiply-adds), the same "IoU > threshold" test. The GPU fills an
// upper-triangular suppression bit matrix, 64 candidates per word; the greedy
// scan over it runs on the host, as in torchvision's kernel.
#include <ATen/ATen.h>
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAGuard.h>
#include <torch/library.h>

#include <cmath>
#include <limits>
#include <vector>

#include "huale/models/ops/nms.h"

namespace huale {
namespace ops {
namespace {

constexpr int kBits = 64;

template <typename T>
__global__ void MaskKernel(int64_t n, T t, const T* boxes, uint64_t* mask) {
  const int64_t row_block = blockIdx.y;
  const int64_t col_block = blockIdx.x;
  if (row_block > col_block) return;
  const int64_t row_size = min(n - row_block * kBits, int64_t{kBits});
  const int64_t col_size = min(n - col_block * kBits, int64_t{kBits});
  __shared__ T cols[kBits * 5];
  if (threadIdx.x < col_size) {
    const T* b = boxes + (col_block * kBits + threadIdx.x) * 4;
    cols[threadIdx.x * 5 + 0] = b[0];
    cols[threadIdx.x * 5 + 1] = b[1];
    cols[threadIdx.x * 5 + 2] = b[2];
    cols[threadIdx.x * 5 + 3] = b[3];
    cols[threadIdx.x * 5 + 4] = (b[2] - b[0]) * (b[3] - b[1]);
  }
  __syncthreads();
  if (threadIdx.x >= row_size) return;
  const int64_t i = row_block * kBits + threadIdx.x;
  const T* b = boxes + i * 4;
  const T ix1 = b[0], iy1 = b[1], ix2 = b[2], iy2 = b[3];
  const T iarea = (ix2 - ix1) * (iy2 - iy1);
  uint64_t bits = 0;
  const int start = (row_block == col_block) ? threadIdx.x + 1 : 0;
  for (int k = start; k < col_size; ++k) {
    const T* c = cols + k * 5;
    const T xx1 = max(ix1, c[0]);
    const T yy1 = max(iy1, c[1]);
    const T xx2 = min(ix2, c[2]);
    const T yy2 = min(iy2, c[3]);
    const T w = max(static_cast<T>(0), xx2 - xx1);
    const T h = max(static_cast<T>(0), yy2 - yy1);
    const T inter = w * h;
    const T ovr = inter / (iarea + c[4] - inter);
    if (ovr > t) bits |= uint64_t{1} << k;
  }
  mask[i * gridDim.x + col_block] = bits;
}


at::Tensor NmsCuda(const at::Tensor& boxes, const at::Tensor& scores,
                   double iou_threshold) {
  internal::CheckNmsInputs(boxes, scores);
  if (boxes.numel() == 0) return at::empty({0}, boxes.options().dtype(at::kLong));
  const c10::cuda::CUDAGuard guard(boxes.device());
  const int64_t n = boxes.size(0);
  const at::Tensor order =
      std::get<1>(scores.sort(/*stable=*/true, /*dim=*/0, /*descending=*/true));
  const at::Tensor sorted = boxes.index_select(0, order).contiguous();
  const int64_t words = (n + kBits - 1) / kBits;
  at::Tensor mask = at::empty({n * words}, boxes.options().dtype(at::kLong));
  const dim3 blocks(static_cast<unsigned>(words), static_cast<unsigned>(words));
  const cudaStream_t stream = at::cuda::getCurrentCUDAStream();
  AT_DISPATCH_FLOATING_TYPES(boxes.scalar_type(), "huale::ops::Nms (CUDA)", [&] {
    MaskKernel<scalar_t><<<blocks, kBits, 0, stream>>>(
        n, internal::ThresholdAsT<scalar_t>(iou_threshold), sorted.data_ptr<scalar_t>(),
        reinterpret_cast<uint64_t*>(mask.data_ptr<int64_t>()));
  });
  C10_CUDA_KERNEL_LAUNCH_CHECK();

  const at::Tensor mask_cpu = mask.cpu();
  const uint64_t* m = reinterpret_cast<const uint64_t*>(mask_cpu.data_ptr<int64_t>());
  std::vector<uint64_t> removed(words, 0);
  std::vector<int64_t> keep_sorted;
  for (int64_t i = 0; i < n; ++i) {
    if (removed[i / kBits] & (uint64_t{1} << (i % kBits))) continue;
    keep_sorted.push_back(i);
    const uint64_t* row = m + i * words;
    for (int64_t w = i / kBits; w < words; ++w) removed[w] |= row[w];
  }
  const at::Tensor keep_positions =
      at::tensor(keep_sorted, at::TensorOptions().dtype(at::kLong)).to(boxes.device());
  return order.index_select(0, keep_positions);
}

}  // namespace

TORCH_LIBRARY_IMPL(huale, CUDA, m) { m.impl("nms", &NmsCuda); }

}  // namespace ops
}  // namespace huale
