// The comparison every active-learning paper shows, in numbers: per method, the
// metric at each cycle as mean ± standard deviation over seeds, the mean over
// cycles and over the post-selection cycles (>= 1: cycle 0 is the same random
// set for every method and dilutes each difference), the labelled boxes per
// cycle, the difference to a baseline paired by seed, and the cost per cycle.
// The plot of the same summaries is sweep_plot.h.
#ifndef EXPERIMENTS_SWEEP_REPORT_H_
#define EXPERIMENTS_SWEEP_REPORT_H_

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace huale {

struct CycleMetric {
  int cycle = 0;
  int labelled = 0;   // labelled images trained on in this cycle
  double metric = 0;  // e.g. mAP@0.5 in [0, 1]
  // Stage timings of the cycle as the loop recorded them ("train", "evaluate",
  // "score", "select" in seconds; "score_images_per_second", ...); a stage that
  // did not run (a shared initial model, the last cycle's selection) is absent.
  std::map<std::string, double> timings;
  int labelled_boxes = -1;  // annotated boxes of the labelled images; -1: not recorded
};

struct RunMetrics {
  std::string method;  // the spec's name
  uint64_t seed = 0;
  std::vector<CycleMetric> cycles;
};

// A finished or partial run as the report consumes it: every cycle_NN/metrics.json
// of a run folder (huale/engine/run_folder.h).
absl::StatusOr<RunMetrics> LoadRunMetrics(const std::string& run_directory,
                                          const std::string& method, uint64_t seed);

struct MethodSummary {
  std::string method;
  int seeds = 0;
  std::vector<int> labelled;  // per cycle present in every seed
  std::vector<double> mean;   // per cycle, over seeds
  std::vector<double> stddev; // per cycle, sample standard deviation (n - 1); 0 for one seed
  double mean_over_cycles = 0;    // mean over seeds of each seed's cycle average
  double stddev_over_cycles = 0;  // its sample standard deviation over seeds
  // The same over cycles >= 1 only (NaN with cycle 0 alone).
  double mean_after_selection = std::nan("");
  double stddev_after_selection = std::nan("");
  // Per cycle: labelled boxes, mean over seeds; NaN where a seed did not record them.
  std::vector<double> labelled_boxes;
};

// Groups runs by method (in first-seen order); runs without a finished cycle are
// left out, and only cycles that every remaining seed of a method has finished
// are summarised.
std::vector<MethodSummary> SummarizeRuns(const std::vector<RunMetrics>& runs);

// A method against a baseline, paired by seed: both start from the same seeded
// initial set, so the per-seed difference removes the seed's share of the noise.
struct PairedDifference {
  std::string method;
  std::string baseline;
  int seeds = 0;   // seeds both have run (with at least one common cycle)
  int better = 0;  // seeds where the method's cycle average is above the baseline's
  double mean = 0;    // mean over seeds of (method - baseline) cycle averages
  double stddev = 0;  // its sample standard deviation over seeds; 0 for one seed
  // The same over the post-selection cycles (>= 1) only; seeds sharing cycle 0
  // alone do not count.
  int seeds_after_selection = 0;
  int better_after_selection = 0;
  double mean_after_selection = 0;
  double stddev_after_selection = 0;
  // At equal annotation cost: each post-selection cycle of the method against
  // the baseline's metric interpolated (linearly in labelled boxes, same seed)
  // at the method's box count. A method that picks denser images pays more per
  // image; this is its gain per annotated box. Cycles whose box count lies
  // outside the baseline's recorded range (empty where the baseline recorded
  // none) are not compared but counted in cycles_beyond_boxes; seeds without a
  // compared cycle do not count.
  int seeds_at_equal_boxes = 0;
  int better_at_equal_boxes = 0;
  int cycles_at_equal_boxes = 0;  // compared (seed, cycle) pairs
  int cycles_beyond_boxes = 0;    // post-selection (seed, cycle) pairs outside the range
  double mean_at_equal_boxes = 0;
  double stddev_at_equal_boxes = 0;
};

// One row per method other than `baseline`; each seed's averages are taken
// over the cycles both runs of that seed have finished. Methods sharing no seed
// with the baseline are left out; no rows when the baseline has no runs.
std::vector<PairedDifference> PairedDifferences(const std::vector<RunMetrics>& runs,
                                                const std::string& baseline);

// Markdown table of the above, in percent points; empty without rows.
std::string PairedDifferenceMarkdown(const std::vector<PairedDifference>& differences,
                                     const std::string& metric_name);
// Markdown table of the equal-boxes comparison, in percent points; empty when
// no row compared a cycle.
std::string EqualBoxesDifferenceMarkdown(const std::vector<PairedDifference>& differences,
                                         const std::string& metric_name);

// Cost of a method: per-cycle stage times and rates, each the mean over every
// (seed, cycle) that recorded it.
struct MethodTimings {
  std::string method;
  int runs = 0;
  std::map<std::string, double> mean;    // timing key -> mean
  std::map<std::string, int> count;      // timing key -> (seed, cycle) pairs behind it
  double mean_run_seconds = 0;  // mean over runs of the summed stage seconds
};

std::vector<MethodTimings> SummarizeTimings(const std::vector<RunMetrics>& runs);

// Markdown: train / evaluate / score seconds per cycle, their sum per run, and
// the training and scoring rates.
std::string TimingsMarkdown(const std::vector<MethodTimings>& timings);

// Markdown table: one row per method, columns per labelled count, values in
// percent "mean ± std", the mean over cycles and over cycles >= 1.
std::string SummaryMarkdown(const std::vector<MethodSummary>& summaries,
                            const std::string& metric_name);
// Markdown table: labelled boxes per cycle (mean over seeds), columns per
// labelled count; empty when no run recorded boxes.
std::string LabelledBoxesMarkdown(const std::vector<MethodSummary>& summaries);
// Long format: method,cycle,labelled,labelled_boxes,seeds,mean,stddev
// (labelled_boxes empty where not recorded).
std::string SummaryCsv(const std::vector<MethodSummary>& summaries);

}  // namespace huale

#endif  // EXPERIMENTS_SWEEP_REPORT_H_
