#include "huale/acquisition/semantic_affinity.h"

#include <cmath>

#include "gtest/gtest.h"
#include "huale/acquisition/test_detections.h"

namespace huale {
namespace {

using testing_internal::Det;
using testing_internal::Softmax;
using testing_internal::View;

constexpr int kC = 20;

TEST(SemanticAffinity, IdenticalViewsAreZero) {
  // The authors' easy image (one bottle at 0.94): SA = 0.0.
  const auto bottle = Det({100, 50, 180, 250}, 4, 0.94f, Softmax(kC, 4, 0.94, 0.03));
  EXPECT_DOUBLE_EQ(SemanticAffinity(View("x", {bottle}), View("x", {bottle}), kC), 0.0);
}

TEST(SemanticAffinity, ABoxWithoutAFlippedCounterpartCountsOne) {
  const auto box = Det({0, 0, 100, 100}, 1, 0.9f, Softmax(kC, 1, 0.9, 0.05));
  EXPECT_DOUBLE_EQ(SemanticAffinity(View("x", {box}), View("x", {}), kC), 1.0);
  // IoU = 2500 / 17500 = 0.143 < 0.5: unmatched.
  const auto shifted = Det({50, 50, 150, 150}, 1, 0.9f, box.class_probs);
  EXPECT_DOUBLE_EQ(SemanticAffinity(View("x", {box}), View("x", {shifted}), kC), 1.0);
}

TEST(SemanticAffinity, EmptyViews) {
  const auto box = Det({0, 0, 100, 100}, 1, 0.9f, Softmax(kC, 1, 0.9, 0.05));
  EXPECT_DOUBLE_EQ(SemanticAffinity(View("x", {}), View("x", {}), kC), 0.0);
  EXPECT_DOUBLE_EQ(SemanticAffinity(View("x", {}), View("x", {box}), kC), 1.0);
}

TEST(SemanticAffinity, IsTheMeanJensenShannonOverBoxes) {
  // Two classes (C = 1): p = (0.5, 0.5) on x, q = (0, 1) on the flip:
  // JS₂ = 0.311278 (see jensen_shannon_test). Second box: identical -> 0; third
  // box: unmatched -> 1. Mean = (0.311278 + 0 + 1) / 3.
  const auto a = Det({0, 0, 100, 100}, 0, 0.5f, {0.5f, 0.5f});
  const auto a_flip = Det({2, 0, 102, 100}, 0, 1.0f, {0.0f, 1.0f});
  const auto b = Det({200, 0, 300, 100}, 0, 0.7f, {0.3f, 0.7f});
  const auto c = Det({400, 300, 450, 350}, 0, 0.7f, {0.3f, 0.7f});
  const double js = 0.5 * (0.5 * std::log2(2.0 / 3.0) + 0.5) + 0.5 * std::log2(4.0 / 3.0);
  EXPECT_NEAR(SemanticAffinity(View("x", {a, b, c}), View("x", {b, a_flip}), 1),
              (js + 0.0 + 1.0) / 3.0, 1e-7);
}

TEST(SemanticAffinity, MatchesTheFlippedBoxOfLargestIou) {
  const auto a = Det({0, 0, 100, 100}, 0, 0.9f, {0.1f, 0.9f});
  const auto near = Det({1, 0, 101, 100}, 0, 0.9f, {0.1f, 0.9f});      // IoU 0.98
  const auto farther = Det({20, 0, 120, 100}, 0, 0.5f, {0.5f, 0.5f});  // IoU 0.67
  EXPECT_NEAR(SemanticAffinity(View("x", {a}), View("x", {farther, near}), 1), 0.0, 1e-12);
}

TEST(SemanticAffinity, IgnoresBoxesBelowTheMinimumScore) {
  const auto a = Det({0, 0, 100, 100}, 0, 0.9f, {0.1f, 0.9f});
  const auto weak = Det({300, 0, 400, 100}, 0, 0.1f, {0.9f, 0.1f});
  EXPECT_DOUBLE_EQ(SemanticAffinity(View("x", {a, weak}), View("x", {a}), 1, 0.05), 0.5);
  EXPECT_DOUBLE_EQ(SemanticAffinity(View("x", {a, weak}), View("x", {a}), 1, 0.5), 0.0);
}

}  // namespace
}  // namespace huale
