// Box arithmetic on tensors for the losses (method doc §2): ordinary and
// extended (Peng & Yu, IEEE TIP 2021) intersection, union and IoU of aligned
// pairs, pairwise IoU, anchor normalisation and ground-truth density. The one
// place for box maths in huale/losses; every loss uses these.
//
// Boxes are [N, 4] (x1, y1, x2, y2), continuous convention (area = w * h),
// float or double; results keep the dtype and are differentiable unless said.
#ifndef HUALE_LOSSES_BOX_GEOMETRY_H_
#define HUALE_LOSSES_BOX_GEOMETRY_H_

namespace at {
class Tensor;
}  // namespace at

namespace huale {
namespace box_geometry {

// Guard added to unions (Peng & Yu's reference code uses the same 1e-7).
inline constexpr double kUnionEps = 1e-7;

// [N] raw width * height: negative for a box inverted along one axis.
at::Tensor Area(const at::Tensor& boxes);

// [N] area of the overlap of p[i] and t[i]; 0 when they do not overlap.
at::Tensor Intersection(const at::Tensor& p, const at::Tensor& t);

// [N] ordinary IoU in [0, 1] of aligned pairs; widths of inverted boxes count
// as 0; 0 when both boxes are empty.
at::Tensor Iou(const at::Tensor& p, const at::Tensor& t);

// [N] extended intersection I_e (method doc §2.1): with ex1 = min(x1),
// ix1 = max(x1), ix2 = min(x2) (same for y), a = ix1 - ex1, b = ix2 - ex1,
// c = iy1 - ey1, d = iy2 - ey1:
//   I_e = b d + min(a, b) min(c, d) - a max(c, d) - max(a, b) c.
// Equals the intersection when the boxes overlap; when they separate it is
// negative and continuous: (b - a)(c + d) apart along x only, (a + b)(d - c)
// apart along y only, 2 (b d - a c) apart along both.
at::Tensor ExtendedIntersection(const at::Tensor& p, const at::Tensor& t);

// [N] extended union U_e = area(p) + area(t) - I_e, clamped at 0, plus kUnionEps.
at::Tensor ExtendedUnion(const at::Tensor& p, const at::Tensor& t,
                         const at::Tensor& extended_intersection);

// [N] EIoU = I_e / U_e, in (-inf, 1].
at::Tensor ExtendedIou(const at::Tensor& p, const at::Tensor& t);

// Boxes in anchor-normalised units of their proposals ([N, 4] each):
// x' = (x - proposal.x1) / proposal.width, y' = (y - proposal.y1) / proposal.height,
// widths and heights clamped below at kMinProposalSide pixels (torchvision's
// remove_small_boxes size) so a degenerate proposal cannot divide by zero.
inline constexpr double kMinProposalSide = 1e-3;
at::Tensor NormaliseToProposals(const at::Tensor& boxes, const at::Tensor& proposals);

// [G] density of each ground truth of ONE image (method doc §2.3):
// rho_g = #{g' != g : IoU(g, g') > 0} / max(1, G - 1). Not differentiable.
at::Tensor GtDensity(const at::Tensor& gt_boxes);

}  // namespace box_geometry
}  // namespace huale

#endif  // HUALE_LOSSES_BOX_GEOMETRY_H_
