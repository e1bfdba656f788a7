// RoIAlign forward and backward CUDA kernels, registered for the CUDA dispatch
// key of huale::roi_align / huale::_roi_align_backward beside the CPU kernels
// (roi_align.cc), so model code calls one op on any device. Our own kernels, not
// torchvision's: a LibTorch program cannot load torchvision's _C.so without
// libpython. The sampling geometry and float expressions are the CPU kernels'
// (themselves torchvision's); compiled with --fmad=false so the forward agrees
// with the CPU to rounding. One thread per output element (forward) or per
// grad_output element (backward, atomicAdd into grad_input: the order of the
// additions, and so the last bits, vary between runs).
#include <ATen/ATen.h>
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAGuard.h>
#include <torch/library.h>

#include "huale/models/ops/roi_align.h"
#include "huale/models/ops/roi_align_geometry.h"

namespace huale {
namespace ops {
namespace {

constexpr int kThreads = 256;

int Blocks(int64_t n) {
  const int64_t blocks = (n + kThreads - 1) / kThreads;
  return static_cast<int>(std::min<int64_t>(blocks, int64_t{1} << 20));
}

using roi_align_geometry::Bilinear;
using roi_align_geometry::Geometry;
using roi_align_geometry::RoiGeometry;
using roi_align_geometry::Sample;
using roi_align_geometry::SampleX;
using roi_align_geometry::SampleY;

// The output element `index` of [K, C, PH, PW]: its RoI, channel and bin.
struct Bin {
  int64_t n, c;
  int ph, pw;
};

__device__ Bin BinOf(int64_t index, int64_t channels, int pooled_height, int pooled_width) {
  Bin b;
  b.pw = index % pooled_width;
  b.ph = (index / pooled_width) % pooled_height;
  b.c = (index / pooled_width / pooled_height) % channels;
  b.n = index / pooled_width / pooled_height / channels;
  return b;
}

template <typename T>
__global__ void ForwardKernel(int64_t total, const T* input, T spatial_scale,
                              int64_t channels, int height, int width,
                              int pooled_height, int pooled_width, int sampling_ratio,
                              bool aligned, const T* rois, T* output) {
  for (int64_t index = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
       index < total; index += static_cast<int64_t>(blockDim.x) * gridDim.x) {
    const Bin bin = BinOf(index, channels, pooled_height, pooled_width);
    const int64_t n = bin.n, c = bin.c;
    const int ph = bin.ph, pw = bin.pw;
    const RoiGeometry<T> g = Geometry<T>(rois + n * 5, spatial_scale, aligned,
                                         pooled_height, pooled_width, sampling_ratio);
    const T* in = input + (g.batch_index * channels + c) * height * width;
    const T count = max(g.grid_h * g.grid_w, 1);
    T output_val = 0.;
    for (int iy = 0; iy < g.grid_h; iy++) {
      const T y = SampleY(g, ph, iy);
      for (int ix = 0; ix < g.grid_w; ix++) {
        const Sample<T> s = Bilinear<T>(height, width, y, SampleX(g, pw, ix));
        output_val += s.w1 * in[s.pos1] + s.w2 * in[s.pos2] + s.w3 * in[s.pos3] +
                      s.w4 * in[s.pos4];
      }
    }
    output_val /= count;
    output[index] = output_val;
  }
}

template <typename T>
__global__ void BackwardKernel(int64_t total, const T* grad, int64_t sn, int64_t sc,
                               int64_t sh, int64_t sw, T spatial_scale,
                               int64_t channels, int height, int width,
                               int pooled_height, int pooled_width, int sampling_ratio,
                               bool aligned, const T* rois, T* grad_input) {
  for (int64_t index = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
       index < total; index += static_cast<int64_t>(blockDim.x) * gridDim.x) {
    const Bin bin = BinOf(index, channels, pooled_height, pooled_width);
    const int64_t n = bin.n, c = bin.c;
    const int ph = bin.ph, pw = bin.pw;
    const RoiGeometry<T> g = Geometry<T>(rois + n * 5, spatial_scale, aligned,
                                         pooled_height, pooled_width, sampling_ratio);
    if (g.grid_h <= 0 || g.grid_w <= 0) continue;
    T* gi = grad_input + (g.batch_index * channels + c) * height * width;
    const T grad_output_this_bin = grad[n * sn + c * sc + ph * sh + pw * sw];
    const T count = g.grid_h * g.grid_w;
    for (int iy = 0; iy < g.grid_h; iy++) {
      const T y = SampleY(g, ph, iy);
      for (int ix = 0; ix < g.grid_w; ix++) {
        const Sample<T> s = Bilinear<T>(height, width, y, SampleX(g, pw, ix));
        if (!s.valid) continue;
        atomicAdd(gi + s.pos1, grad_output_this_bin * s.w1 / count);
        atomicAdd(gi + s.pos2, grad_output_this_bin * s.w2 / count);
        atomicAdd(gi + s.pos3, grad_output_this_bin * s.w3 / count);
        atomicAdd(gi + s.pos4, grad_output_this_bin * s.w4 / count);
      }
    }
  }
}

at::Tensor RoiAlignForwardCuda(const at::Tensor& input, const at::Tensor& rois,
                               double spatial_scale, int64_t pooled_height,
                               int64_t pooled_width, int64_t sampling_ratio,
                               bool aligned) {
  internal::CheckRoiAlignForward(input, rois, spatial_scale, pooled_height, pooled_width,
                                 sampling_ratio, "huale::ops::RoiAlign (CUDA)");
  const c10::cuda::CUDAGuard guard(input.device());
  const int64_t num_rois = rois.size(0);
  const int64_t channels = input.size(1);
  at::Tensor output =
      at::empty({num_rois, channels, pooled_height, pooled_width}, input.options());
  if (output.numel() == 0) return output;
  const at::Tensor input_c = input.contiguous();
  const at::Tensor rois_c = rois.contiguous();
  const cudaStream_t stream = at::cuda::getCurrentCUDAStream();
  AT_DISPATCH_FLOATING_TYPES(input.scalar_type(), "huale::ops::RoiAlign (CUDA)", [&] {
    ForwardKernel<scalar_t><<<Blocks(output.numel()), kThreads, 0, stream>>>(
        output.numel(), input_c.data_ptr<scalar_t>(),
        static_cast<scalar_t>(spatial_scale), channels, static_cast<int>(input.size(2)),
        static_cast<int>(input.size(3)), static_cast<int>(pooled_height),
        static_cast<int>(pooled_width), static_cast<int>(sampling_ratio), aligned,
        rois_c.data_ptr<scalar_t>(), output.data_ptr<scalar_t>());
  });
  C10_CUDA_KERNEL_LAUNCH_CHECK();
  return output;
}

at::Tensor RoiAlignBackwardCuda(const at::Tensor& grad, const at::Tensor& rois,
                                double spatial_scale, int64_t pooled_height,
                                int64_t pooled_width, int64_t batch_size,
                                int64_t channels, int64_t height, int64_t width,
                                int64_t sampling_ratio, bool aligned) {
  internal::CheckRoiAlignBackward(grad, rois, spatial_scale, pooled_height, pooled_width,
                                  batch_size, channels, height, width, sampling_ratio,
                                  "huale::ops::RoiAlignBackward (CUDA)");
  const c10::cuda::CUDAGuard guard(grad.device());
  at::Tensor grad_input = at::zeros({batch_size, channels, height, width}, grad.options());
  if (grad.numel() == 0 || grad_input.numel() == 0) return grad_input;
  const at::Tensor rois_c = rois.contiguous();
  const cudaStream_t stream = at::cuda::getCurrentCUDAStream();
  AT_DISPATCH_FLOATING_TYPES(grad.scalar_type(), "huale::ops::RoiAlignBackward (CUDA)",
                             [&] {
    BackwardKernel<scalar_t><<<Blocks(grad.numel()), kThreads, 0, stream>>>(
        grad.numel(), grad.data_ptr<scalar_t>(), grad.stride(0), grad.stride(1),
        grad.stride(2), grad.stride(3), static_cast<scalar_t>(spatial_scale), channels,
        static_cast<int>(height), static_cast<int>(width),
        static_cast<int>(pooled_height), static_cast<int>(pooled_width),
        static_cast<int>(sampling_ratio), aligned, rois_c.data_ptr<scalar_t>(),
        grad_input.data_ptr<scalar_t>());
  });
  C10_CUDA_KERNEL_LAUNCH_CHECK();
  return grad_input;
}

}  // namespace

TORCH_LIBRARY_IMPL(huale, CUDA, m) {
  m.impl("roi_align", &RoiAlignForwardCuda);
  m.impl("_roi_align_backward", &RoiAlignBackwardCuda);
}

}  // namespace ops
}  // namespace huale
