#include "huale/acquisition/category_diversity.h"

#include <cmath>

#include "gtest/gtest.h"
#include "huale/acquisition/test_detections.h"

namespace huale {
namespace {

using testing_internal::Det;
using testing_internal::View;

constexpr int kC = 20;
constexpr int kBottle = 4;

// JS₂(δ_k ‖ q) for a one-class image depends on q only through q_k: with
// m = (δ_k + q) / 2, KL(δ_k‖m) = log2(2 / (1 + q_k)) and
// KL(q‖m) = q_k log2(2 q_k / (1 + q_k)) + (1 - q_k) log2(2), so
//   JS = ½ [log2(2 / (1 + q_k)) + q_k log2(2 q_k / (1 + q_k)) + 1 - q_k].
double OneClassJs(double q_k) {
  return 0.5 * (std::log2(2.0 / (1.0 + q_k)) + q_k * std::log2(2.0 * q_k / (1.0 + q_k)) + 1.0 -
                q_k);
}

// q_k in (0, 1) with OneClassJs(q_k) = target (OneClassJs decreases in q_k).
double SolveShare(double target) {
  double lo = 1e-9, hi = 1.0;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (OneClassJs(mid) > target ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

// Labelled shares with `q_k` on class k and the rest spread unevenly.
std::vector<double> Shares(int k, double q_k) {
  std::vector<double> q(kC);
  double weights = 0;
  for (int c = 0; c < kC; ++c) weights += c == k ? 0 : c + 1;
  for (int c = 0; c < kC; ++c) q[c] = c == k ? q_k : (1.0 - q_k) * (c + 1) / weights;
  return q;
}

TEST(CategoryDiversity, UniformLabelledSetAgainstOneClass) {
  // q_k = 0.05: ½[log2(2/1.05) + 0.05 log2(0.1/1.05) + 0.95] = 0.854997.
  const auto bottle = Det({0, 0, 50, 100}, kBottle, 0.94f);
  EXPECT_NEAR(CategoryDiversity(View("x", {bottle}), View("x", {}), {}, kC), 0.854997, 1e-6);
  EXPECT_NEAR(CategoryDiversity(View("x", {bottle}), View("x", {}),
                                std::vector<double>(kC, 1.0 / kC), kC),
              0.854997, 1e-6);
}

TEST(CategoryDiversity, ReproducesTheEasyOneBottleRowOfTheAuthorsTable) {
  // CD = 0.594 for the one-bottle image when bottles are q* of the labelled
  // instances, q* solved from the closed form (about 0.2125).
  const double q_star = SolveShare(0.594);
  EXPECT_NEAR(q_star, 0.2125, 0.001);
  const auto bottle = Det({0, 0, 50, 100}, kBottle, 0.94f);
  EXPECT_NEAR(CategoryDiversity(View("x", {bottle}), View("x", {bottle}),
                                Shares(kBottle, q_star), kC),
              0.594, 1e-9);
}

TEST(CategoryDiversity, ImageClassScoresArePerClassMaximaOverBothViews) {
  const auto a = Det({0, 0, 10, 10}, 2, 0.6f);
  const auto b = Det({20, 0, 30, 10}, 2, 0.8f);
  const auto c = Det({40, 0, 50, 10}, 7, 0.4f);
  const std::vector<double> q = ImageClassScores(View("x", {a, c}), View("x", {b}), kC);
  ASSERT_EQ(q.size(), static_cast<size_t>(kC));
  EXPECT_NEAR(q[2], 0.8, 1e-7);
  EXPECT_NEAR(q[7], 0.4, 1e-7);
  EXPECT_DOUBLE_EQ(q[0], 0.0);
}

TEST(CategoryDiversity, MatchingClassMixIsZeroAndNoDetectionIsZero) {
  // q_x = (0.9, 0.9)/1.8 = (0.5, 0.5) over classes 0 and 1; q_L the same.
  std::vector<double> q_l(kC, 0.0);
  q_l[0] = q_l[1] = 0.5;
  const auto a = Det({0, 0, 10, 10}, 0, 0.9f), b = Det({20, 0, 30, 10}, 1, 0.9f);
  EXPECT_NEAR(CategoryDiversity(View("x", {a, b}), View("x", {}), q_l, kC), 0.0, 1e-12);
  EXPECT_DOUBLE_EQ(CategoryDiversity(View("x", {}), View("x", {}), q_l, kC), 0.0);
}

TEST(CategoryDiversity, MinScoreKeepsOnlyConfidentClassesInQx) {
  // A confident bottle plus low-score clutter on 19 other classes: with every box,
  // q_x = (0.94 on bottle, 0.06 on each other class) / 2.08 is close to the uniform
  // labelled share; with min_score 0.5 only the bottle is left, JS = 0.854997 as in
  // UniformLabelledSetAgainstOneClass.
  std::vector<Detection> boxes = {Det({0, 0, 50, 100}, kBottle, 0.94f)};
  for (int c = 0; c < kC; ++c) {
    if (c != kBottle) boxes.push_back(Det({60, 0, 70, 10}, c, 0.06f));
  }
  const std::vector<double> uniform(kC, 1.0 / kC);
  const double all_boxes = CategoryDiversity(View("x", boxes), View("x", {}), uniform, kC);
  const double confident =
      CategoryDiversity(View("x", boxes), View("x", {}), uniform, kC, /*min_score=*/0.5);
  EXPECT_LT(all_boxes, 0.3);
  EXPECT_NEAR(confident, 0.854997, 1e-6);
  // A threshold above every box leaves no q_x: CD = 0.
  EXPECT_DOUBLE_EQ(
      CategoryDiversity(View("x", boxes), View("x", {}), uniform, kC, /*min_score=*/0.95), 0.0);
  const std::vector<double> q = ImageClassScores(View("x", boxes), View("x", {}), kC, 0.5);
  EXPECT_NEAR(q[kBottle], 0.94, 1e-7);
  EXPECT_DOUBLE_EQ(q[0], 0.0);
}

}  // namespace
}  // namespace huale
