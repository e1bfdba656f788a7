#include "experiments/sweep_report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "huale/core/csv.h"
#include "huale/engine/run_folder.h"

namespace huale {
namespace {

struct MeanStd {
  double mean = 0;
  double stddev = 0;
};

MeanStd ComputeMeanStd(const std::vector<double>& values) {
  MeanStd result;
  if (values.empty()) return result;
  for (double v : values) result.mean += v;
  result.mean /= values.size();
  if (values.size() > 1) {
    double squares = 0;
    for (double v : values) squares += (v - result.mean) * (v - result.mean);
    result.stddev = std::sqrt(squares / (values.size() - 1));
  }
  return result;
}

}  // namespace

absl::StatusOr<RunMetrics> LoadRunMetrics(const std::string& run_directory,
                                          const std::string& method, uint64_t seed) {
  absl::StatusOr<std::vector<CycleMetrics>> all = RunFolder(run_directory).ReadAllCycleMetrics();
  if (!all.ok()) return all.status();
  RunMetrics run{method, seed, {}};
  for (const CycleMetrics& m : *all) {
    run.cycles.push_back({m.cycle, m.labelled, m.primary, m.timings_seconds});
  }
  return run;
}

std::vector<MethodSummary> SummarizeRuns(const std::vector<RunMetrics>& runs) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const RunMetrics*>> by_method;
  for (const RunMetrics& run : runs) {
    if (run.cycles.empty()) continue;  // not started yet: not a seed of the summary
    if (!by_method.count(run.method)) order.push_back(run.method);
    by_method[run.method].push_back(&run);
  }
  std::vector<MethodSummary> summaries;
  for (const std::string& method : order) {
    const auto& method_runs = by_method[method];
    MethodSummary summary;
    summary.method = method;
    summary.seeds = static_cast<int>(method_runs.size());
    size_t common_cycles = method_runs.front()->cycles.size();
    for (const RunMetrics* run : method_runs) common_cycles = std::min(common_cycles, run->cycles.size());
    std::vector<double> seed_averages(method_runs.size(), 0.0);
    for (size_t cycle = 0; cycle < common_cycles; ++cycle) {
      std::vector<double> values;
      for (size_t r = 0; r < method_runs.size(); ++r) {
        const double value = method_runs[r]->cycles[cycle].metric;
        values.push_back(value);
        seed_averages[r] += value / common_cycles;
      }
      const MeanStd stats = ComputeMeanStd(values);
      summary.labelled.push_back(method_runs.front()->cycles[cycle].labelled);
      summary.mean.push_back(stats.mean);
      summary.stddev.push_back(stats.stddev);
    }
    if (common_cycles > 0) {
      const MeanStd overall = ComputeMeanStd(seed_averages);
      summary.mean_over_cycles = overall.mean;
      summary.stddev_over_cycles = overall.stddev;
    }
    summaries.push_back(std::move(summary));
  }
  return summaries;
}

std::string SummaryMarkdown(const std::vector<MethodSummary>& summaries,
                            const std::string& metric_name) {
  std::vector<int> columns;
  for (const MethodSummary& s : summaries) {
    for (int labelled : s.labelled) {
      if (std::find(columns.begin(), columns.end(), labelled) == columns.end()) {
        columns.push_back(labelled);
      }
    }
  }
  std::sort(columns.begin(), columns.end());
  std::string header = absl::StrCat("| method (", metric_name, " %, mean ± std) | seeds");
  std::string rule = "|---|---";
  for (int labelled : columns) {
    absl::StrAppend(&header, " | ", labelled);
    rule += "|---";
  }
  absl::StrAppend(&header, " | mean over cycles |\n");
  rule += "|---|\n";
  std::string table = header + rule;
  for (const MethodSummary& s : summaries) {
    absl::StrAppend(&table, "| ", s.method, " | ", s.seeds);
    for (int labelled : columns) {
      auto it = std::find(s.labelled.begin(), s.labelled.end(), labelled);
      if (it == s.labelled.end()) {
        table += " | –";
        continue;
      }
      const size_t i = it - s.labelled.begin();
      absl::StrAppendFormat(&table, " | %.2f ± %.2f", 100 * s.mean[i], 100 * s.stddev[i]);
    }
    absl::StrAppendFormat(&table, " | %.2f ± %.2f |\n", 100 * s.mean_over_cycles,
                          100 * s.stddev_over_cycles);
  }
  return table;
}

