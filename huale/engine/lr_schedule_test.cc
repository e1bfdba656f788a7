#include "huale/engine/lr_schedule.h"

#include "gtest/gtest.h"

namespace huale {
namespace {

LrScheduleOptions Recipe() {
  LrScheduleOptions options;
  options.base_lr = 0.01;
  options.warmup_iterations = 100;
  options.warmup_factor = 0.001;
  options.lr_steps = {16, 19};
  options.gamma = 0.1;
  return options;
}

// torchvision references/detection/utils.py: f = warmup_factor * (1 - a) + a, a = it / iters.
TEST(LearningRateAt, WarmsUpLinearlyFromTheWarmupFactor) {
  EXPECT_DOUBLE_EQ(LearningRateAt(Recipe(), 0, 0), 0.01 * 0.001);
  EXPECT_DOUBLE_EQ(LearningRateAt(Recipe(), 50, 0), 0.01 * (0.001 * 0.5 + 0.5));
  EXPECT_DOUBLE_EQ(LearningRateAt(Recipe(), 100, 0), 0.01);
}

TEST(LearningRateAt, DropsByGammaFromEachStepEpochOn) {
  EXPECT_DOUBLE_EQ(LearningRateAt(Recipe(), 5000, 15), 0.01);
  EXPECT_DOUBLE_EQ(LearningRateAt(Recipe(), 5000, 16), 0.001);
  EXPECT_NEAR(LearningRateAt(Recipe(), 5000, 19), 0.0001, 1e-12);
}

TEST(LearningRateAt, StepsInIterationsDropFromThatStepOnWhateverTheEpoch) {
  LrScheduleOptions options = Recipe();
  options.lr_steps = {800, 950};
  options.steps_in_iterations = true;
  EXPECT_DOUBLE_EQ(LearningRateAt(options, 799, 30), 0.01);
  EXPECT_DOUBLE_EQ(LearningRateAt(options, 800, 0), 0.001);
  EXPECT_NEAR(LearningRateAt(options, 950, 1), 0.0001, 1e-12);
}

TEST(LearningRateAt, NoWarmupMeansBaseRate) {
  LrScheduleOptions options = Recipe();
  options.warmup_iterations = 0;
  EXPECT_DOUBLE_EQ(LearningRateAt(options, 0, 0), 0.01);
}

}  // namespace
}  // namespace huale
