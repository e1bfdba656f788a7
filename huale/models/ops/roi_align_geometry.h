// RoIAlign's sampling geometry, shared by the CPU kernels (roi_align.cc) and
// the CUDA kernels (roi_align_cuda.cu) so both compute the same points and
// bilinear weights with the same float expressions: torchvision's
// roi_align_common.h, line by line (including its float/double mixing).
// Host and device functions (C10_HOST_DEVICE); no LibTorch tensors.
#ifndef HUALE_MODELS_OPS_ROI_ALIGN_GEOMETRY_H_
#define HUALE_MODELS_OPS_ROI_ALIGN_GEOMETRY_H_

#include <c10/macros/Macros.h>

#include <cmath>
#include <cstdint>

namespace huale {
namespace ops {
namespace roi_align_geometry {

// Where one RoI's bins and sampling points lie on the feature map.
template <typename T>
struct RoiGeometry {
  int64_t batch_index;
  T start_w, start_h, bin_size_w, bin_size_h;
  int grid_h, grid_w;  // sampling points per bin and axis (may be <= 0: none)
};

template <typename T>
C10_HOST_DEVICE RoiGeometry<T> Geometry(const T* roi, T spatial_scale, bool aligned,
                                        int pooled_height, int pooled_width,
                                        int sampling_ratio) {
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
    roi_width = roi_width < (T)1. ? (T)1. : roi_width;  // std::max(roi_width, 1)
    roi_height = roi_height < (T)1. ? (T)1. : roi_height;
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
// valid = false means the point lies beyond the map: torchvision's forward adds
// 0 * input[0] for it, its backward skips it.
template <typename T>
struct Sample {
  int32_t pos1, pos2, pos3, pos4;
  T w1, w2, w3, w4;
  bool valid;
};

template <typename T>
C10_HOST_DEVICE Sample<T> Bilinear(int height, int width, T y, T x) {
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
  s.pos1 = y_low * width + x_low;
  s.pos2 = y_low * width + x_high;
  s.pos3 = y_high * width + x_low;
  s.pos4 = y_high * width + x_high;
  s.valid = true;
  return s;
}

// The sampling point (iy, ix) of bin (ph, pw).
template <typename T>
C10_HOST_DEVICE T SampleY(const RoiGeometry<T>& g, int ph, int iy) {
  return g.start_h + ph * g.bin_size_h +
         static_cast<T>(iy + .5f) * g.bin_size_h / static_cast<T>(g.grid_h);
}

template <typename T>
C10_HOST_DEVICE T SampleX(const RoiGeometry<T>& g, int pw, int ix) {
  return g.start_w + pw * g.bin_size_w +
         static_cast<T>(ix + .5f) * g.bin_size_w / static_cast<T>(g.grid_w);
}

}  // namespace roi_align_geometry
}  // namespace ops
}  // namespace huale

#endif  // HUALE_MODELS_OPS_ROI_ALIGN_GEOMETRY_H_
