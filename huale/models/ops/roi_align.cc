// RoIAlign forward and backward CPU kernels. The sampling geometry
// (roi_align_geometry.h) follows torchvision's roi_align_common.h line by line,
// so results match it to rounding.
// Parallelism: the forward splits (channel, RoI chunk) tasks across threads
// (each output element is written once); the backward splits channels, so every
// grad_input plane is owned by one thread and receives its contributions in
// torchvision's serial order: no atomics, deterministic, bitwise equal.
#include "huale/models/ops/roi_align.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/library.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "huale/models/ops/roi_align_geometry.h"

namespace huale {
namespace ops {
namespace {

using roi_align_geometry::Bilinear;
using roi_align_geometry::Geometry;
using roi_align_geometry::RoiGeometry;
using roi_align_geometry::Sample;
using roi_align_geometry::SampleX;
using roi_align_geometry::SampleY;

// Sampling points per bin and axis, clamped at zero (torchvision's loops simply
// do not run for a non-positive grid).
template <typename T>
int64_t SamplesPerBin(const RoiGeometry<T>& g) {
  return static_cast<int64_t>(std::max(g.grid_h, 0)) * std::max(g.grid_w, 0);
}

// Writes one RoI's sampling points in (ph, pw, iy, ix) order to out[0..).
template <typename T>
void SamplePoints(const RoiGeometry<T>& g, int height, int width, int pooled_height,
                  int pooled_width, Sample<T>* out) {
  if (g.grid_h <= 0 || g.grid_w <= 0) return;
  for (int ph = 0; ph < pooled_height; ph++) {
    for (int pw = 0; pw < pooled_width; pw++) {
      for (int iy = 0; iy < g.grid_h; iy++) {
        const T y = SampleY(g, ph, iy);
        for (int ix = 0; ix < g.grid_w; ix++) {
          *out++ = Bilinear<T>(height, width, y, SampleX(g, pw, ix));
        }
      }
    }
  }
}

// The kernels walk RoIs in blocks whose sampling points (computed once, shared
// by all channels) fit in about this many bytes; within a block they go by
// groups of channels, so a few H*W planes stay in cache while every RoI of the
// block reads (or, backward, writes) them. Walking RoI-major instead
// (torchvision) touches all C planes per RoI: bound by memory traffic on
// FPN-sized maps.
constexpr int64_t kSampleBlockBytes = int64_t{16} << 20;
// Cache blocking inside a block: RoIs per chunk (their points: ~50 KB at 7x7,
// sampling ratio 2) and channels per group (planes kept hot together).
constexpr int64_t kRoisPerChunk = 8;
constexpr int64_t kChannelsPerGroup = 8;

// Sampling points of RoIs [first, last) and where each RoI's start, filled in
// parallel; returns last, the end of the block that starts at first.
template <typename T>
int64_t FillBlock(const std::vector<RoiGeometry<T>>& geometry, int64_t first,
                  int height, int width, int pooled_height, int pooled_width,
                  std::vector<Sample<T>>* samples, std::vector<int64_t>* offsets) {
  const int64_t bins = static_cast<int64_t>(pooled_height) * pooled_width;
  const int64_t budget = kSampleBlockBytes / static_cast<int64_t>(sizeof(Sample<T>));
  offsets->assign(1, 0);
  int64_t last = first;
  while (last < static_cast<int64_t>(geometry.size())) {
    const int64_t count = bins * SamplesPerBin(geometry[last]);
    if (last > first && offsets->back() + count > budget) break;
    offsets->push_back(offsets->back() + count);
    ++last;
  }
  samples->resize(offsets->back());
  at::parallel_for(first, last, 16, [&](int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n) {
      SamplePoints<T>(geometry[n], height, width, pooled_height, pooled_width,
                      samples->data() + (*offsets)[n - first]);
    }
  });
  return last;
}

template <typename T>
std::vector<RoiGeometry<T>> AllGeometry(const T* rois, int64_t num_rois, T spatial_scale,
                                        bool aligned, int pooled_height,
                                        int pooled_width, int sampling_ratio) {
  std::vector<RoiGeometry<T>> geometry(num_rois);
  for (int64_t n = 0; n < num_rois; ++n) {
    geometry[n] = Geometry<T>(rois + n * 5, spatial_scale, aligned, pooled_height,
                              pooled_width, sampling_ratio);
  }
  return geometry;
}

template <typename T>
void ForwardKernel(const T* input, const T* rois, int64_t num_rois, T spatial_scale,
                   int64_t channels, int height, int width, int pooled_height,
                   int pooled_width, int sampling_ratio, bool aligned, T* output) {
  const int64_t bins = static_cast<int64_t>(pooled_height) * pooled_width;
  const int64_t plane = static_cast<int64_t>(height) * width;
  const std::vector<RoiGeometry<T>> geometry = AllGeometry<T>(
      rois, num_rois, spatial_scale, aligned, pooled_height, pooled_width,
      sampling_ratio);
  std::vector<Sample<T>> samples;
  std::vector<int64_t> offsets;
  for (int64_t first = 0; first < num_rois;) {
    const int64_t last = FillBlock<T>(geometry, first, height, width, pooled_height,
                                      pooled_width, &samples, &offsets);
    // Tasks are (group of channels, chunk of RoIs), group-major: a thread keeps
    // a few planes hot in cache while it walks the RoIs, and the chunk's
    // sampling points stay in L2 across the group's channels.
    const int64_t chunks = (last - first + kRoisPerChunk - 1) / kRoisPerChunk;
    const int64_t groups = (channels + kChannelsPerGroup - 1) / kChannelsPerGroup;
    at::parallel_for(0, groups * chunks, 1, [&](int64_t begin, int64_t end) {
      for (int64_t task = begin; task < end; ++task) {
        const int64_t c_begin = (task / chunks) * kChannelsPerGroup;
        const int64_t c_end = std::min(channels, c_begin + kChannelsPerGroup);
        const int64_t n_begin = first + (task % chunks) * kRoisPerChunk;
        const int64_t n_end = std::min(last, n_begin + kRoisPerChunk);
        for (int64_t c = c_begin; c < c_end; ++c) {
          for (int64_t n = n_begin; n < n_end; ++n) {
            const RoiGeometry<T>& g = geometry[n];
            const int64_t per_bin = SamplesPerBin(g);
            const T count = std::max(g.grid_h * g.grid_w, 1);
            const T* in = input + (g.batch_index * channels + c) * plane;
            T* out = output + (n * channels + c) * bins;
            const Sample<T>* s = samples.data() + offsets[n - first];
            for (int64_t b = 0; b < bins; ++b) {
              T output_val = 0.;
              for (int64_t k = 0; k < per_bin; ++k, ++s) {
                output_val += s->w1 * in[s->pos1] + s->w2 * in[s->pos2] +
                              s->w3 * in[s->pos3] + s->w4 * in[s->pos4];
              }
              output_val /= count;
              out[b] = output_val;
            }
          }
        }
      }
    });
    first = last;
  }
}

// Adds one RoI's contribution to one grad_input plane gi.
template <typename T>
void BackwardOne(const RoiGeometry<T>& g, const Sample<T>* s, const T* go, int64_t sh,
                 int64_t sw, int pooled_height, int pooled_width, T* gi) {
  const int64_t per_bin = SamplesPerBin(g);
  if (per_bin == 0) return;
  const T count = g.grid_h * g.grid_w;
  for (int ph = 0; ph < pooled_height; ++ph) {
    for (int pw = 0; pw < pooled_width; ++pw) {
      const T grad_output_this_bin = go[ph * sh + pw * sw];
      for (int64_t k = 0; k < per_bin; ++k, ++s) {
        if (!s->valid) continue;
        const T g1 = grad_output_this_bin * s->w1 / count;
        const T g2 = grad_output_this_bin * s->w2 / count;
        const T g3 = grad_output_this_bin * s->w3 / count;
        const T g4 = grad_output_this_bin * s->w4 / count;
        gi[s->pos1] += g1;
        gi[s->pos2] += g2;
        gi[s->pos3] += g3;
        gi[s->pos4] += g4;
      }
    }
  }
}

template <typename T>
void BackwardKernel(const T* grad, const int64_t* grad_strides, const T* rois,
                    int64_t num_rois, T spatial_scale, int64_t channels, int height,
                    int width, int pooled_height, int pooled_width, int sampling_ratio,
                    bool aligned, T* grad_input) {
  const int64_t plane = static_cast<int64_t>(height) * width;
  const int64_t sn = grad_strides[0], sc = grad_strides[1], sh = grad_strides[2],
                sw = grad_strides[3];
  const std::vector<RoiGeometry<T>> geometry = AllGeometry<T>(
      rois, num_rois, spatial_scale, aligned, pooled_height, pooled_width,
      sampling_ratio);
  std::vector<Sample<T>> samples;
  std::vector<int64_t> offsets;
  for (int64_t first = 0; first < num_rois;) {
    const int64_t last = FillBlock<T>(geometry, first, height, width, pooled_height,
                                      pooled_width, &samples, &offsets);
    // One thread owns each channel's planes: it adds the block's contributions
    // RoI by RoI, bin by bin, point by point, torchvision's serial order. Within
    // a group, RoI chunks go outermost so a chunk's points stay in L2.
    const int64_t groups = (channels + kChannelsPerGroup - 1) / kChannelsPerGroup;
    at::parallel_for(0, groups, 1, [&](int64_t group_begin, int64_t group_end) {
      for (int64_t group = group_begin; group < group_end; ++group) {
        const int64_t c_begin = group * kChannelsPerGroup;
        const int64_t c_end = std::min(channels, c_begin + kChannelsPerGroup);
        for (int64_t n_begin = first; n_begin < last; n_begin += kRoisPerChunk) {
          const int64_t n_end = std::min(last, n_begin + kRoisPerChunk);
          for (int64_t c = c_begin; c < c_end; ++c) {
            for (int64_t n = n_begin; n < n_end; ++n) {
              BackwardOne<T>(geometry[n], samples.data() + offsets[n - first],
                             grad + n * sn + c * sc, sh, sw, pooled_height,
                             pooled_width, grad_input + (geometry[n].batch_index *
                                                         channels + c) * plane);
            }
          }
        }
      }
    });
    first = last;
  }
}

void CheckRois(const at::Tensor& rois, const at::Tensor& like, int64_t batch_size,
               const char* op) {
  TORCH_CHECK(rois.device() == like.device(), op,
              ": rois and features must be on one device; found ", rois.device(),
              " and ", like.device());
  TORCH_CHECK(rois.dim() == 2 && rois.size(1) == 5, op,
              ": expected rois of shape [K, 5] (batch index, x1, y1, x2, y2), found ",
              rois.sizes());
  TORCH_CHECK(rois.scalar_type() == like.scalar_type(), op, ": rois are ",
              rois.scalar_type(), " but the feature tensor is ", like.scalar_type());
  TORCH_CHECK(like.scalar_type() == at::kFloat || like.scalar_type() == at::kDouble,
              op, ": expected float32 or float64 tensors, found ", like.scalar_type());
  if (rois.size(0) == 0) return;
  TORCH_CHECK(at::isfinite(rois).all().item<bool>(), op,
              ": rois must be finite, found NaN or Inf");
  const at::Tensor b = rois.select(1, 0);
  const bool in_range =
      at::logical_and(b >= 0, b < static_cast<double>(batch_size)).all().item<bool>();
  TORCH_CHECK(in_range, op, ": every roi batch index must lie in [0, ", batch_size,
              "), found values in [", b.min().item<double>(), ", ",
              b.max().item<double>(), "]");
}

// With sampling_ratio <= 0 the number of points grows with the RoI: refuse sizes
// that would overflow the grid (torchvision would try to allocate it).
void CheckAdaptiveGrid(const at::Tensor& rois, double spatial_scale,
                       int64_t pooled_height, int64_t pooled_width,
                       int64_t sampling_ratio, const char* op) {
  if (sampling_ratio > 0 || rois.size(0) == 0) return;
  const double extent = (rois.slice(1, 3, 5) - rois.slice(1, 1, 3))
                            .abs().max().item<double>() * std::abs(spatial_scale);
  TORCH_CHECK(extent / std::min(pooled_height, pooled_width) < 4096, op,
              ": an RoI spans ", extent, " feature cells; with sampling_ratio <= 0 "
              "that is more than 4096 sampling points per bin and axis");
}

void CheckMapSize(int64_t height, int64_t width, const char* op) {
  TORCH_CHECK(height > 0 && width > 0 && height * width < (int64_t{1} << 31), op,
              ": feature map must have 0 < H*W < 2^31, found ", height, "x", width);
}

void CheckPooling(int64_t pooled_height, int64_t pooled_width, const char* op) {
  TORCH_CHECK(pooled_height > 0 && pooled_width > 0, op,
              ": pooled size must be positive, found ", pooled_height, "x",
              pooled_width);
}

at::Tensor ForwardCpu(const at::Tensor& input, const at::Tensor& rois,
                      double spatial_scale, int64_t pooled_height, int64_t pooled_width,
                      int64_t sampling_ratio, bool aligned) {
  internal::CheckRoiAlignForward(input, rois, spatial_scale, pooled_height, pooled_width,
                                 sampling_ratio, "huale::ops::RoiAlign");
  const int64_t num_rois = rois.size(0);
  const int64_t channels = input.size(1);
  // Every element is written by the kernel.
  at::Tensor output =
      at::empty({num_rois, channels, pooled_height, pooled_width}, input.options());
  if (output.numel() == 0) return output;
  const at::Tensor input_c = input.contiguous();
  const at::Tensor rois_c = rois.contiguous();
  AT_DISPATCH_FLOATING_TYPES(input.scalar_type(), "huale::ops::RoiAlign", [&] {
    ForwardKernel<scalar_t>(
        input_c.data_ptr<scalar_t>(), rois_c.data_ptr<scalar_t>(), num_rois,
        static_cast<scalar_t>(spatial_scale), channels,
        static_cast<int>(input.size(2)), static_cast<int>(input.size(3)),
        static_cast<int>(pooled_height), static_cast<int>(pooled_width),
        static_cast<int>(sampling_ratio), aligned, output.data_ptr<scalar_t>());
  });
  return output;
}

at::Tensor BackwardCpu(const at::Tensor& grad, const at::Tensor& rois,
                       double spatial_scale, int64_t pooled_height, int64_t pooled_width,
                       int64_t batch_size, int64_t channels, int64_t height,
                       int64_t width, int64_t sampling_ratio, bool aligned) {
  internal::CheckRoiAlignBackward(grad, rois, spatial_scale, pooled_height, pooled_width,
                                  batch_size, channels, height, width, sampling_ratio,
                                  "huale::ops::RoiAlignBackward");
  at::Tensor grad_input = at::zeros({batch_size, channels, height, width}, grad.options());
  if (grad.numel() == 0 || grad_input.numel() == 0) return grad_input;
  const at::Tensor rois_c = rois.contiguous();
  const int64_t strides[4] = {grad.stride(0), grad.stride(1), grad.stride(2),
                              grad.stride(3)};
  AT_DISPATCH_FLOATING_TYPES(grad.scalar_type(), "huale::ops::RoiAlignBackward", [&] {
    BackwardKernel<scalar_t>(
        grad.data_ptr<scalar_t>(), strides, rois_c.data_ptr<scalar_t>(),
        rois.size(0), static_cast<scalar_t>(spatial_scale), channels,
        static_cast<int>(height), static_cast<int>(width),
        static_cast<int>(pooled_height), static_cast<int>(pooled_width),
        static_cast<int>(sampling_ratio), aligned, grad_input.data_ptr<scalar_t>());
  });
  return grad_input;
}

const auto& ForwardOp() {
  static const auto op =
      c10::Dispatcher::singleton()
          .findSchemaOrThrow("huale::roi_align", "")
          .typed<at::Tensor(const at::Tensor&, const at::Tensor&, double, int64_t,
                            int64_t, int64_t, bool)>();
  return op;
}

class RoiAlignFunction : public torch::autograd::Function<RoiAlignFunction> {
 public:
  static at::Tensor forward(torch::autograd::AutogradContext* ctx,
                            const at::Tensor& input, const at::Tensor& rois,
                            double spatial_scale, int64_t pooled_height,
                            int64_t pooled_width, int64_t sampling_ratio, bool aligned) {
    ctx->saved_data["spatial_scale"] = spatial_scale;
    ctx->saved_data["pooled_height"] = pooled_height;
    ctx->saved_data["pooled_width"] = pooled_width;
    ctx->saved_data["sampling_ratio"] = sampling_ratio;
    ctx->saved_data["aligned"] = aligned;
    ctx->saved_data["input_shape"] = input.sizes();
    ctx->save_for_backward({rois});
    return ForwardOp().call(input, rois, spatial_scale, pooled_height, pooled_width,
                            sampling_ratio, aligned);
  }