std::vector<PairedDifference> PairedDifferences(const std::vector<RunMetrics>& runs,
                                                const std::string& baseline) {
  std::map<uint64_t, const RunMetrics*> baseline_by_seed;
  for (const RunMetrics& run : runs) {
    if (run.method == baseline && !run.cycles.empty()) baseline_by_seed[run.seed] = &run;
  }
  std::vector<std::string> order;
  std::map<std::string, std::vector<double>> differences;
  for (const RunMetrics& run : runs) {
    auto paired = baseline_by_seed.find(run.seed);
    if (run.method == baseline || paired == baseline_by_seed.end()) continue;
    const size_t common = std::min(run.cycles.size(), paired->second->cycles.size());
    if (common == 0) continue;
    double difference = 0;
    for (size_t cycle = 0; cycle < common; ++cycle) {
      difference += (run.cycles[cycle].metric - paired->second->cycles[cycle].metric) / common;
    }
    if (!differences.count(run.method)) order.push_back(run.method);
    differences[run.method].push_back(difference);
  }
  std::vector<PairedDifference> rows;
  for (const std::string& method : order) {
    const std::vector<double>& values = differences[method];
    const MeanStd stats = ComputeMeanStd(values);
    PairedDifference row;
    row.method = method;
    row.baseline = baseline;
    row.seeds = static_cast<int>(values.size());
    row.better = static_cast<int>(std::count_if(values.begin(), values.end(),
                                                [](double d) { return d > 0; }));
    row.mean = stats.mean;
    row.stddev = stats.stddev;
    rows.push_back(row);
  }
  return rows;
}

std::string PairedDifferenceMarkdown(const std::vector<PairedDifference>& differences,
                                     const std::string& metric_name) {
  if (differences.empty()) return "";
  std::string table = absl::StrCat("| method − ", differences.front().baseline, " (", metric_name,
                                   " points, mean over cycles, paired by seed) | seeds | "
                                   "mean ± std | seeds above |\n|---|---|---|---|\n");
  for (const PairedDifference& d : differences) {
    absl::StrAppendFormat(&table, "| %s | %d | %+.2f ± %.2f | %d/%d |\n", d.method, d.seeds,
                          100 * d.mean, 100 * d.stddev, d.better, d.seeds);
  }
  return table;
}

std::vector<MethodTimings> SummarizeTimings(const std::vector<RunMetrics>& runs) {
  static const char* const kStageSeconds[] = {"train", "evaluate", "score", "select"};
  std::vector<MethodTimings> rows;
  for (const RunMetrics& run : runs) {
    if (run.cycles.empty()) continue;
    auto row = std::find_if(rows.begin(), rows.end(),
                            [&](const MethodTimings& t) { return t.method == run.method; });
    if (row == rows.end()) row = rows.insert(rows.end(), MethodTimings{run.method});
    ++row->runs;
    for (const CycleMetric& cycle : run.cycles) {
      for (const auto& [key, value] : cycle.timings) {
        row->mean[key] += value;  // a sum until divided below
        ++row->count[key];
      }
      for (const char* stage : kStageSeconds) {
        if (auto found = cycle.timings.find(stage); found != cycle.timings.end()) {
          row->mean_run_seconds += found->second;
        }
      }
    }
  }
  for (MethodTimings& row : rows) {
    for (auto& [key, sum] : row.mean) sum /= row.count[key];
    row.mean_run_seconds /= row.runs;
  }
  return rows;
}

std::string TimingsMarkdown(const std::vector<MethodTimings>& timings) {
  if (timings.empty()) return "";
  auto cell = [](const MethodTimings& t, const std::string& key, int decimals) {
    auto it = t.mean.find(key);
    return it == t.mean.end() ? std::string("–") : absl::StrFormat("%.*f", decimals, it->second);
  };
  std::string table =
      "| method (mean per cycle) | runs | train s | evaluate s | score s | run total | "
      "training img/s | scoring img/s |\n|---|---|---|---|---|---|---|---|\n";
  for (const MethodTimings& t : timings) {
    const int minutes = static_cast<int>(t.mean_run_seconds / 60);
    const int seconds = static_cast<int>(std::lround(t.mean_run_seconds)) - 60 * minutes;
    absl::StrAppendFormat(&table, "| %s | %d | %s | %s | %s | %d:%02d | %s | %s |\n", t.method,
                          t.runs, cell(t, "train", 0), cell(t, "evaluate", 0), cell(t, "score", 0),
                          minutes, seconds, cell(t, "train_images_per_second", 1),
                          cell(t, "score_images_per_second", 1));
  }
  return table;
}

std::string SummaryCsv(const std::vector<MethodSummary>& summaries) {
  CsvWriter csv;
  csv.AddRow({"method", "cycle", "labelled", "seeds", "mean", "stddev"});
  for (const MethodSummary& s : summaries) {
    for (size_t i = 0; i < s.labelled.size(); ++i) {
      csv.AddRow({s.method, absl::StrCat(i), absl::StrCat(s.labelled[i]), absl::StrCat(s.seeds),
                  absl::StrFormat("%.6f", s.mean[i]), absl::StrFormat("%.6f", s.stddev[i])});
    }
  }
  return csv.text();
}

}  // namespace huale
