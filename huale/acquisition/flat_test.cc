#include "gtest/gtest.h"
#include "huale/acquisition/acquisition_function.h"
#include "huale/acquisition/test_detections.h"

namespace huale {
namespace {

using testing_internal::Det;
using testing_internal::View;

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

TEST(FlatScore, IsTheMeanBoxEntropy) {
  AcquisitionSpec spec;
  spec.set_name("flat");
  auto fn = AcquisitionRegistry::Get().Create("flat", spec);
  ASSERT_TRUE(fn.ok());
  ScoringContext context;
  context.num_classes = 1;
  // Mean of .468996, 1, .811278, .721928 (all boxes, no levels).
  const ImageScore score = (*fn)->Score(HandImage(), View("x", {}), context);
  EXPECT_NEAR(score.metrics[0], (0.468996 + 1 + 0.811278 + 0.721928) / 4, 1e-6);
  EXPECT_TRUE((*fn)->Score(View("x", {}), View("x", {}), context).in_zero_set);

  spec.mutable_flat()->set_unit_uncertainty(UNIT_FLIP_DISAGREEMENT);
  auto flip = AcquisitionRegistry::Get().Create("flat", spec);
  ASSERT_TRUE(flip.ok());
  EXPECT_NEAR((*flip)->Score(HandImage(), HandImage(), context).metrics[0], 0.0, 1e-12);
  EXPECT_NEAR((*flip)->Score(HandImage(), View("x", {}), context).metrics[0], 1.0, 1e-12);
}

}  // namespace
}  // namespace huale
