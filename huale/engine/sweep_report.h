// The comparison every active-learning paper shows: per method, the metric at
// each cycle as mean ± standard deviation over seeds, the mean over cycles, and
// a plot of metric vs labelled images with one band per method.
#ifndef HUALE_ENGINE_SWEEP_REPORT_H_
#define HUALE_ENGINE_SWEEP_REPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace huale {

struct CycleMetric {
  int cycle = 0;
  int labelled = 0;   // labelled images trained on in this cycle
  double metric = 0;  // e.g. mAP@0.5 in [0, 1]
};

struct RunMetrics {
  std::string method;  // the spec's name
  uint64_t seed = 0;
  std::vector<CycleMetric> cycles;
};

struct MethodSummary {
  std::string method;
  int seeds = 0;
  std::vector<int> labelled;  // per cycle present in every seed
  std::vector<double> mean;   // per cycle, over seeds
  std::vector<double> stddev; // per cycle, sample standard deviation (n - 1); 0 for one seed
  double mean_over_cycles = 0;    // mean over seeds of each seed's cycle average
  double stddev_over_cycles = 0;  // its sample standard deviation over seeds
};

// Groups runs by method (in first-seen order); runs without a finished cycle are
// left out, and only cycles that every remaining seed of a method has finished
// are summarised.
std::vector<MethodSummary> SummarizeRuns(const std::vector<RunMetrics>& runs);

// Markdown table: one row per method, columns per labelled count, values in
// percent "mean ± std", and the mean over cycles.
std::string SummaryMarkdown(const std::vector<MethodSummary>& summaries,
                            const std::string& metric_name);
// Long format: method,cycle,labelled,seeds,mean,stddev.
std::string SummaryCsv(const std::vector<MethodSummary>& summaries);

// Metric (percent) vs labelled images, mean line with a ±std band per method.
std::string PlotSvg(const std::vector<MethodSummary>& summaries, const std::string& title,
                    const std::string& metric_name);
absl::Status WritePlotPng(const std::vector<MethodSummary>& summaries, const std::string& title,
                          const std::string& metric_name, const std::string& path);

}  // namespace huale

#endif  // HUALE_ENGINE_SWEEP_REPORT_H_
