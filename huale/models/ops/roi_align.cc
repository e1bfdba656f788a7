// RoIAlign forward and backward kernels. The sampling geometry follows
// torchvision's csrc/ops/cpu/roi_align_kernel.cpp and roi_align_common.h line by
// line (including its float/double mixing) so results match it to rounding.
// Parallelism: the forward splits RoIs across threads (each output element is
// written once); the backward splits channels, so every grad_input plane is
// owned by one thread and receives its contributions in torchvision's serial
// order: no atomics, deterministic, bitwise equal.
#include "huale/models/ops/roi_align.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace huale {
namespace ops {
namespace {

// Where one RoI's bins and sampling points lie on the feature map.
template <typename T>
struct RoiGeometry {
  int64_t batch_index;
  T start_w, start_h, bin_size_w, bin_size_h;
  int grid_h, grid_w;  // sampling points per bin and axis (may be <= 0: none)
};

template <typename T>
RoiGeometry<T> Geometry(const T* roi, const T& spatial_scale, bool aligned,
                        int pooled_height, int pooled_width, int sampling_ratio) {
  RoiGeometry<T> g;
  g.batch_index = static_cast<int64_t>(roi[0]);
  const T offset = aligned ? (T)0.5 : (T)0.0;
  g.start_w = roi[1] * spatial_scale - offset;
  g.start_h = roi[2] * spatial_scale - offset;
  const T end_w = roi[3] * spatial_scale - offset;
  const T end_h = roi[4] * spatial_scale - offset;
  T roi_width = end_w - g.start_w;
  T roi_height = end_h - g.start_h;
  if (!aligned) {  // torchvision forces malformed RoIs to be 1x1.
    roi_width = std::max(roi_width, (T)1.);
    roi_height = std::max(roi_height, (T)1.);
  }
  g.bin_size_h = static_cast<T>(roi_height) / static_cast<T>(pooled_height);
  g.bin_size_w = static_cast<T>(roi_width) / static_cast<T>(pooled_width);
  g.grid_h = (sampling_ratio > 0) ? sampling_ratio
                                  : static_cast<int>(ceil(roi_height / pooled_height));
  g.grid_w = (sampling_ratio > 0) ? sampling_ratio
                                  : static_cast<int>(ceil(roi_width / pooled_width));
  return g;
}

// A sampling point: four neighbour offsets in the H*W plane and their weights.
// valid = false means the point lies beyond the map (contributes nothing).
template <typename T>
struct Sample {
  int64_t pos1, pos2, pos3, pos4;
  T w1, w2, w3, w4;
  bool valid;
};

template <typename T>
Sample<T> Bilinear(int height, int width, T y, T x) {
  Sample<T> s;
  if (y < -1.0 || y > height || x < -1.0 || x > width) {
    s.pos1 = s.pos2 = s.pos3 = s.pos4 = 0;
    s.w1 = s.w2 = s.w3 = s.w4 = 0;
    s.valid = false;
    return s;
  }
  if (y <= 0) y = 0;
  if (x <= 0) x = 0;
  int y_low = (int)y;
  int x_low = (int)x;
  int y_high;
  int x_high;
  if (y_low >= height - 1) {
    y_high = y_low = height - 1;
    y = (T)y_low;
  } else {
    y_high = y_low + 1;
  }
  if (x_low >= width - 1) {
    x_high = x_low = width - 1;
    x = (T)x_low;
  } else {
    x_high = x_low + 1;
  }
  const T ly = y - y_low;
  const T lx = x - x_low;
  const T hy = 1. - ly, hx = 1. - lx;  // double literal, as in torchvision
  s.w1 = hy * hx;
  s.w2 = hy * lx;
  s.w3 = ly * hx;
  s.w4 = ly * lx;
  s.pos1 = static_cast<int64_t>(y_low) * width + x_low;
  s.pos2 = static_cast<int64_t>(y_low) * width + x_high;
  s.pos3 = static_cast<int64_t>(y_high) * width + x_low;
  s.pos4 = static_cast<int64_t>(y_high) * width + x_high;
  s.valid = true;
  return s;
}

// All sampling points of one RoI in (ph, pw, iy, ix) order.
template <typename T>
void SamplePoints(const RoiGeometry<T>& g, int height, int width,
                  int pooled_height, int pooled_width, std::vector<Sample<T>>* out) {
  out->clear();
  if (g.grid_h <= 0 || g.grid_w <= 0) return;
  out->reserve(static_cast<size_t>(g.grid_h) * g.grid_w * pooled_height * pooled_width);
  for (int ph = 0; ph < pooled_height; ph++) {
    for (int pw = 0; pw < pooled_width; pw++) {
      for (int iy = 0; iy < g.grid_h; iy++) {
        const T y = g.start_h + ph * g.bin_size_h +
                    static_cast<T>(iy + .5f) * g.bin_size_h / static_cast<T>(g.grid_h);
        for (int ix = 0; ix < g.grid_w; ix++) {
          const T x = g.start_w + pw * g.bin_size_w +
                      static_cast<T>(ix + .5f) * g.bin_size_w / static_cast<T>(g.grid_w);
          out->push_back(Bilinear<T>(height, width, y, x));
        }
      }
    }
  }
}

template <typename T>
void ForwardKernel(const T* input, const T* rois, int64_t num_rois, T spatial_scale,
                   int64_t channels, int height, int width, int pooled_height,
                   int pooled_width, int sampling_ratio, bool aligned, T* output) {
  const int64_t bins = static_cast<int64_t>(pooled_height) * pooled_width;
  const int64_t plane = static_cast<int64_t>(height) * width;
  at::parallel_for(0, num_rois, 1, [&](int64_t begin, int64_t end) {
    std::vector<Sample<T>> samples;
    for (int64_t n = begin; n < end; ++n) {
      const RoiGeometry<T> g = Geometry<T>(rois + n * 5, spatial_scale, aligned,
                                           pooled_height, pooled_width, sampling_ratio);
      SamplePoints<T>(g, height, width, pooled_height, pooled_width, &samples);
      const int per_bin = std::max(g.grid_h, 0) * std::max(g.grid_w, 0);
      const T count = std::max(g.grid_h * g.grid_w, 1);
      for (int64_t c = 0; c < channels; ++c) {
        const T* in = input + (g.batch_index * channels + c) * plane;
        T* out = output + (n * channels + c) * bins;
        const Sample<T>* s = samples.data();
        for (int64_t b = 0; b < bins; ++b) {
          T output_val = 0.;
          for (int k = 0; k < per_bin; ++k, ++s) {
            output_val += s->w1 * in[s->pos1] + s->w2 * in[s->pos2] +
                          s->w3 * in[s->pos3] + s->w4 * in[s->pos4];
          }
          output_val /= count;
          out[b] = output_val;
        }
      }
    }
  });
}

template <typename T>
void BackwardKernel(const T* grad, const int64_t* grad_strides, const T* rois,
                    int64_t num_rois, T spatial_scale, int64_t channels, int height,
                    int width, int pooled_height, int pooled_width, int sampling_ratio,
                    bool aligned, T* grad_input) {
  const int64_t plane = static_cast<int64_t>(height) * width;
  const int64_t sn = grad_strides[0], sc = grad_strides[1], sh = grad_strides[2],
                sw = grad_strides[3];
  at::parallel_for(0, channels, 1, [&](int64_t c_begin, int64_t c_end) {
    std::vector<Sample<T>> samples;
    for (int64_t n = 0; n < num_rois; ++n) {
      const RoiGeometry<T> g = Geometry<T>(rois + n * 5, spatial_scale, aligned,
                                           pooled_height, pooled_width, sampling_ratio);
      SamplePoints<T>(g, height, width, pooled_height, pooled_width, &samples);
      if (samples.empty()) continue;
      const int per_bin = g.grid_h * g.grid_w;
      const T count = per_bin;
      for (int64_t c = c_begin; c < c_end; ++c) {
        T* gi = grad_input + (g.batch_index * channels + c) * plane;
        const T* go = grad + n * sn + c * sc;
        const Sample<T>* s = samples.data();
        for (int ph = 0; ph < pooled_height; ++ph) {
          for (int pw = 0; pw < pooled_width; ++pw) {
            const T grad_output_this_bin = go[ph * sh + pw * sw];
            for (int k = 0; k < per_bin; ++k, ++s) {
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
    }
  });
}

void CheckRois(const at::Tensor& rois, const at::Tensor& like, int64_t batch_size,
               const char* op) {
  TORCH_CHECK(rois.device().is_cpu() && like.device().is_cpu(), op,
              ": only CPU tensors are supported (this LibTorch has no CUDA kernels "
              "for it); found tensors on ", like.device(), " and ", rois.device());
  TORCH_CHECK(rois.dim() == 2 && rois.size(1) == 5, op,
              ": expected rois of shape [K, 5] (batch index, x1, y1, x2, y2), found ",
              rois.sizes());
  TORCH_CHECK(rois.scalar_type() == like.scalar_type(), op, ": rois are ",
              rois.scalar_type(), " but the feature tensor is ", like.scalar_type());
  TORCH_CHECK(like.scalar_type() == at::kFloat || like.scalar_type() == at::kDouble,
              op, ": expected float32 or float64 tensors, found ", like.scalar_type());
  if (rois.size(0) == 0) return;
  const at::Tensor b = rois.select(1, 0);
  const bool in_range =
      at::logical_and(b >= 0, b < static_cast<double>(batch_size)).all().item<bool>();
  TORCH_CHECK(in_range, op, ": every roi batch index must lie in [0, ", batch_size,
              "), found values in [", b.min().item<double>(), ", ",
              b.max().item<double>(), "]");
}

void CheckPooling(int64_t pooled_height, int64_t pooled_width, const char* op) {
  TORCH_CHECK(pooled_height > 0 && pooled_width > 0, op,
              ": pooled size must be positive, found ", pooled_height, "x",
              pooled_width);
}

at::Tensor Forward(const at::Tensor& input, const at::Tensor& rois,
                   double spatial_scale, int64_t pooled_height, int64_t pooled_width,
                   int64_t sampling_ratio, bool aligned) {
  const char* op = "huale::ops::RoiAlign";
  TORCH_CHECK(input.dim() == 4, op, ": expected input of shape [N, C, H, W], found ",
              input.sizes());
  CheckPooling(pooled_height, pooled_width, op);
  CheckRois(rois, input, input.size(0), op);
  const int64_t num_rois = rois.size(0);
  const int64_t channels = input.size(1);
  at::Tensor output =
      at::zeros({num_rois, channels, pooled_height, pooled_width}, input.options());
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
    return Forward(input, rois, spatial_scale, pooled_height, pooled_width,
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

torch::Tensor RoiAlign(const torch::Tensor& input, const torch::Tensor& rois,
                       double spatial_scale, int64_t pooled_height,
                       int64_t pooled_width, int64_t sampling_ratio, bool aligned) {
  return RoiAlignFunction::apply(input, rois, spatial_scale, pooled_height,
                                 pooled_width, sampling_ratio, aligned);
}

torch::Tensor RoiAlignBackward(const torch::Tensor& grad, const torch::Tensor& rois,
                               double spatial_scale, int64_t pooled_height,
                               int64_t pooled_width, int64_t batch_size,
                               int64_t channels, int64_t height, int64_t width,
                               int64_t sampling_ratio, bool aligned) {
  const char* op = "huale::ops::RoiAlignBackward";
  CheckPooling(pooled_height, pooled_width, op);
  CheckRois(rois, grad, batch_size, op);
  TORCH_CHECK(grad.dim() == 4 && grad.size(0) == rois.size(0) &&
                  grad.size(1) == channels && grad.size(2) == pooled_height &&
                  grad.size(3) == pooled_width,
              op, ": expected grad of shape [", rois.size(0), ", ", channels, ", ",
              pooled_height, ", ", pooled_width, "], found ", grad.sizes());
  at::NoGradGuard no_grad;
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

}  // namespace ops
}  // namespace huale
