// Greedy NMS on the CPU. The decisions equal torchvision's nms_kernel.cpp: same
// candidate order (the same stable descending ATen sort, so tied scores keep
// index order, as torchvision 0.26.0's kernel does), the same float expressions for area,
// intersection and IoU, the same "IoU > threshold" test. It is faster because the
// candidates are copied once into score-ordered arrays, the IoU of a kept box
// against the remaining tail is a branch-free loop the compiler vectorises, and
// the tail is compacted once enough of it has been suppressed.
#include "huale/models/ops/nms.h"

#include <ATen/ATen.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/library.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace huale {
namespace ops {
namespace {


// Marks suppressed[j] for j in [begin, end) whose IoU with box (ix1..iarea) is
// above t; returns how many were newly suppressed.
template <typename T>
int64_t SuppressTail(T ix1, T iy1, T ix2, T iy2, T iarea, T t, const T* x1,
                     const T* y1, const T* x2, const T* y2, const T* area,
                     uint8_t* suppressed, int64_t begin, int64_t end) {
  int64_t newly = 0;
  for (int64_t j = begin; j < end; ++j) {
    const T xx1 = std::max(ix1, x1[j]);
    const T yy1 = std::max(iy1, y1[j]);
    const T xx2 = std::min(ix2, x2[j]);
    const T yy2 = std::min(iy2, y2[j]);
    const T w = std::max(static_cast<T>(0), xx2 - xx1);
    const T h = std::max(static_cast<T>(0), yy2 - yy1);
    const T inter = w * h;
    const T ovr = inter / (iarea + area[j] - inter);
    const uint8_t hit = ovr > t;
    newly += hit & (suppressed[j] ^ 1);
    suppressed[j] |= hit;
  }
  return newly;
}

template <typename T>
at::Tensor NmsKernel(const at::Tensor& dets, const at::Tensor& scores,
                     double iou_threshold) {
  const int64_t n = dets.size(0);
  // torchvision 0.26.0 sorts stably; ties are kept in index order.
  const at::Tensor order_t =
      std::get<1>(scores.sort(/*stable=*/true, /*dim=*/0, /*descending=*/true));
  const at::Tensor dets_c = dets.contiguous();
  const T* d = dets_c.data_ptr<T>();
  const int64_t* order = order_t.data_ptr<int64_t>();

  // Score-ordered structure of arrays; index[k] is the original box id.
  std::vector<T> x1(n), y1(n), x2(n), y2(n), area(n);
  std::vector<int64_t> index(n);
  std::vector<uint8_t> suppressed(n, 0);
  for (int64_t k = 0; k < n; ++k) {
    const int64_t i = order[k];
    const T* b = d + 4 * i;
    x1[k] = b[0];
    y1[k] = b[1];
    x2[k] = b[2];
    y2[k] = b[3];
    area[k] = (b[2] - b[0]) * (b[3] - b[1]);
    index[k] = i;
  }

  const T t = internal::ThresholdAsT<T>(iou_threshold);
  std::vector<int64_t> keep;
  int64_t live = n;      // entries [0, live) are still stored
  int64_t dead = 0;      // suppressed entries among those after the cursor
  for (int64_t k = 0; k < live; ++k) {
    if (suppressed[k]) {
      --dead;
      continue;
    }
    keep.push_back(index[k]);
    dead += SuppressTail<T>(x1[k], y1[k], x2[k], y2[k], area[k], t, x1.data(),
                            y1.data(), x2.data(), y2.data(), area.data(),
                            suppressed.data(), k + 1, live);
    // Compacting costs about one pass over the tail; do it once a quarter of
    // the tail is dead so the total extra work stays linear in the IoU work.
    const int64_t tail = live - k - 1;
    if (tail > 64 && dead * 4 > tail) {
      int64_t w = k + 1;
      for (int64_t j = k + 1; j < live; ++j) {
        if (suppressed[j]) continue;
        x1[w] = x1[j];
        y1[w] = y1[j];
        x2[w] = x2[j];
        y2[w] = y2[j];
        area[w] = area[j];
        index[w] = index[j];
        suppressed[w] = 0;
        ++w;
      }
      live = w;
      dead = 0;
    }
  }
  at::Tensor out = at::empty({static_cast<int64_t>(keep.size())},
                             dets.options().dtype(at::kLong));
  std::copy(keep.begin(), keep.end(), out.data_ptr<int64_t>());
  return out;
}

at::Tensor NmsCpu(const at::Tensor& boxes, const at::Tensor& scores,
                  double iou_threshold) {
  internal::CheckNmsInputs(boxes, scores);
  if (boxes.numel() == 0) return at::empty({0}, boxes.options().dtype(at::kLong));
  at::Tensor result;
  AT_DISPATCH_FLOATING_TYPES(boxes.scalar_type(), "huale::ops::Nms", [&] {
    result = NmsKernel<scalar_t>(boxes, scores, iou_threshold);
  });
  return result;
}

}  // namespace

namespace internal {

void CheckNmsInputs(const at::Tensor& boxes, const at::Tensor& scores) {
  TORCH_CHECK(boxes.device() == scores.device(),
              "huale::ops::Nms: boxes and scores must be on one device; found boxes on ",
              boxes.device(), ", scores on ", scores.device());
  TORCH_CHECK(boxes.dim() == 2 && boxes.size(1) == 4,
              "huale::ops::Nms: expected boxes of shape [N, 4], found ",
              boxes.sizes());
  TORCH_CHECK(scores.dim() == 1 && scores.size(0) == boxes.size(0),
              "huale::ops::Nms: expected scores of shape [", boxes.size(0),
              "], found ", scores.sizes());
  TORCH_CHECK(boxes.scalar_type() == scores.scalar_type(),
              "huale::ops::Nms: boxes are ", boxes.scalar_type(),
              " but scores are ", scores.scalar_type());
}

}  // namespace internal

TORCH_LIBRARY_FRAGMENT(huale, m) {
  m.def("nms(Tensor boxes, Tensor scores, float iou_threshold) -> Tensor");
}

TORCH_LIBRARY_IMPL(huale, CPU, m) { m.impl("nms", &NmsCpu); }

torch::Tensor Nms(const torch::Tensor& boxes, const torch::Tensor& scores,
                  double iou_threshold) {
  static const auto op =
      c10::Dispatcher::singleton()
          .findSchemaOrThrow("huale::nms", "")
          .typed<at::Tensor(const at::Tensor&, const at::Tensor&, double)>();
  at::NoGradGuard no_grad;
  const bool reduced = boxes.scalar_type() == at::kHalf ||
                       boxes.scalar_type() == at::kBFloat16;
  if (reduced) return op.call(boxes.to(at::kFloat), scores.to(at::kFloat), iou_threshold);
  return op.call(boxes, scores, iou_threshold);
}

torch::Tensor BatchedNms(const torch::Tensor& boxes, const torch::Tensor& scores,
                         const torch::Tensor& idxs, double iou_threshold) {
  internal::CheckNmsInputs(boxes, scores);
  TORCH_CHECK(idxs.dim() == 1 && idxs.size(0) == boxes.size(0),
              "huale::ops::BatchedNms: expected idxs of shape [", boxes.size(0),
              "], found ", idxs.sizes());
  at::NoGradGuard no_grad;
  if (boxes.numel() == 0) return at::empty({0}, boxes.options().dtype(at::kLong));
  // torchvision's thresholds: per class above 4,000 coordinates on the CPU,
  // above 100,000 on a GPU (0.26.0); one NMS over shifted boxes below.
  if (boxes.numel() > (boxes.is_cpu() ? 4000 : 100000)) {
    // torchvision _batched_nms_vanilla.
    at::Tensor keep_mask = at::zeros_like(scores, scores.options().dtype(at::kBool));
    const at::Tensor classes = std::get<0>(at::_unique(idxs, /*sorted=*/true));
    // The class ids are read here, on the host (idxs may live on a GPU).
    const at::Tensor classes_c = classes.to(at::kCPU, at::kLong).contiguous();
    const int64_t* cls = classes_c.data_ptr<int64_t>();
    for (int64_t c = 0; c < classes_c.numel(); ++c) {
      const at::Tensor curr = at::where(idxs == cls[c])[0];
      const at::Tensor curr_keep =
          Nms(boxes.index_select(0, curr), scores.index_select(0, curr),
              iou_threshold);
      keep_mask.index_fill_(0, curr.index_select(0, curr_keep), true);
    }
    const at::Tensor keep = at::where(keep_mask)[0];
    const at::Tensor order =
        std::get<1>(scores.index_select(0, keep).sort(0, /*descending=*/true));
    return keep.index_select(0, order);
  }
  // torchvision _batched_nms_coordinate_trick: shift each class far apart.
  const at::Tensor max_coordinate = boxes.max();
  const at::Tensor offsets =
      idxs.to(boxes.options()) *
      (max_coordinate + at::scalar_tensor(1, at::kLong).to(boxes.options()));
  return Nms(boxes + offsets.unsqueeze(1), scores, iou_threshold);
}

}  // namespace ops
}  // namespace huale
