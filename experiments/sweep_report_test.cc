#include "experiments/sweep_report.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "huale/engine/run_folder.h"

namespace huale {
namespace {

using ::testing::HasSubstr;

std::vector<RunMetrics> TwoMethodsThreeSeeds() {
  // HUALE: cycles (100, 0.30/0.32/0.34), (200, 0.40/0.40/0.40); random one lower.
  std::vector<RunMetrics> runs;
  const double huale0[] = {0.30, 0.32, 0.34};
  for (int seed = 0; seed < 3; ++seed) {
    runs.push_back({"huale", static_cast<uint64_t>(seed), {{0, 100, huale0[seed]}, {1, 200, 0.40}}});
    runs.push_back({"random", static_cast<uint64_t>(seed), {{0, 100, 0.30}, {1, 200, 0.35}}});
  }
  runs.push_back({"partial", 0, {{0, 100, 0.1}, {1, 200, 0.2}}});
  runs.push_back({"partial", 1, {{0, 100, 0.3}}});  // still running: only cycle 0 is common
  runs.push_back({"partial", 2, {}});                 // not started: not counted
  return runs;
}

TEST(SummarizeRuns, MeanAndSampleStdPerCycleAndOverCycles) {
  const auto summaries = SummarizeRuns(TwoMethodsThreeSeeds());
  ASSERT_EQ(summaries.size(), 3u);
  const MethodSummary& huale = summaries[0];
  EXPECT_EQ(huale.method, "huale");
  EXPECT_EQ(huale.seeds, 3);
  EXPECT_EQ(huale.labelled, (std::vector<int>{100, 200}));
  EXPECT_NEAR(huale.mean[0], 0.32, 1e-12);
  EXPECT_NEAR(huale.stddev[0], 0.02, 1e-12);  // sqrt((0.02^2 + 0 + 0.02^2) / 2)
  EXPECT_NEAR(huale.stddev[1], 0.0, 1e-12);
  // Seed averages 0.35, 0.36, 0.37: mean 0.36, sample std 0.01.
  EXPECT_NEAR(huale.mean_over_cycles, 0.36, 1e-12);
  EXPECT_NEAR(huale.stddev_over_cycles, 0.01, 1e-12);
  // Cycle 1 alone (the selections' effect): 0.40 on every seed.
  EXPECT_NEAR(huale.mean_after_selection, 0.40, 1e-12);
  EXPECT_NEAR(huale.stddev_after_selection, 0.0, 1e-12);
  // Not recorded by these runs.
  EXPECT_TRUE(std::isnan(huale.labelled_boxes[0]));
}

TEST(SummarizeRuns, OnlyCycleZeroCommonHasNoPostSelectionMean) {
  const auto summaries = SummarizeRuns(TwoMethodsThreeSeeds());
  EXPECT_TRUE(std::isnan(summaries[2].mean_after_selection));
  EXPECT_THAT(SummaryMarkdown(summaries, "mAP"),
              HasSubstr("| partial | 2 | 20.00 ± 14.14 | – | 20.00 ± 14.14 | – |"));
}

// Two seeds whose selections brought 250 and 270 boxes with 200 images: 260 on
// average; the plot and table put the method there on the boxes axis.
TEST(SummarizeRuns, LabelledBoxesAreTheMeanOverSeeds) {
  std::vector<RunMetrics> runs = {
      {"huale", 0, {{0, 100, 0.3, {}, 120}, {1, 200, 0.4, {}, 250}}},
      {"huale", 1, {{0, 100, 0.3, {}, 140}, {1, 200, 0.4, {}, 270}}},
      {"random", 0, {{0, 100, 0.3, {}, 120}, {1, 200, 0.35}}},  // cycle 1 from an older build
  };
  const auto summaries = SummarizeRuns(runs);
  EXPECT_THAT(summaries[0].labelled_boxes, ::testing::ElementsAre(130, 260));
  EXPECT_EQ(summaries[1].labelled_boxes[0], 120);
  EXPECT_TRUE(std::isnan(summaries[1].labelled_boxes[1]));
  const std::string table = LabelledBoxesMarkdown(summaries);
  EXPECT_THAT(table, HasSubstr("| method (labelled boxes, mean over seeds) | seeds | 100 | 200 |"));
  EXPECT_THAT(table, HasSubstr("| huale | 2 | 130.0 | 260.0 |"));
  EXPECT_THAT(table, HasSubstr("| random | 1 | 120.0 | – |"));
  EXPECT_THAT(SummaryCsv(summaries), HasSubstr("huale,1,200,260.0,2,0.400000,0.000000\n"
                                               "random,0,100,120.0,1,"));
  EXPECT_THAT(SummaryCsv(summaries), HasSubstr("random,1,200,,1,"));
  EXPECT_EQ(LabelledBoxesMarkdown(SummarizeRuns(TwoMethodsThreeSeeds())), "");
}

TEST(SummarizeRuns, OnlyCyclesEverySeedFinishedCount) {
  const auto summaries = SummarizeRuns(TwoMethodsThreeSeeds());
  EXPECT_EQ(summaries[2].labelled, (std::vector<int>{100}));
  EXPECT_NEAR(summaries[2].mean[0], 0.2, 1e-12);
}

TEST(SummaryMarkdown, RowsPerMethodInPercent) {
  const std::string table = SummaryMarkdown(SummarizeRuns(TwoMethodsThreeSeeds()), "mAP@0.5");
  EXPECT_THAT(table, HasSubstr("| method (mAP@0.5 %, mean ± std) | seeds | 100 | 200 | mean over cycles |"));
  EXPECT_THAT(table, HasSubstr("| mean over cycles | mean over cycles ≥ 1 |"));
  EXPECT_THAT(table,
              HasSubstr("| huale | 3 | 32.00 ± 2.00 | 40.00 ± 0.00 | 36.00 ± 1.00 | 40.00 ± 0.00 |"));
  EXPECT_THAT(table, HasSubstr("| partial | 2 | 20.00 ± 14.14 | – |"));
}

TEST(PairedDifferences, PerSeedDifferenceOfCycleAveragesOverCommonCycles) {
  const std::vector<PairedDifference> rows = PairedDifferences(TwoMethodsThreeSeeds(), "random");
  ASSERT_EQ(rows.size(), 2u);
  // huale - random per seed: (0 + 0.05)/2, (0.02 + 0.05)/2, (0.04 + 0.05)/2
  // = 0.025, 0.035, 0.045: mean 0.035, sample std 0.01, above on 3 seeds.
  EXPECT_EQ(rows[0].method, "huale");
  EXPECT_EQ(rows[0].seeds, 3);
  EXPECT_EQ(rows[0].better, 3);
  EXPECT_NEAR(rows[0].mean, 0.035, 1e-12);
  EXPECT_NEAR(rows[0].stddev, 0.01, 1e-12);
  // partial: seed 0 over both cycles (-0.2 - 0.15)/2 = -0.175; seed 1 over its
  // one cycle 0.3 - 0.3 = 0; seed 2 has not started. Mean -0.0875, std
  // sqrt(2 * 0.0875^2 / 1) = 0.0875 * sqrt(2).
  EXPECT_EQ(rows[1].method, "partial");
  EXPECT_EQ(rows[1].seeds, 2);
  EXPECT_EQ(rows[1].better, 0);
  EXPECT_NEAR(rows[1].mean, -0.0875, 1e-12);
  EXPECT_NEAR(rows[1].stddev, 0.0875 * std::sqrt(2.0), 1e-12);

  const std::string table = PairedDifferenceMarkdown(rows, "mAP");
  EXPECT_THAT(table, HasSubstr("| method − random (mAP points, paired by seed) | seeds | "
                               "mean over cycles | seeds above | mean over cycles ≥ 1 |"));
  EXPECT_THAT(table, HasSubstr("| huale | 3 | +3.50 ± 1.00 | 3/3 | +5.00 ± 0.00 | 3/3 |"));
  EXPECT_THAT(table, HasSubstr("| partial | 2 | -8.75 ± 12.37 | 0/2 | -15.00 ± 0.00 | 0/1 |"));
}

// Cycle 0 is the same random set for every method: without it the difference is
// the selections' alone. huale - random on cycle 1: 0.05 on each seed; partial:
// seed 0 only (seed 1 has finished cycle 0 alone), 0.2 - 0.35.
TEST(PairedDifferences, PostSelectionCyclesPairedBySeed) {
  const std::vector<PairedDifference> rows = PairedDifferences(TwoMethodsThreeSeeds(), "random");
  EXPECT_EQ(rows[0].seeds_after_selection, 3);
  EXPECT_EQ(rows[0].better_after_selection, 3);
  EXPECT_NEAR(rows[0].mean_after_selection, 0.05, 1e-12);
  EXPECT_NEAR(rows[0].stddev_after_selection, 0.0, 1e-12);
  EXPECT_EQ(rows[1].seeds_after_selection, 1);
  EXPECT_EQ(rows[1].better_after_selection, 0);
  EXPECT_NEAR(rows[1].mean_after_selection, -0.15, 1e-12);
}

// A method that picks denser images, against the baseline's curve of the same
// seed at the method's box count. Seed 0: random (100 boxes, 0.30), (200, 0.40),
// (300, 0.46); dense has 250 boxes at cycle 1 (random interpolated: 0.43) with
// 0.45, and 350 at cycle 2 (beyond random's 300) — left out: +0.02. Seed 1: dense
// 200 boxes at cycle 1 (random's own point 0.38) with 0.37: -0.01; 290 at cycle 2
// (random 0.38 + 0.9 * 0.05 = 0.425) with 0.445: +0.02; its mean +0.005. Over
// seeds: mean 0.0125, std sqrt(2 * 0.0075^2), above on 2/2; 3 cycles compared, 1
// beyond. Seed 2's random recorded no boxes: not compared.
TEST(PairedDifferences, AtEqualBoxesAgainstTheBaselinesInterpolatedCurve) {
  std::vector<RunMetrics> runs = {
      {"random", 0, {{0, 100, 0.30, {}, 100}, {1, 200, 0.40, {}, 200}, {2, 300, 0.46, {}, 300}}},
      {"dense", 0, {{0, 100, 0.30, {}, 100}, {1, 200, 0.45, {}, 250}, {2, 300, 0.50, {}, 350}}},
      {"random", 1, {{0, 100, 0.30, {}, 100}, {1, 200, 0.38, {}, 200}, {2, 300, 0.43, {}, 300}}},
      {"dense", 1, {{0, 100, 0.30, {}, 100}, {1, 200, 0.37, {}, 200}, {2, 300, 0.445, {}, 290}}},
      {"random", 2, {{0, 100, 0.30}, {1, 200, 0.40}}},
      {"dense", 2, {{0, 100, 0.30, {}, 100}, {1, 200, 0.45, {}, 250}}},
  };
  const std::vector<PairedDifference> rows = PairedDifferences(runs, "random");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].seeds_at_equal_boxes, 2);
  EXPECT_EQ(rows[0].better_at_equal_boxes, 2);
  EXPECT_EQ(rows[0].cycles_at_equal_boxes, 3);
  EXPECT_EQ(rows[0].cycles_beyond_boxes, 2);  // seed 0's cycle 2, seed 2's cycle 1
  EXPECT_NEAR(rows[0].mean_at_equal_boxes, 0.0125, 1e-12);
  EXPECT_NEAR(rows[0].stddev_at_equal_boxes, 0.0075 * std::sqrt(2.0), 1e-12);
  const std::string table = EqualBoxesDifferenceMarkdown(rows, "mAP");
  EXPECT_THAT(table, HasSubstr("| method − random at equal annotated boxes (mAP points, paired "
                               "by seed) | seeds | cycles compared | cycles beyond random's "
                               "boxes | mean over cycles ≥ 1 | seeds above |"));
  EXPECT_THAT(table, HasSubstr("| dense | 2 | 3 | 2 | +1.25 ± 1.06 | 2/2 |"));
  // Without recorded boxes there is nothing to compare: no table.
  EXPECT_EQ(EqualBoxesDifferenceMarkdown(PairedDifferences(TwoMethodsThreeSeeds(), "random"),
                                         "mAP"),
            "");
}

