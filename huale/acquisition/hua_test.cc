#include "huale/acquisition/hua.h"

#include <cmath>

#include "gtest/gtest.h"
#include "huale/acquisition/acquisition_function.h"
#include "huale/acquisition/test_detections.h"

namespace huale {
namespace {

using testing_internal::Det;
using testing_internal::View;

TEST(FpnLevels, DefaultFollowsTorchvisionsRoiMapping) {
  // k = floor(4 + log2(sqrt(area) / 224)), clamped to [2, 5].
  const FpnLevels levels;
  EXPECT_EQ(levels.LevelOf({0, 0, 224, 224}), 4);
  EXPECT_EQ(levels.LevelOf({0, 0, 112, 112}), 3);
  EXPECT_EQ(levels.LevelOf({0, 0, 111, 111}), 2);
  EXPECT_EQ(levels.LevelOf({0, 0, 56, 56}), 2);
  EXPECT_EQ(levels.LevelOf({0, 0, 10, 10}), 2);
  EXPECT_EQ(levels.LevelOf({0, 0, 448, 448}), 5);
  EXPECT_EQ(levels.LevelOf({0, 0, 447, 447}), 4);
  EXPECT_EQ(levels.LevelOf({0, 0, 2000, 2000}), 5);
  EXPECT_EQ(levels.LevelOf({5, 5, 5, 5}), 2);
}

TEST(FpnLevels, CanonicalScale64PutsSides32_64_128OnThreeLevels) {
  // The small model's pooler: 64 px on P4, levels 3..5. floor(4 + log2(32/64))
  // = 3, 64 -> 4, 128 -> 5. With torchvision's 224: 32 and 64 both on P2
  // (floor(1.19), floor(2.19)), 128 on P3.
  const FpnLevels small{64, 4, 3, 5};
  EXPECT_EQ(small.LevelOf({0, 0, 32, 32}), 3);
  EXPECT_EQ(small.LevelOf({0, 0, 64, 64}), 4);
  EXPECT_EQ(small.LevelOf({0, 0, 128, 128}), 5);
  EXPECT_EQ(small.LevelOf({0, 0, 8, 8}), 3);
  EXPECT_EQ(small.LevelOf({0, 0, 1000, 1000}), 5);
  const FpnLevels torchvision;
  EXPECT_EQ(torchvision.LevelOf({0, 0, 32, 32}), 2);
  EXPECT_EQ(torchvision.LevelOf({0, 0, 64, 64}), 2);
  EXPECT_EQ(torchvision.LevelOf({0, 0, 128, 128}), 3);
}

TEST(HuaScore, ScaleLevelsFollowTheContextsFpnLevels) {
  // Object O (0,0,64,64) s .9 (.1,.9) H .468996 and its unit U (0,0,60,60) s .2
  // (.5,.5) H 1, IoU 3600/4096 = .879. Scale operator Sum. torchvision's mapping
  // puts both on P2: one level, max(.469, 1) = 1. Canonical 64: O on P4
  // (floor(4)), U on P3 (floor(3.907)): two levels, .468996 + 1.
  const ImageDetections image = View("x", {Det({0, 0, 64, 64}, 0, 0.9f, {0.1f, 0.9f}),
                                           Det({0, 0, 60, 60}, 0, 0.2f, {0.5f, 0.5f})});
  AcquisitionSpec spec;
  spec.set_name("hua");
  spec.mutable_hua()->set_scale_operator(HuaOptions::SUM);
  auto fn = AcquisitionRegistry::Get().Create("hua", spec);
  ASSERT_TRUE(fn.ok()) << fn.status();
  ScoringContext context;
  context.num_classes = 1;
  EXPECT_NEAR((*fn)->Score(image, View("x", {}), context).metrics[0], 1.0, 1e-6);
  context.fpn_levels = FpnLevels{64, 4, 3, 5};
  ASSERT_TRUE(context.Validate().ok());
  EXPECT_NEAR((*fn)->Score(image, View("x", {}), context).metrics[0], 1.468996, 1e-6);
  context.fpn_levels.max_level = 2;
  EXPECT_FALSE(context.Validate().ok());
}

// C = 1 (softmax over background and one class), entropies in bits:
//   A  (0,0,224,224)   s .9   (.1,.9)   H .468996  level 4   object
//   A2 (0,0,230,224)   s .2   (.5,.5)   H 1        level 4   IoU(A) .974: unit of A
//   A3 (0,0,160,160)   s .25  (.75,.25) H .811278  level 3   IoU(A) .510: unit of A
//   B  (400,300,456,356) s .8 (.2,.8)   H .721928  level 2   object
ImageDetections HandImage() {
  return View("x", {Det({0, 0, 224, 224}, 0, 0.9f, {0.1f, 0.9f}),
                    Det({0, 0, 230, 224}, 0, 0.2f, {0.5f, 0.5f}),
                    Det({0, 0, 160, 160}, 0, 0.25f, {0.75f, 0.25f}),
                    Det({400, 300, 456, 356}, 0, 0.8f, {0.2f, 0.8f})});
}

TEST(HuaImageUncertainty, DefaultSumMaxSum) {
  // Class Sum -> unit = entropy. A: level 4 max(.469, 1) = 1, level 3 .811;
  // scale Max -> 1. B: .722. Objects Sum -> 1.721928.
  EXPECT_NEAR(*HuaImageUncertainty(HandImage(), View("x", {}), 1, HuaOptions()), 1.721928,
              1e-6);
}

TEST(HuaImageUncertainty, OperatorsAreOptions) {
  HuaOptions options;
  options.set_scale_operator(HuaOptions::SUM);
  // A: 1 + .811278; B: .721928.
  EXPECT_NEAR(*HuaImageUncertainty(HandImage(), View("x", {}), 1, options),
              1.811278 + 0.721928, 1e-6);
  options.set_object_operator(HuaOptions::MEAN);
  EXPECT_NEAR(*HuaImageUncertainty(HandImage(), View("x", {}), 1, options),
              (1.811278 + 0.721928) / 2, 1e-6);
  // Class Max: A -.1 log2 .1 = .332193; A2 .5; A3 -.25 log2 .25 = .5;
  // B -.2 log2 .2 = .464386. A: max(max(.332, .5), .5) = .5; B .464386.
  HuaOptions class_max;
  class_max.set_class_operator(HuaOptions::MAX);
  EXPECT_NEAR(*HuaImageUncertainty(HandImage(), View("x", {}), 1, class_max), 0.5 + 0.464386,
              1e-6);
}

TEST(HuaImageUncertainty, FlipDisagreementUnits) {
  HuaOptions options;
  options.set_unit_uncertainty(UNIT_FLIP_DISAGREEMENT);
  const ImageDetections image = HandImage();
  // Every unit's flipped twin is identical: no disagreement anywhere.
  EXPECT_NEAR(*HuaImageUncertainty(image, image, 1, options), 0.0, 1e-12);
  // Empty flipped view: each unit counts 1/(C+1) per class, 1 in all; A -> 1, B -> 1.
  EXPECT_NEAR(*HuaImageUncertainty(image, View("x", {}), 1, options), 2.0, 1e-12);
}

TEST(HuaImageUncertainty, NoObjectIsTheZeroSet) {
  const ImageDetections weak = View("x", {Det({0, 0, 50, 50}, 0, 0.3f, {0.7f, 0.3f})});
  EXPECT_FALSE(HuaImageUncertainty(weak, View("x", {}), 1, HuaOptions()).has_value());
  AcquisitionSpec spec;
  spec.set_name("hua");
  auto fn = AcquisitionRegistry::Get().Create("hua", spec);
  ASSERT_TRUE(fn.ok());
  EXPECT_TRUE((*fn)->Score(weak, View("x", {}), ScoringContext()).in_zero_set);
}

}  // namespace
}  // namespace huale
