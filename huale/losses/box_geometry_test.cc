// Hand-derived values of the box maths (method doc §2.1, §2.3).
#include "huale/losses/box_geometry.h"

#include <torch/torch.h>

#include "gtest/gtest.h"

namespace huale {
namespace box_geometry {
namespace {

torch::Tensor B(std::vector<double> xyxy) {
  return torch::tensor(xyxy, torch::kDouble).reshape({-1, 4});
}
double Scalar(const torch::Tensor& t) { return t.item<double>(); }

// Extended intersection, with ex1 = min(x1), a = ix1 - ex1, b = ix2 - ex1,
// c = iy1 - ey1, d = iy2 - ey1 and I_e = bd + min(a,b)min(c,d) - a max(c,d) - max(a,b)c.

TEST(ExtendedIntersection, OverlappingEqualsIntersection) {
  // p = (0,0,4,4), t = (2,2,6,6): a = 2, b = 4, c = 2, d = 4.
  // I_e = 16 + 2*2 - 2*4 - 4*2 = 4 = the 2 x 2 overlap. U_e = 16 + 16 - 4 = 28.
  const torch::Tensor p = B({0, 0, 4, 4}), t = B({2, 2, 6, 6});
  EXPECT_DOUBLE_EQ(Scalar(ExtendedIntersection(p, t)), 4.0);
  EXPECT_DOUBLE_EQ(Scalar(Intersection(p, t)), 4.0);
  EXPECT_NEAR(Scalar(ExtendedIou(p, t)), 4.0 / (28.0 + kUnionEps), 1e-15);
  EXPECT_NEAR(Scalar(Iou(p, t)), 4.0 / 28.0, 1e-12);
}

TEST(ExtendedIntersection, TouchingIsZero) {
  // p = (0,0,2,2), t = (2,0,4,2): a = 2, b = 2, c = 0, d = 2.
  // I_e = 4 + 2*0 - 2*2 - 2*0 = 0; U_e = 8; EIoU = 0.
  const torch::Tensor p = B({0, 0, 2, 2}), t = B({2, 0, 4, 2});
  EXPECT_DOUBLE_EQ(Scalar(ExtendedIntersection(p, t)), 0.0);
  EXPECT_NEAR(Scalar(ExtendedIou(p, t)), 0.0, 1e-12);
  EXPECT_DOUBLE_EQ(Scalar(Iou(p, t)), 0.0);
}

TEST(ExtendedIntersection, NestedIsInnerArea) {
  // p = (1,1,3,3) inside t = (0,0,4,4): a = 1, b = 3, c = 1, d = 3.
  // I_e = 9 + 1 - 3 - 3 = 4 = area(p); U_e = 4 + 16 - 4 = 16; EIoU = 1/4.
  const torch::Tensor p = B({1, 1, 3, 3}), t = B({0, 0, 4, 4});
  EXPECT_DOUBLE_EQ(Scalar(ExtendedIntersection(p, t)), 4.0);
  EXPECT_NEAR(Scalar(ExtendedIou(p, t)), 4.0 / (16.0 + kUnionEps), 1e-15);
  EXPECT_NEAR(Scalar(ExtendedIou(t, p)), 4.0 / (16.0 + kUnionEps), 1e-15);
}

TEST(ExtendedIntersection, DisjointAlongXIsNegative) {
  // p = (0,0,2,2), t = (3,0,5,2): a = 3, b = 2, c = 0, d = 2.
  // I_e = 4 + 2*0 - 3*2 - 3*0 = -2 (= (b - a)(c + d): gap 1 times 2);
  // U_e = 4 + 4 + 2 = 10; EIoU = -0.2. The ordinary IoU is 0.
  const torch::Tensor p = B({0, 0, 2, 2}), t = B({3, 0, 5, 2});
  EXPECT_DOUBLE_EQ(Scalar(ExtendedIntersection(p, t)), -2.0);
  EXPECT_NEAR(Scalar(ExtendedIou(p, t)), -2.0 / (10.0 + kUnionEps), 1e-15);
  EXPECT_DOUBLE_EQ(Scalar(ExtendedIntersection(t, p)), -2.0);  // symmetric
  EXPECT_DOUBLE_EQ(Scalar(Iou(p, t)), 0.0);
}

TEST(ExtendedIntersection, DisjointAlongYIsNegative) {
  // p = (0,0,2,2), t = (0,3,2,5): a = 0, b = 2, c = 3, d = 2.
  // I_e = 4 + 0*2 - 0*3 - 2*3 = -2 (= (a + b)(d - c)); EIoU = -2/10.
  const torch::Tensor p = B({0, 0, 2, 2}), t = B({0, 3, 2, 5});
  EXPECT_DOUBLE_EQ(Scalar(ExtendedIntersection(p, t)), -2.0);
  EXPECT_NEAR(Scalar(ExtendedIou(p, t)), -2.0 / (10.0 + kUnionEps), 1e-15);
}

TEST(ExtendedIntersection, DisjointAlongBothAxesIsNegative) {
  // p = (0,0,2,2), t = (3,4,5,6): a = 3, b = 2, c = 4, d = 2.
  // I_e = 4 + 2*2 - 3*4 - 3*4 = -16 (= 2(bd - ac)); U_e = 4 + 4 + 16 = 24;
  // EIoU = -2/3.
  const torch::Tensor p = B({0, 0, 2, 2}), t = B({3, 4, 5, 6});
  EXPECT_DOUBLE_EQ(Scalar(ExtendedIntersection(p, t)), -16.0);
  EXPECT_NEAR(Scalar(ExtendedIou(p, t)), -16.0 / (24.0 + kUnionEps), 1e-15);
  EXPECT_DOUBLE_EQ(Scalar(ExtendedIntersection(t, p)), -16.0);
}

TEST(ExtendedIntersection, SlidingApartAlongXIsContinuousAndLinear) {
  // p = (0,0,2,2), t = (x,0,x+2,2). Overlapping (x <= 2): I = 2 (2 - x).
  // Apart (x > 2): a = x, b = 2, c = 0, d = 2, I_e = (b - a)(c + d) = 2 (2 - x):
  // one line through the touching point, negative beyond it.
  for (double x : {0.0, 0.5, 1.9, 1.999999, 2.0, 2.000001, 2.1, 3.0, 5.0}) {
    const torch::Tensor p = B({0, 0, 2, 2}), t = B({x, 0, x + 2, 2});
    EXPECT_NEAR(Scalar(ExtendedIntersection(p, t)), 2 * (2 - x), 1e-12) << x;
    EXPECT_NEAR(Scalar(Intersection(p, t)), std::max(0.0, 2 * (2 - x)), 1e-12) << x;
  }
}

TEST(ExtendedIntersection, SlidingApartDiagonallyIsContinuous) {
  // t = (s,s,s+2,s+2) against p = (0,0,2,2). Overlapping: (2 - s)^2.
  // Apart: a = c = s, b = d = 2, I_e = 2(bd - ac) = 2 (4 - s^2); both 0 at s = 2.
  for (double s : {0.0, 1.0, 1.999999, 2.0, 2.000001, 3.0}) {
    const torch::Tensor p = B({0, 0, 2, 2}), t = B({s, s, s + 2, s + 2});
    const double expected = s <= 2 ? (2 - s) * (2 - s) : 2 * (4 - s * s);
    EXPECT_NEAR(Scalar(ExtendedIntersection(p, t)), expected, 1e-9) << s;
  }
  // Apart along x only, then along both: (2 - x)(y + 2) meets 2(2*2 - x*2) at y = 2.
  const double x = 3.0;
  for (double y : {1.999999, 2.0, 2.000001}) {
    const torch::Tensor p = B({0, 0, 2, 2}), t = B({x, y, x + 2, y + 2});
    EXPECT_NEAR(Scalar(ExtendedIntersection(p, t)), -4.0, 1e-5) << y;
  }
}

TEST(ExtendedIntersection, EqualsIntersectionOnRandomOverlappingPairs) {
  torch::manual_seed(3);
  const torch::Tensor p_xy = 10 * torch::rand({200, 2}, torch::kDouble);
  const torch::Tensor p = torch::cat({p_xy, p_xy + 5 + 10 * torch::rand({200, 2}, torch::kDouble)}, 1);
  // t's corner inside p: they overlap.
  const torch::Tensor t_xy = p_xy + 4.9 * torch::rand({200, 2}, torch::kDouble);
  const torch::Tensor t = torch::cat({t_xy, t_xy + 1 + 10 * torch::rand({200, 2}, torch::kDouble)}, 1);
  EXPECT_TRUE(torch::allclose(ExtendedIntersection(p, t), Intersection(p, t), 0, 1e-9));
  EXPECT_TRUE((Intersection(p, t) > 0).all().item<bool>());
}

TEST(ExtendedIou, IsInvariantToPerAxisScalingUpToTheGuard) {
  const torch::Tensor p = B({0, 0, 2, 2, 1, 1, 3, 3}), t = B({3, 4, 5, 6, 0, 0, 4, 4});
  const torch::Tensor scale = torch::tensor({3.0, 0.5, 3.0, 0.5}, torch::kDouble);
  EXPECT_TRUE(torch::allclose(ExtendedIou(p * scale, t * scale), ExtendedIou(p, t), 1e-7));
}

TEST(ExtendedUnion, StaysPositiveForInvertedBoxes) {
  // p inverted along both axes has raw area +4 but is not a box; inverted along
  // x only its raw area is -4. Either way U_e > 0 and EIoU is finite.
  const torch::Tensor p = B({2, 2, 0, 0, 2, 0, 0, 2}), t = B({0, 0, 2, 2, 0, 0, 2, 2});
  const torch::Tensor inter = ExtendedIntersection(p, t);
  EXPECT_TRUE((ExtendedUnion(p, t, inter) > 0).all().item<bool>());
  EXPECT_TRUE(torch::isfinite(ExtendedIou(p, t)).all().item<bool>());
}

TEST(Iou, EmptyBoxesGiveZeroNotNan) {
  const torch::Tensor p = B({1, 1, 1, 1, 0, 0, 0, 5}), t = B({1, 1, 1, 1, 0, 0, 0, 5});
  EXPECT_TRUE(torch::equal(Iou(p, t), torch::zeros({2}, torch::kDouble)));
}

TEST(NormaliseToProposals, MapsTheProposalToTheUnitSquare) {
  const torch::Tensor prop = B({10, 20, 30, 60});  // w = 20, h = 40
  EXPECT_TRUE(torch::allclose(NormaliseToProposals(prop, prop), B({0, 0, 1, 1})));
  EXPECT_TRUE(torch::allclose(NormaliseToProposals(B({20, 0, 50, 60}), prop),
                              B({0.5, -0.5, 2.0, 1.0})));
  // A zero-width proposal divides by kMinProposalSide, not 0.
  EXPECT_TRUE(torch::isfinite(NormaliseToProposals(prop, B({5, 5, 5, 9}))).all().item<bool>());
}

TEST(GtDensity, CrowdedScene) {
  // A = (0,0,10,10) overlaps B = (5,5,15,15) and C = (8,0,20,4); B and C do not
  // meet (C ends at y = 4); D = (50,50,60,60) is alone; E = (-2,0,0,10) only
  // touches A (IoU 0, not counted). G = 5, so rho = count / 4:
  // A 2/4, B 1/4, C 1/4, D 0, E 0.
  const torch::Tensor gts = B({0, 0, 10, 10, 5, 5, 15, 15, 8, 0, 20, 4, 50, 50, 60, 60, -2, 0, 0, 10});
  EXPECT_TRUE(torch::allclose(GtDensity(gts),
                              torch::tensor({0.5, 0.25, 0.25, 0.0, 0.0}, torch::kDouble)));
}

TEST(GtDensity, LoneAndNoGroundTruth) {
  EXPECT_TRUE(torch::equal(GtDensity(B({0, 0, 1, 1})), torch::zeros({1}, torch::kDouble)));
  EXPECT_EQ(GtDensity(torch::zeros({0, 4}, torch::kDouble)).numel(), 0);
}

}  // namespace
}  // namespace box_geometry
}  // namespace huale