TEST(PairedDifferences, NoBaselineRunsGiveNoRows) {
  EXPECT_TRUE(PairedDifferences(TwoMethodsThreeSeeds(), "cald").empty());
  EXPECT_EQ(PairedDifferenceMarkdown({}, "mAP"), "");
}

TEST(SummarizeTimings, MeansOverTheCyclesThatRecordedEachStage) {
  // Seed 0: cycle 0 trained (100 s) and scored (20 s at 30 img/s); cycle 1 only
  // evaluated. Seed 1 shared its initial model: cycle 0 scored only (40 s at
  // 10 img/s), cycle 1 trained (200 s) and evaluated (10 s).
  std::vector<RunMetrics> runs = {
      {"huale", 0, {{0, 100, 0.3, {{"train", 100}, {"score", 20}, {"score_images_per_second", 30}}},
                    {1, 200, 0.4, {{"evaluate", 6}}}}},
      {"huale", 1, {{0, 100, 0.3, {{"score", 40}, {"score_images_per_second", 10}}},
                    {1, 200, 0.4, {{"train", 200}, {"evaluate", 10}}}}},
      {"random", 0, {{0, 100, 0.2, {{"train", 90}}}}},
      {"random", 1, {}},  // not started: not a run of the summary
  };
  const std::vector<MethodTimings> timings = SummarizeTimings(runs);
  ASSERT_EQ(timings.size(), 2u);
  EXPECT_EQ(timings[0].runs, 2);
  EXPECT_DOUBLE_EQ(timings[0].mean.at("train"), 150);
  EXPECT_EQ(timings[0].count.at("train"), 2);
  EXPECT_DOUBLE_EQ(timings[0].mean.at("score"), 30);
  EXPECT_DOUBLE_EQ(timings[0].mean.at("evaluate"), 8);
  EXPECT_DOUBLE_EQ(timings[0].mean.at("score_images_per_second"), 20);
  // Run totals 126 s and 250 s (rates are not seconds).
  EXPECT_DOUBLE_EQ(timings[0].mean_run_seconds, 188);
  EXPECT_EQ(timings[1].runs, 1);
  const std::string table = TimingsMarkdown(timings);
  EXPECT_THAT(table, HasSubstr("| huale | 2 | 150 | 8 | 30 | 3:08 | – | 20.0 |"));
  EXPECT_THAT(table, HasSubstr("| random | 1 | 90 | – | – | 1:30 | – | – |"));
}

