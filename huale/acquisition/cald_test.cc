#include <cmath>

#include "gmock/gmock.h"
#include "glog/logging.h"
#include "gtest/gtest.h"
#include "huale/acquisition/acquisition_function.h"
#include "huale/acquisition/test_detections.h"

namespace huale {
namespace {

using ::testing::ElementsAre;
using testing_internal::Det;
using testing_internal::View;

std::unique_ptr<AcquisitionFunction> MakeCald() {
  AcquisitionSpec spec;
  spec.set_name("cald");
  auto fn = AcquisitionRegistry::Get().Create("cald", spec);
  CHECK(fn.ok()) << fn.status();
  return std::move(*fn);
}

TEST(CaldScore, ConsistencyOfIdenticalViewsIsOnePlusTheScore) {
  // Identical views: IoU = 1, JS = 0, so m = 1 + ½ (s + s) = 1 + s.
  // s = 0.5 -> |1.5 - 1.3| = 0.2; s = 0.9 -> |1.9 - 1.3| = 0.6; the image takes
  // the minimum, 0.2.
  ScoringContext context;
  context.num_classes = 1;
  const auto a = Det({0, 0, 100, 100}, 0, 0.5f, {0.5f, 0.5f});
  const auto b = Det({200, 0, 300, 100}, 0, 0.9f, {0.1f, 0.9f});
  const ImageScore score = MakeCald()->Score(View("x", {a, b}), View("x", {a, b}), context);
  EXPECT_FALSE(score.in_zero_set);
  EXPECT_NEAR(score.metrics[0], 0.2, 1e-7);
}

TEST(CaldScore, AnEmptyFlippedViewGivesMZero) {
  ScoringContext context;
  context.num_classes = 1;
  const auto a = Det({0, 0, 100, 100}, 0, 0.9f, {0.1f, 0.9f});
  EXPECT_NEAR(MakeCald()->Score(View("x", {a}), View("x", {}), context).metrics[0], 1.3, 1e-7);
}

TEST(CaldScore, NoConfidentBoxIsTheZeroSet) {
  ScoringContext context;
  context.num_classes = 1;
  const auto weak = Det({0, 0, 100, 100}, 0, 0.3f, {0.7f, 0.3f});
  EXPECT_TRUE(MakeCald()->Score(View("x", {weak}), View("x", {weak}), context).in_zero_set);
}

TEST(CaldScore, ClassDivergenceOfSoftmaxedDistributions) {
  // C = 2, one box of class 0 at 0.9: q_x = (0.9, 0), softmax = (e^.9, 1) / (e^.9 + 1)
  // = (0.710950, 0.289050); q_L uniform -> softmax (0.5, 0.5). m = (0.605475, 0.394525).
  ScoringContext context;
  context.num_classes = 2;
  context.labelled_class_share = {0.5, 0.5};
  const auto a = Det({0, 0, 100, 100}, 0, 0.9f, {0.05f, 0.9f, 0.05f});
  const double p0 = 0.710950, p1 = 0.289050, m0 = 0.605475, m1 = 0.394525;
  const double js = 0.5 * (p0 * std::log2(p0 / m0) + p1 * std::log2(p1 / m1)) +
                    0.5 * (0.5 * std::log2(0.5 / m0) + 0.5 * std::log2(0.5 / m1));
  EXPECT_NEAR(MakeCald()->Score(View("x", {a}), View("x", {a}), context).metrics[1], js, 1e-5);
}

TEST(CaldSelect, SmallestConsistencyThenLargestDivergence) {
  // b = 3: 1.2 * 3 = 3.6 -> 4 retrieved,
  // by consistency a .1, b .2, c .3, d .4 (e .9 dropped); by divergence among
  // them: c .8, a .6, d .5 | b .1.
  const std::vector<ImageScore> pool = {{"a", false, {0.1, 0.6}}, {"b", false, {0.2, 0.1}},
                                        {"c", false, {0.3, 0.8}}, {"d", false, {0.4, 0.5}},
                                        {"e", false, {0.9, 0.99}}};
  auto selection = MakeCald()->Select(pool, 3, ScoringContext(), 1);
  ASSERT_TRUE(selection.ok()) << selection.status();
  std::vector<std::string> ids;
  for (const auto& image : selection->images) ids.push_back(image.image_id);
  EXPECT_THAT(ids, ElementsAre("c", "a", "d"));
  EXPECT_THAT(selection->stage_sizes, ElementsAre(5, 4, 0));
}

}  // namespace
}  // namespace huale
