#include "experiments/sweep_plot.h"

#include <algorithm>
#include <cmath>
#include <variant>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace huale {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;

TEST(RoundTicks, LandOnMultiplesOfFiveNotOnFractionsOfTheRange) {
  // The old axis split 10.2..31.9 in quarters: 10.2, 15.6, 21.05, ...
  const AxisTicks ticks = RoundTicks(10.2, 31.9, 6);
  EXPECT_DOUBLE_EQ(ticks.step, 5);
  EXPECT_THAT(ticks.values, ElementsAre(15, 20, 25, 30));
}

TEST(RoundTicks, StepIsOneTwoOrFiveTimesAPowerOfTen) {
  EXPECT_DOUBLE_EQ(RoundTicks(0, 10, 6).step, 2);      // 0, 2, ..., 10
  EXPECT_DOUBLE_EQ(RoundTicks(0, 1, 6).step, 0.2);     // 0, 0.2, ..., 1
  EXPECT_DOUBLE_EQ(RoundTicks(100, 2500, 6).step, 500);
  EXPECT_DOUBLE_EQ(RoundTicks(3.1, 3.4, 6).step, 0.1);
  EXPECT_THAT(RoundTicks(3.1, 3.4, 6).values,
              ElementsAre(DoubleNear(3.1, 1e-12), DoubleNear(3.2, 1e-12), DoubleNear(3.3, 1e-12),
                          DoubleNear(3.4, 1e-12)));
}

TEST(RoundTicks, MinimumStepKeepsCountsWhole) {
  const AxisTicks ticks = RoundTicks(100, 101, 6, /*min_step=*/1);
  EXPECT_DOUBLE_EQ(ticks.step, 1);
  EXPECT_THAT(ticks.values, ElementsAre(100, 101));
}

TEST(RoundTicks, EmptyRangeIsOneTick) {
  EXPECT_THAT(RoundTicks(7, 7, 6).values, ElementsAre(7));
}

TEST(TickLabel, DecimalsFollowTheStep) {
  EXPECT_EQ(TickLabel(15, 5), "15");
  EXPECT_EQ(TickLabel(0, 5), "0");
  EXPECT_EQ(TickLabel(-0.0, 5), "-0");  // RoundTicks never yields -0 (its own test below)
  EXPECT_EQ(TickLabel(15.5, 0.5), "15.5");
  EXPECT_EQ(TickLabel(0.30000000000000004, 0.1), "0.3");
  EXPECT_EQ(TickLabel(0.05, 0.05), "0.05");
}

TEST(RoundTicks, ZeroIsPositive) {
  EXPECT_EQ(TickLabel(RoundTicks(0, 30, 6).values.front(), 5), "0");
}

template <typename T>
int Count(const DisplayList& list) {
  int n = 0;
  for (const Primitive& p : list.primitives) n += std::holds_alternative<T>(p);
  return n;
}

TEST(SweepPlot, PerMethodOneBandOneLineAMarkerPerCycleAndALegendEntry) {
  std::vector<MethodSummary> summaries(2);
  summaries[0] = {"huale", 3, {100, 200, 300}, {0.30, 0.35, 0.40}, {0.01, 0.01, 0.02}};
  summaries[1] = {"random", 3, {100, 200, 300}, {0.28, 0.30, 0.33}, {0.01, 0.02, 0.01}};
  const DisplayList list = SweepPlot(summaries, "fmnist", "mAP@0.5");
  EXPECT_EQ(Count<PolygonPrimitive>(list), 2);
  EXPECT_EQ(Count<PolylinePrimitive>(list), 2);
  EXPECT_EQ(Count<DiscPrimitive>(list), 6);
  std::vector<std::string> texts;
  for (const Primitive& p : list.primitives) {
    if (const auto* t = std::get_if<TextPrimitive>(&p)) texts.push_back(t->text);
  }
  // Title, axis labels, legend. y: 27..42 % padded by 8% of the range to
  // 25.8..43.2, ticks 30, 35, 40; x: 100..300, ticks every 50.
  EXPECT_THAT(texts, ::testing::IsSupersetOf({"fmnist", "labelled images", "mAP@0.5 (%)", "huale",
                                              "random", "30", "35", "40", "100", "150", "300"}));
}

// Long method names widen the canvas so the legend is not cut off (the plot
// area keeps its size); short ones keep the default 820 px.
TEST(SweepPlot, CanvasWidensForLongLegendNames) {
  std::vector<MethodSummary> summaries(2);
  summaries[0] = {"v2a_i800_huale_selection_single_stage_semantic_affinity", 3, {100, 200},
                  {0.30, 0.35}, {0.01, 0.01}};
  summaries[1] = {"random", 3, {100, 200}, {0.28, 0.30}, {0.01, 0.02}};
  const DisplayList wide = SweepPlot(summaries, "t", "mAP");
  for (const Primitive& p : wide.primitives) {
    const auto* t = std::get_if<TextPrimitive>(&p);
    if (t != nullptr && t->text == summaries[0].method) {
      EXPECT_LE(t->at.x + 7.5 * static_cast<double>(t->text.size()), wide.width);
    }
  }
  summaries[0].method = "huale";
  const DisplayList narrow = SweepPlot(summaries, "t", "mAP");
  EXPECT_EQ(narrow.width, 820);
  EXPECT_GT(wide.width, narrow.width);
  // The plot area is the same: the last marker sits at the same x.
  double wide_x = 0, narrow_x = 0;
  for (const Primitive& p : wide.primitives) {
    if (const auto* d = std::get_if<DiscPrimitive>(&p)) wide_x = std::max(wide_x, d->center.x);
  }
  for (const Primitive& p : narrow.primitives) {
    if (const auto* d = std::get_if<DiscPrimitive>(&p)) narrow_x = std::max(narrow_x, d->center.x);
  }
  EXPECT_DOUBLE_EQ(wide_x, narrow_x);
}

// The second plot: x is each cycle's mean labelled boxes; a cycle without a
// count (a run from before they were recorded) is not drawn.
TEST(SweepPlot, BoxesAxisPlacesCyclesAtTheirLabelledBoxes) {
  std::vector<MethodSummary> summaries(2);
  summaries[0] = {"huale", 3, {100, 200}, {0.30, 0.35}, {0.01, 0.01}};
  summaries[0].labelled_boxes = {300, 700};
  summaries[1] = {"random", 3, {100, 200}, {0.28, 0.30}, {0.01, 0.02}};
  summaries[1].labelled_boxes = {300, std::nan("")};
  const DisplayList list = SweepPlot(summaries, "fmnist", "mAP", SweepAxis::kLabelledBoxes);
  EXPECT_EQ(Count<DiscPrimitive>(list), 3);
  std::vector<std::string> texts;
  std::vector<double> marker_x;
  for (const Primitive& p : list.primitives) {
    if (const auto* t = std::get_if<TextPrimitive>(&p)) texts.push_back(t->text);
    if (const auto* d = std::get_if<DiscPrimitive>(&p)) marker_x.push_back(d->center.x);
  }
  // x: 300..700 boxes, ticks every 100; the two cycle-0 markers share an x.
  EXPECT_THAT(texts, ::testing::IsSupersetOf({"labelled boxes (mean over seeds)", "300", "500",
                                              "700", "huale", "random"}));
  ASSERT_EQ(marker_x.size(), 3u);
  EXPECT_DOUBLE_EQ(marker_x[0], marker_x[2]);
  EXPECT_GT(marker_x[1], marker_x[0]);
}

}  // namespace
}  // namespace huale