TEST(SummaryCsv, LongFormat) {
  const std::string csv = SummaryCsv(SummarizeRuns(TwoMethodsThreeSeeds()));
  EXPECT_THAT(csv, HasSubstr("method,cycle,labelled,labelled_boxes,seeds,mean,stddev\n"
                             "huale,0,100,,3,0.320000,0.020000\n"));
}

TEST(LoadRunMetrics, FinishedCyclesOfARunFolderInOrder) {
  RunFolder folder(testing::TempDir() + "/load_run_metrics_test");
  for (int cycle : {1, 0}) {
    CycleMetrics m;
    m.cycle = cycle;
    m.labelled = 100 * (cycle + 1);
    m.primary = 0.25 * (cycle + 1);
    m.labelled_boxes = 300 * (cycle + 1);
    m.timings_seconds = {{"train", 10.0 + cycle}};
    ASSERT_TRUE(folder.WriteCycleMetrics(m).ok());
  }
  absl::StatusOr<RunMetrics> run = LoadRunMetrics(folder.root(), "huale", 3);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->method, "huale");
  EXPECT_EQ(run->seed, 3u);
  ASSERT_EQ(run->cycles.size(), 2u);
  EXPECT_EQ(run->cycles[1].labelled, 200);
  EXPECT_EQ(run->cycles[1].labelled_boxes, 600);
  EXPECT_DOUBLE_EQ(run->cycles[1].metric, 0.5);
  EXPECT_DOUBLE_EQ(run->cycles[0].timings.at("train"), 10);
}

}  // namespace
}  // namespace huale
