#include "huale/losses/box_geometry.h"

#include <torch/torch.h>

#include "huale/models/ops/box_iou.h"

namespace huale {
namespace box_geometry {
namespace {

using torch::indexing::Slice;

torch::Tensor Col(const torch::Tensor& boxes, int64_t i) { return boxes.select(1, i); }

}  // namespace

torch::Tensor Area(const torch::Tensor& boxes) {
  return (Col(boxes, 2) - Col(boxes, 0)) * (Col(boxes, 3) - Col(boxes, 1));
}

torch::Tensor Intersection(const torch::Tensor& p, const torch::Tensor& t) {
  const torch::Tensor w =
      (torch::minimum(Col(p, 2), Col(t, 2)) - torch::maximum(Col(p, 0), Col(t, 0)))
          .clamp_min(0);
  const torch::Tensor h =
      (torch::minimum(Col(p, 3), Col(t, 3)) - torch::maximum(Col(p, 1), Col(t, 1)))
          .clamp_min(0);
  return w * h;
}

torch::Tensor Iou(const torch::Tensor& p, const torch::Tensor& t) {
  auto clamped_area = [](const torch::Tensor& b) {
    return (Col(b, 2) - Col(b, 0)).clamp_min(0) * (Col(b, 3) - Col(b, 1)).clamp_min(0);
  };
  const torch::Tensor inter = Intersection(p, t);
  const torch::Tensor uni = clamped_area(p) + clamped_area(t) - inter;
  // An empty union (both boxes empty) has no overlap to speak of: IoU 0. The
  // where() keeps the division away from 0 so its gradient stays finite too.
  const torch::Tensor empty = uni <= 0;
  return torch::where(empty, torch::zeros_like(uni),
                      inter / torch::where(empty, torch::ones_like(uni), uni));
}

torch::Tensor ExtendedIntersection(const torch::Tensor& p, const torch::Tensor& t) {
  const torch::Tensor ex1 = torch::minimum(Col(p, 0), Col(t, 0));
  const torch::Tensor ey1 = torch::minimum(Col(p, 1), Col(t, 1));
  const torch::Tensor a = torch::maximum(Col(p, 0), Col(t, 0)) - ex1;
  const torch::Tensor b = torch::minimum(Col(p, 2), Col(t, 2)) - ex1;
  const torch::Tensor c = torch::maximum(Col(p, 1), Col(t, 1)) - ey1;
  const torch::Tensor d = torch::minimum(Col(p, 3), Col(t, 3)) - ey1;
  return b * d + torch::minimum(a, b) * torch::minimum(c, d) - a * torch::maximum(c, d) -
         torch::maximum(a, b) * c;
}

torch::Tensor ExtendedUnion(const torch::Tensor& p, const torch::Tensor& t,
                            const torch::Tensor& extended_intersection) {
  // For valid boxes U_e >= max(area) > 0 already; the clamp only keeps inverted
  // boxes (negative raw area) from flipping the sign of EIoU or dividing by 0.
  return (Area(p) + Area(t) - extended_intersection).clamp_min(0) + kUnionEps;
}

torch::Tensor ExtendedIou(const torch::Tensor& p, const torch::Tensor& t) {
  const torch::Tensor inter = ExtendedIntersection(p, t);
  return inter / ExtendedUnion(p, t, inter);
}

torch::Tensor NormaliseToProposals(const torch::Tensor& boxes, const torch::Tensor& proposals) {
  const torch::Tensor origin = proposals.index({Slice(), Slice(0, 2)}).repeat({1, 2});
  const torch::Tensor size =
      (proposals.index({Slice(), Slice(2, 4)}) - proposals.index({Slice(), Slice(0, 2)}))
          .clamp_min(kMinProposalSide)
          .repeat({1, 2});
  return (boxes - origin) / size;
}

torch::Tensor GtDensity(const torch::Tensor& gt_boxes) {
  torch::NoGradGuard no_grad;
  const int64_t g = gt_boxes.size(0);
  const torch::Tensor overlaps = ops::BoxIou(gt_boxes, gt_boxes) > 0;
  const torch::Tensor others =
      overlaps.logical_and(torch::eye(g, overlaps.options()).logical_not());
  return others.sum(1).to(gt_boxes.scalar_type()) / static_cast<double>(std::max<int64_t>(1, g - 1));
}

}  // namespace box_geometry
}  // namespace huale