  static torch::autograd::variable_list backward(
      torch::autograd::AutogradContext* ctx,
      torch::autograd::variable_list grad_output) {
    const at::Tensor rois = ctx->get_saved_variables()[0];
    const auto shape = ctx->saved_data["input_shape"].toIntVector();
    at::Tensor grad_input = RoiAlignBackward(
        grad_output[0], rois, ctx->saved_data["spatial_scale"].toDouble(),
        ctx->saved_data["pooled_height"].toInt(),
        ctx->saved_data["pooled_width"].toInt(), shape[0], shape[1], shape[2],
        shape[3], ctx->saved_data["sampling_ratio"].toInt(),
        ctx->saved_data["aligned"].toBool());
    return {grad_input,   at::Tensor(), at::Tensor(), at::Tensor(),
            at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

namespace internal {

void CheckRoiAlignForward(const at::Tensor& input, const at::Tensor& rois,
                          double spatial_scale, int64_t pooled_height,
                          int64_t pooled_width, int64_t sampling_ratio, const char* op) {
  TORCH_CHECK(input.dim() == 4, op, ": expected input of shape [N, C, H, W], found ",
              input.sizes());
  CheckPooling(pooled_height, pooled_width, op);
  CheckRois(rois, input, input.size(0), op);
  CheckMapSize(input.size(2), input.size(3), op);
  CheckAdaptiveGrid(rois, spatial_scale, pooled_height, pooled_width, sampling_ratio, op);
}

void CheckRoiAlignBackward(const at::Tensor& grad, const at::Tensor& rois,
                           double spatial_scale, int64_t pooled_height,
                           int64_t pooled_width, int64_t batch_size, int64_t channels,
                           int64_t height, int64_t width, int64_t sampling_ratio,
                           const char* op) {
  CheckPooling(pooled_height, pooled_width, op);
  CheckRois(rois, grad, batch_size, op);
  CheckMapSize(height, width, op);
  CheckAdaptiveGrid(rois, spatial_scale, pooled_height, pooled_width, sampling_ratio, op);
  TORCH_CHECK(grad.dim() == 4 && grad.size(0) == rois.size(0) &&
                  grad.size(1) == channels && grad.size(2) == pooled_height &&
                  grad.size(3) == pooled_width,
              op, ": expected grad of shape [", rois.size(0), ", ", channels, ", ",
              pooled_height, ", ", pooled_width, "], found ", grad.sizes());
}

}  // namespace internal

TORCH_LIBRARY_FRAGMENT(huale, m) {
  m.def("roi_align(Tensor input, Tensor rois, float spatial_scale, int pooled_height, "
        "int pooled_width, int sampling_ratio, bool aligned) -> Tensor");
  m.def("_roi_align_backward(Tensor grad, Tensor rois, float spatial_scale, "
        "int pooled_height, int pooled_width, int batch_size, int channels, "
        "int height, int width, int sampling_ratio, bool aligned) -> Tensor");
}

TORCH_LIBRARY_IMPL(huale, CPU, m) {
  m.impl("roi_align", &ForwardCpu);
  m.impl("_roi_align_backward", &BackwardCpu);
}

torch::Tensor RoiAlign(const torch::Tensor& input, const torch::Tensor& rois,
                       double spatial_scale, int64_t pooled_height,
                       int64_t pooled_width, int64_t sampling_ratio, bool aligned) {
  const at::ScalarType type = input.scalar_type();
  if (type == at::kHalf || type == at::kBFloat16) {
    return RoiAlignFunction::apply(input.to(at::kFloat), rois.to(at::kFloat),
                                   spatial_scale, pooled_height, pooled_width,
                                   sampling_ratio, aligned)
        .to(type);
  }
  return RoiAlignFunction::apply(input, rois, spatial_scale, pooled_height,
                                 pooled_width, sampling_ratio, aligned);
}

torch::Tensor RoiAlignBackward(const torch::Tensor& grad, const torch::Tensor& rois,
                               double spatial_scale, int64_t pooled_height,
                               int64_t pooled_width, int64_t batch_size,
                               int64_t channels, int64_t height, int64_t width,
                               int64_t sampling_ratio, bool aligned) {
  static const auto op =
      c10::Dispatcher::singleton()
          .findSchemaOrThrow("huale::_roi_align_backward", "")
          .typed<at::Tensor(const at::Tensor&, const at::Tensor&, double, int64_t,
                            int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                            bool)>();
  at::NoGradGuard no_grad;
  return op.call(grad, rois, spatial_scale, pooled_height, pooled_width, batch_size,
                 channels, height, width, sampling_ratio, aligned);
}

}  // namespace ops
}  // namespace huale
