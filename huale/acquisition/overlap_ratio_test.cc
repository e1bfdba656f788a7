#include "huale/acquisition/overlap_ratio.h"

#include "gtest/gtest.h"
#include "huale/acquisition/test_detections.h"

namespace huale {
namespace {

using testing_internal::Det;
using testing_internal::View;

TEST(OverlapRatio, FourOfFiveOverlappingBoxesIsPointEight) {
  // The authors' hard image with ~5 overlapping boxes: OR = 0.800. Boxes 1-4
  // form a chain (each overlaps the next), box 5 stands apart: 4 / 5.
  const ImageDetections view = View(
      "x", {Det({0, 0, 100, 100}, 0, 0.9f), Det({80, 0, 180, 100}, 0, 0.8f),
            Det({160, 0, 260, 100}, 1, 0.7f), Det({240, 50, 300, 150}, 2, 0.6f),
            Det({400, 300, 450, 350}, 3, 0.9f)});
  EXPECT_DOUBLE_EQ(OverlapRatio(view), 0.8);
}

TEST(OverlapRatio, TwoOfSixOverlappingBoxesIsOneThird) {
  // The authors' persons + horse image: OR = 0.333.
  const ImageDetections view = View(
      "x", {Det({0, 0, 100, 200}, 14, 0.9f), Det({50, 100, 250, 250}, 12, 0.9f),
            Det({300, 0, 340, 80}, 14, 0.8f), Det({360, 0, 400, 80}, 14, 0.8f),
            Det({420, 0, 460, 80}, 14, 0.7f), Det({500, 0, 540, 80}, 14, 0.6f)});
  EXPECT_NEAR(OverlapRatio(view), 1.0 / 3.0, 1e-15);
}

TEST(OverlapRatio, OneBoxOrNoneIsZero) {
  EXPECT_DOUBLE_EQ(OverlapRatio(View("x", {Det({0, 0, 10, 10}, 4, 0.94f)})), 0.0);
  EXPECT_DOUBLE_EQ(OverlapRatio(View("x", {})), 0.0);
}

TEST(OverlapRatio, TouchingBoxesDoNotOverlap) {
  const ImageDetections view =
      View("x", {Det({0, 0, 10, 10}, 0, 0.9f), Det({10, 0, 20, 10}, 0, 0.9f)});
  EXPECT_DOUBLE_EQ(OverlapRatio(view), 0.0);
}

TEST(OverlapRatio, CountsOnlyConfidentBoxes) {
  // The weak box overlaps both confident ones, which do not overlap each other.
  const ImageDetections view =
      View("x", {Det({0, 0, 10, 10}, 0, 0.9f), Det({20, 0, 30, 10}, 0, 0.9f),
                 Det({5, 0, 25, 10}, 0, 0.3f)});
  EXPECT_DOUBLE_EQ(OverlapRatio(view), 0.0);
  EXPECT_DOUBLE_EQ(OverlapRatio(view, 0.2), 1.0);
}

}  // namespace
}  // namespace huale
