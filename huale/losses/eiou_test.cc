// "eiou": convexified extended-IoU (method doc §2.1) on hand-derived boxes,
// the frozen union multiplier's gradient, and the conformance suite.
#include "huale/losses/eiou.h"

#include <array>
#include <vector>

#include <torch/torch.h>

#include "gtest/gtest.h"
#include "huale/losses/box_geometry.h"
#include "huale/losses/loss.h"
#include "huale/losses/loss_conformance.h"

namespace huale {
namespace {

using box_geometry::kUnionEps;

LossSpec Spec(bool union_multiplier = true, double s = 0.1) {
  LossSpec spec;
  spec.set_name("eiou");
  spec.mutable_eiou()->set_union_multiplier(union_multiplier);
  spec.mutable_eiou()->set_smooth_threshold(s);
  return spec;
}

LossSpec SampledRoisSpec() {
  LossSpec spec = Spec(false);
  spec.mutable_eiou()->set_normaliser(EiouOptions::SAMPLED_ROIS);
  return spec;
}

INSTANTIATE_TEST_SUITE_P(
    Eiou, LossConformanceTest,
    ::testing::Values(
        LossConformanceCase{"UnionMultiplier", Spec(true), LossRole::kBoxRegression, false, true,
                            /*gradient_matches_finite_differences=*/false},
        LossConformanceCase{"NoMultiplier", Spec(false), LossRole::kBoxRegression},
        LossConformanceCase{"WideThreshold", Spec(false, 0.5), LossRole::kBoxRegression},
        LossConformanceCase{"OverSampledRois", SampledRoisSpec(), LossRole::kBoxRegression}),
    LossConformanceCaseName);

std::unique_ptr<Loss> Make(const LossSpec& spec) {
  return std::move(LossRegistry::Get().Create(spec.name(), spec)).value();
}

torch::Tensor B(std::vector<double> xyxy) {
  return torch::tensor(xyxy, torch::kDouble).reshape({-1, 4});
}

// One positive RoI p vs gt t on proposal `prop`; everything else irrelevant.
RoiLossInputs Pair(const torch::Tensor& p, const torch::Tensor& t, const torch::Tensor& prop) {
  RoiLossInputs in = MakeRandomRoiLossInputs(31, p.size(0) + 2, p.size(0), 3, torch::kDouble);
  in.pred_boxes = p.clone().requires_grad_(true);
  in.gt_boxes = t;
  in.proposals = prop;
  return in;
}

double Convexified(double eiou, double s) {
  const double d = 1 - eiou;
  return d < s ? 0.5 * d * d / s : d - 0.5 * s;
}

TEST(Eiou, HandValuesWithoutMultiplier) {
  // Pixel-unit hand values (box_geometry_test derives I_e, U_e); the proposal
  // rescales both alike, so EIoU is unchanged up to the 1e-7 guard.
  struct Case { std::vector<double> p, t; double inter, uni; };
  const std::vector<Case> cases = {
      {{0, 0, 4, 4}, {2, 2, 6, 6}, 4, 28},      // overlap
      {{0, 0, 2, 2}, {2, 0, 4, 2}, 0, 8},       // touch
      {{1, 1, 3, 3}, {0, 0, 4, 4}, 4, 16},      // nest
      {{0, 0, 2, 2}, {3, 0, 5, 2}, -2, 10},     // apart along x
      {{0, 0, 2, 2}, {3, 4, 5, 6}, -16, 24},    // apart along both
      {{0, 0, 10, 10}, {0, 0, 10, 9.5}, 95, 100},  // near the optimum: delta 0.05 < s
  };
  for (const Case& c : cases) {
    const torch::Tensor t = B(c.t);
    const double got = Make(Spec(false))->Compute(Pair(B(c.p), t, t)).item<double>();
    EXPECT_NEAR(got, Convexified(c.inter / c.uni, 0.1), 1e-6) << c.inter << "/" << c.uni;
  }
  // delta = 0.05: 0.5 * 0.05^2 / 0.1 = 0.0125; overlap: 6/7 - 0.05.
  EXPECT_NEAR(Convexified(0.95, 0.1), 0.0125, 1e-15);
  EXPECT_NEAR(Convexified(1.0 / 7, 0.1), 6.0 / 7 - 0.05, 1e-15);
}

TEST(Eiou, UnionMultiplierIsInProposalUnits) {
  // Overlap case on proposal t = (2,2,6,6) (4 x 4 px): U_e = 28 px^2 = 28/16
  // proposal areas, so l = (6/7 - 0.05) * 1.75 (the guard is now 1e-7 of a
  // proposal area: EIoU = (4/16) / (28/16 + 1e-7)).
  const torch::Tensor t = B({2, 2, 6, 6});
  const double eiou = 0.25 / (1.75 + kUnionEps);
  const double got = Make(Spec(true))->Compute(Pair(B({0, 0, 4, 4}), t, t)).item<double>();
  // 1e-8: the spec holds s as a float (0.1f - 0.1 = 1.5e-9).
  EXPECT_NEAR(got, Convexified(eiou, 0.1) * (1.75 + kUnionEps), 1e-8);
  // On a 2 x 8 proposal the multiplier is 28 / 16 as well; on an 8 x 8 one, 28 / 64.
  const double on_8x8 =
      Make(Spec(true))->Compute(Pair(B({0, 0, 4, 4}), t, B({0, 0, 8, 8}))).item<double>();
  EXPECT_NEAR(on_8x8, Convexified(1.0 / 7, 0.1) * 28.0 / 64.0, 1e-6);
}

TEST(Eiou, MeanOverPositives) {
  // Two positives (overlap: 6/7 - 0.05, apart along x: 1.2 - 0.05) among 7 RoIs.
  const torch::Tensor t = B({2, 2, 6, 6, 3, 0, 5, 2});
  RoiLossInputs in = Pair(B({0, 0, 4, 4, 0, 0, 2, 2}), t, t);
  in.labels = torch::tensor({1, 2, 0, 0, 0, 0, 0}, torch::kLong);
  EXPECT_NEAR(Make(Spec(false))->Compute(in).item<double>(),
              ((6.0 / 7 - 0.05) + (1.2 - 0.05)) / 2, 1e-6);
}

TEST(Eiou, SampledRoisNormaliserDividesByEveryRoi) {
  // The same two positives among 7 RoIs: the sum over positives / 7.
  const torch::Tensor t = B({2, 2, 6, 6, 3, 0, 5, 2});
  RoiLossInputs in = Pair(B({0, 0, 4, 4, 0, 0, 2, 2}), t, t);
  in.labels = torch::tensor({1, 2, 0, 0, 0, 0, 0}, torch::kLong);
  LossSpec spec = Spec(false);
  spec.mutable_eiou()->set_normaliser(EiouOptions::SAMPLED_ROIS);
  EXPECT_NEAR(Make(spec)->Compute(in).item<double>(),
              ((6.0 / 7 - 0.05) + (1.2 - 0.05)) / 7, 1e-6);
}

TEST(Eiou, DisjointBoxesStillGetPulledTogether) {
  // Ordinary IoU is 0 (flat) for p left of t; EIoU's gradient moves p right.
  const torch::Tensor t = B({3, 0, 5, 2});
  RoiLossInputs in = Pair(B({0, 0, 2, 2}), t, t);
  const torch::Tensor loss = Make(Spec(true))->Compute(in);
  const torch::Tensor grad = torch::autograd::grad({loss}, {in.pred_boxes})[0];
  // I_e = (p.x2 - t.x1)(c + d): moving the right edge towards t, or the whole
  // box (x1 and x2 together), lowers the loss. (Moving x1 alone only shrinks p:
  // I_e unchanged, U_e smaller, EIoU more negative, loss up.)
  EXPECT_LT(grad[0][2].item<double>(), 0);
  EXPECT_LT(grad[0][0].item<double>() + grad[0][2].item<double>(), 0);
  EXPECT_GT(grad[0][0].item<double>(), 0);
}

TEST(Eiou, ConvexifiedLossIsContinuouslyDifferentiableAtTheThreshold) {
  const double s = 0.1;
  for (double eiou : {1 - s - 1e-9, 1 - s + 1e-9}) {
    const torch::Tensor x = torch::tensor({eiou}, torch::kDouble).requires_grad_(true);
    const torch::Tensor l = ConvexifiedEiouLoss(x, s);
    EXPECT_NEAR(l.item<double>(), 0.5 * s, 1e-8);
    // d l / d EIoU = -delta / s below s, -1 above: both -1 at delta = s.
    EXPECT_NEAR(torch::autograd::grad({l}, {x})[0].item<double>(), -1.0, 1e-7);
  }
}

TEST(Eiou, MultiplierGradientEqualsFrozenUnionFiniteDifferences) {
  // With the multiplier, autograd must give d/dp sum_i stopgrad(U_i) l_i(p) / P:
  // differences of that function with U_i held at its value at p0.
  for (uint64_t seed : {41, 42, 43}) {
    RoiLossInputs in = MakeRandomRoiLossInputs(seed, 7, 4, 3, torch::kDouble);
    const torch::Tensor loss = Make(Spec(true))->Compute(in);
    const torch::Tensor autograd = torch::autograd::grad({loss}, {in.pred_boxes})[0];
    const torch::Tensor p0 = box_geometry::NormaliseToProposals(in.pred_boxes, in.proposals);
    const torch::Tensor t0 = box_geometry::NormaliseToProposals(in.gt_boxes, in.proposals);
    const torch::Tensor frozen_union =
        box_geometry::ExtendedUnion(p0, t0, box_geometry::ExtendedIntersection(p0, t0)).detach();
    EiouOptions plain;
    plain.set_union_multiplier(false);
    const torch::Tensor numeric = FiniteDifferenceGradient(
        [&](const torch::Tensor& p) {
          return (frozen_union * EiouLossPerRoi(p, in.gt_boxes, in.proposals, plain)).sum() / 4.0;
        },
        in.pred_boxes);
    EXPECT_LT((autograd - numeric).abs().max().item<double>(), 1e-6) << seed;
  }
}

TEST(Eiou, MatchesPengAndYuReferenceCode) {
  // {pred xyxy, gt xyxy, loss} from testdata/eiou_reference.py: the public
  // reference implementation (mmdetection / libfacedetection eiou_loss,
  // s = 0.1, eps = 1e-7, pixel units), run with PyTorch 1.13 and 2.11.0 (same
  // output). Rows span the quadratic branch, the linear branch and boxes apart along x, y and both.
  const std::vector<std::array<double, 9>> reference = {
      {4.2381756965516955, 94.580541287117882, 31.286560885177458, 124.24667653667052, 4.3512725296219852, 94.045707903036657, 31.383874753576023, 123.64572242409874, 0.010092947096759152},
      {56.259319636804001, 34.689791762855002, 85.651611494011391, 72.63874593624567, 56.377300650863639, 35.447259985426662, 85.733252610590242, 73.687207699898721, 0.013841812485341252},
      {35.15910335280725, 47.840562089389266, 68.614225788655176, 74.884788973144339, 35.424780119055988, 47.654525938795054, 69.298938987657863, 74.744738019793715, 0.0077341610159522827},
      {56.810346289799256, 98.94104235720279, 85.970125298125197, 141.79321966650451, 57.789087691189032, 99.128360927254406, 88.591444253104612, 143.40356291487754, 0.097881300064727325},
      {8.5334417838092591, 34.154603381897658, 50.502178110324529, 75.095274758125029, 10.473194214684934, 26.713895004332567, 51.410284659934561, 66.846752438449045, 0.31242505502399326},
      {41.420299816127063, 96.480058854197139, 75.678857098560584, 109.73506829224166, 43.971332405437792, 95.398321655105192, 78.666526547210211, 107.46524702673307, 0.285848998007386},
      {103.19611276571997, 99.724126077702053, 140.79052091188237, 123.42336604386057, 98.699104421092102, 70.965399790631224, 132.24084581245211, 93.953829911818275, 1.0666579060041186},
      {60.593184916209005, 58.086456391780189, 101.65736208986158, 90.337782783741872, 41.816452765848332, 48.580183218421915, 76.279099268602977, 85.186251751769277, 0.75327705083153829},
      {66.799003324796075, 72.278270060112206, 111.984115935636, 117.13200047693941, 64.260847404893269, 95.050844145744961, 101.92563527019863, 132.99536628554861, 0.6606110454047005},
      {-21.301908879247875, 31.878129982054247, -5.5436641262381805, 46.081269002274276, 17.519692532964314, 13.74152957393836, 30.946995994655826, 35.665845429271243, 1.5906722527435393},
      {94.426694974407425, 22.12654246389431, 134.07725773399491, 37.236321391635954, 99.346558925697138, 38.930590658167283, 143.11561832986669, 51.492153050391046, 1.0116728599283074},
      {54.36367850019645, 35.450200338762244, 67.899968418705598, 46.933258631418198, 93.687938858015386, 55.655260951281583, 106.17717158707194, 67.164418877082369, 1.7603344552195277},
  };
  std::vector<double> p, t, expected;
  for (const auto& r : reference) {
    p.insert(p.end(), r.begin(), r.begin() + 4);
    t.insert(t.end(), r.begin() + 4, r.begin() + 8);
    expected.push_back(r[8]);
  }
  EiouOptions pixel_units;
  pixel_units.set_union_multiplier(false);
  const torch::Tensor ours = EiouLossPerRoi(B(p), B(t), torch::Tensor(), pixel_units);
  // 1e-8: our s is the spec's float 0.1f.
  EXPECT_TRUE(torch::allclose(ours, torch::tensor(expected, torch::kDouble), 0, 1e-8)) << ours;
  // In proposal units only the guard's scale differs.
  const torch::Tensor normalised = EiouLossPerRoi(B(p), B(t), B(t), pixel_units);
  EXPECT_TRUE(torch::allclose(normalised, torch::tensor(expected, torch::kDouble), 0, 1e-6));
}

TEST(Eiou, RejectsNonPositiveThreshold) {
  const absl::StatusOr<std::unique_ptr<Loss>> loss =
      LossRegistry::Get().Create("eiou", Spec(true, 0.0));
  EXPECT_EQ(loss.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(loss.status().message().find("EiouOptions.smooth_threshold"), std::string::npos);
}

}  // namespace
}  // namespace huale
