#include "huale/acquisition/localization_confidence.h"

#include "gtest/gtest.h"
#include "huale/acquisition/acquisition_function.h"
#include "huale/acquisition/test_detections.h"

namespace huale {
namespace {

using testing_internal::Det;
using testing_internal::View;

TEST(LocalizationConfidence, IdenticalViewsAreZero) {
  const auto box = Det({10, 20, 110, 220}, 0, 0.9f);
  EXPECT_DOUBLE_EQ(LocalizationConfidence(View("x", {box}), View("x", {box})), 0.0);
}

TEST(LocalizationConfidence, ReproducesTheEasyOneBottleRowOfTheAuthorsTable) {
  // Bottle (50, 40, 150, 240): width 100, height 200. The flipped pass, in the
  // flipped image (W = 640), finds (480.4, 59.2, 580.4, 259.2), i.e.
  // (59.6, 59.2, 159.6, 259.2) mapped back: x edges off by 9.6 = 0.096 * width,
  // y edges off by 19.2 = 0.096 * height, so every c_e = 1 - 0.096 / 0.5 = 0.808
  // and LC = 1 - 0.808 = 0.192 (the table's value).
  const auto bottle = Det({50, 40, 150, 240}, 4, 0.94f);
  const auto flipped = Det({480.4, 59.2, 580.4, 259.2}, 4, 0.94f);
  const ImageDetections back = MapFlippedBack(View("x", {flipped}, 640, 480));
  EXPECT_NEAR(back.detections[0].box.x1, 59.6, 1e-9);
  EXPECT_NEAR(back.detections[0].box.x2, 159.6, 1e-9);
  EXPECT_NEAR(LocalizationConfidence(View("x", {bottle}, 640, 480), back), 0.192, 1e-9);
}

TEST(LocalizationConfidence, EdgeAgreementIsClippedAtZero) {
  // Width 100; x1 moves by 55 > half the width: c = 0 there. IoU = 0.45,
  // matched at a 0.4 threshold. c = (0 + 1 + 1 + 1) / 4 -> LC = 0.25.
  const auto box = Det({0, 0, 100, 100}, 0, 0.9f);
  const auto flip = Det({55, 0, 100, 100}, 0, 0.9f);
  ASSERT_NEAR(Iou(box.box, flip.box), 0.45, 1e-12);
  EXPECT_NEAR(LocalizationConfidence(View("x", {box}), View("x", {flip}), 0.05, 0.4), 0.25,
              1e-12);
}

TEST(LocalizationConfidence, UnmatchedBoxesAndEmptyViews) {
  const auto box = Det({0, 0, 100, 100}, 0, 0.9f);
  const auto far = Det({300, 300, 400, 400}, 0, 0.9f);
  EXPECT_DOUBLE_EQ(LocalizationConfidence(View("x", {box}), View("x", {})), 1.0);
  EXPECT_DOUBLE_EQ(LocalizationConfidence(View("x", {box}), View("x", {far})), 1.0);
  EXPECT_DOUBLE_EQ(LocalizationConfidence(View("x", {}), View("x", {})), 0.0);
  EXPECT_DOUBLE_EQ(LocalizationConfidence(View("x", {}), View("x", {box})), 1.0);
  // One matched identical box and one unmatched: LC = 1 - (4 + 0) / 8.
  EXPECT_DOUBLE_EQ(LocalizationConfidence(View("x", {box, far}), View("x", {box})), 0.5);
}

TEST(LocalizationConfidence, MinSideFloorsTheSideOfTinyBoxes) {
  // A 4 x 4 box; the flipped one is off by 2 px on x1 and y1: c = 1 - 2 / 2 = 0
  // there, 1 on x2 and y2: LC = 1 - 2/4 = 0.5. With min_side 16 the off edges
  // agree 1 - 2 / 8 = 0.75: LC = 1 - 3.5 / 4 = 0.125. A 100 px box is unaffected.
  const ImageDetections x = View("x", {Det({10, 10, 14, 14}, 0, 0.9f)});
  const ImageDetections f = View("x", {Det({12, 12, 14, 14}, 0, 0.9f)});
  EXPECT_NEAR(LocalizationConfidence(x, f, 0.05, 0.1), 0.5, 1e-12);
  EXPECT_NEAR(LocalizationConfidence(x, f, 0.05, 0.1, 0), 0.5, 1e-12);
  EXPECT_NEAR(LocalizationConfidence(x, f, 0.05, 0.1, 16), 0.125, 1e-12);
  const ImageDetections big = View("x", {Det({0, 0, 100, 100}, 0, 0.9f)});
  const ImageDetections big_f = View("x", {Det({10, 0, 100, 100}, 0, 0.9f)});
  EXPECT_NEAR(LocalizationConfidence(big, big_f, 0.05, 0.5, 16),
              LocalizationConfidence(big, big_f, 0.05, 0.5), 1e-12);
}

TEST(LocalizationConfidence, FromIouHeadIsOneMinusTheMeanPrediction) {
  auto a = Det({0, 0, 10, 10}, 0, 0.9f);
  auto b = Det({20, 0, 30, 10}, 0, 0.9f);
  a.predicted_iou = 0.9f;
  b.predicted_iou = 0.5f;
  EXPECT_NEAR(*LocalizationConfidenceFromIouHead(View("x", {a, b})), 0.3, 1e-7);
  EXPECT_FALSE(LocalizationConfidenceFromIouHead(View("x", {Det({0, 0, 1, 1}, 0, 0.9f)}))
                   .has_value());
}

}  // namespace
}  // namespace huale
