#include "experiments/sweep_report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <utility>
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

// Mean metric of cycles [first, end) of a run.
double MeanMetric(const std::vector<CycleMetric>& cycles, size_t first, size_t end) {
  double sum = 0;
  for (size_t cycle = first; cycle < end; ++cycle) sum += cycles[cycle].metric / (end - first);
  return sum;
}

// Sorted labelled counts of every summary: the table's columns.
std::vector<int> LabelledColumns(const std::vector<MethodSummary>& summaries) {
  std::vector<int> columns;
  for (const MethodSummary& s : summaries) {
    for (int labelled : s.labelled) {
      if (std::find(columns.begin(), columns.end(), labelled) == columns.end()) {
        columns.push_back(labelled);
      }
    }
  }
  std::sort(columns.begin(), columns.end());
  return columns;
}

// Header and rule of a table: `title`, seeds, a column per labelled count, then `extra`.
std::string HeaderByLabelled(const std::string& title, const std::vector<int>& columns,
                             const std::vector<std::string>& extra) {
  std::string header = absl::StrCat("| ", title, " | seeds");
  std::string rule = "|---|---";
  for (int labelled : columns) {
    absl::StrAppend(&header, " | ", labelled);
    rule += "|---";
  }
  for (const std::string& title : extra) {
    absl::StrAppend(&header, " | ", title);
    rule += "|---";
  }
  return absl::StrCat(header, " |\n", rule, "|\n");
}

// One table row per method: `cell(summary, i)` for each column the method has
// reached (i its cycle), "–" for the others, then `tail(summary)`.
template <typename Cell, typename Tail>
std::string RowsByLabelled(const std::vector<MethodSummary>& summaries,
                           const std::vector<int>& columns, Cell cell, Tail tail) {
  std::string rows;
  for (const MethodSummary& s : summaries) {
    absl::StrAppend(&rows, "| ", s.method, " | ", s.seeds);
    for (int labelled : columns) {
      auto it = std::find(s.labelled.begin(), s.labelled.end(), labelled);
      absl::StrAppend(&rows, " | ",
                      it == s.labelled.end() ? std::string("–") : cell(s, it - s.labelled.begin()));
    }
    absl::StrAppend(&rows, tail(s), " |\n");
  }
  return rows;
}

// The baseline's metric at `boxes` labelled boxes, linear between its cycles'
// (boxes, metric) points; nullopt outside their range or where not recorded.
std::optional<double> MetricAtBoxes(const std::vector<CycleMetric>& baseline, double boxes) {
  std::vector<std::pair<double, double>> curve;
  for (const CycleMetric& cycle : baseline) {
    if (cycle.labelled_boxes >= 0) curve.emplace_back(cycle.labelled_boxes, cycle.metric);
  }
  std::sort(curve.begin(), curve.end());
  for (size_t i = 0; i < curve.size(); ++i) {
    if (curve[i].first == boxes) return curve[i].second;
    if (i + 1 < curve.size() && curve[i].first < boxes && boxes < curve[i + 1].first) {
      const double t = (boxes - curve[i].first) / (curve[i + 1].first - curve[i].first);
      return curve[i].second + t * (curve[i + 1].second - curve[i].second);
    }
  }
  return std::nullopt;
}

// "| +m ± s | above/seeds |" in percent points, or "– | – |" without seeds.
std::string DifferenceCells(double mean, double stddev, int above, int seeds) {
  if (seeds == 0) return "– | – |\n";
  return absl::StrFormat("%+.2f ± %.2f | %d/%d |\n", 100 * mean, 100 * stddev, above, seeds);
}

std::string Percent(double mean, double stddev) {
  if (std::isnan(mean)) return "–";
  return absl::StrFormat("%.2f ± %.2f", 100 * mean, 100 * stddev);
}

}  // namespace

absl::StatusOr<RunMetrics> LoadRunMetrics(const std::string& run_directory,
                                          const std::string& method, uint64_t seed) {
  absl::StatusOr<std::vector<CycleMetrics>> all = RunFolder(run_directory).ReadAllCycleMetrics();
  if (!all.ok()) return all.status();
  RunMetrics run{method, seed, {}};
  for (const CycleMetrics& m : *all) {
    run.cycles.push_back({m.cycle, m.labelled, m.primary, m.timings_seconds, m.labelled_boxes});
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
    for (size_t cycle = 0; cycle < common_cycles; ++cycle) {
      std::vector<double> values;
      double boxes = 0;
      for (const RunMetrics* run : method_runs) {
        values.push_back(run->cycles[cycle].metric);
        const int seed_boxes = run->cycles[cycle].labelled_boxes;
        boxes += seed_boxes >= 0 ? static_cast<double>(seed_boxes) / method_runs.size()
                                 : std::nan("");
      }
      const MeanStd stats = ComputeMeanStd(values);
      summary.labelled.push_back(method_runs.front()->cycles[cycle].labelled);
      summary.labelled_boxes.push_back(boxes);
      summary.mean.push_back(stats.mean);
      summary.stddev.push_back(stats.stddev);
    }
    std::vector<double> seed_averages, seed_averages_after_selection;
    for (const RunMetrics* run : method_runs) {
      seed_averages.push_back(MeanMetric(run->cycles, 0, common_cycles));
      if (common_cycles > 1) {
        seed_averages_after_selection.push_back(MeanMetric(run->cycles, 1, common_cycles));
      }
    }
    if (common_cycles > 0) {
      const MeanStd overall = ComputeMeanStd(seed_averages);
      summary.mean_over_cycles = overall.mean;
      summary.stddev_over_cycles = overall.stddev;
    }
    if (common_cycles > 1) {
      const MeanStd after = ComputeMeanStd(seed_averages_after_selection);
      summary.mean_after_selection = after.mean;
      summary.stddev_after_selection = after.stddev;
    }
    summaries.push_back(std::move(summary));
  }
  return summaries;
}

std::string SummaryMarkdown(const std::vector<MethodSummary>& summaries,
                            const std::string& metric_name) {
  const std::vector<int> columns = LabelledColumns(summaries);
  return HeaderByLabelled(absl::StrCat("method (", metric_name, " %, mean ± std)"), columns,
                          {"mean over cycles", "mean over cycles ≥ 1"}) +
         RowsByLabelled(
             summaries, columns,
             [](const MethodSummary& s, size_t i) { return Percent(s.mean[i], s.stddev[i]); },
             [](const MethodSummary& s) {
               return absl::StrCat(" | ", Percent(s.mean_over_cycles, s.stddev_over_cycles),
                                   " | ",
                                   Percent(s.mean_after_selection, s.stddev_after_selection));
             });
}

std::string LabelledBoxesMarkdown(const std::vector<MethodSummary>& summaries) {
  bool any = false;
  for (const MethodSummary& s : summaries) {
    for (double boxes : s.labelled_boxes) any = any || !std::isnan(boxes);
  }
  if (!any) return "";
  const std::vector<int> columns = LabelledColumns(summaries);
  return HeaderByLabelled("method (labelled boxes, mean over seeds)", columns, {}) +
         RowsByLabelled(
             summaries, columns,
             [](const MethodSummary& s, size_t i) {
               const double boxes = s.labelled_boxes[i];
               return std::isnan(boxes) ? std::string("–") : absl::StrFormat("%.1f", boxes);
             },
             [](const MethodSummary&) { return std::string(); });
}

std::vector<PairedDifference> PairedDifferences(const std::vector<RunMetrics>& runs,
                                                const std::string& baseline) {
  std::map<uint64_t, const RunMetrics*> baseline_by_seed;
  for (const RunMetrics& run : runs) {
    if (run.method == baseline && !run.cycles.empty()) baseline_by_seed[run.seed] = &run;
  }
  std::vector<std::string> order;
  // Per method, per seed: the difference over all common cycles, and over cycles >= 1.
  std::map<std::string, std::vector<double>> differences, differences_after_selection;
  // Per method: per seed the mean difference at equal boxes; compared and
  // out-of-range (seed, cycle) pairs.
  std::map<std::string, std::vector<double>> differences_at_equal_boxes;
  std::map<std::string, std::pair<int, int>> equal_boxes_cycles;
  for (const RunMetrics& run : runs) {
    auto paired = baseline_by_seed.find(run.seed);
    if (run.method == baseline || paired == baseline_by_seed.end()) continue;
    const std::vector<CycleMetric>& base = paired->second->cycles;
    const size_t common = std::min(run.cycles.size(), base.size());
    if (common == 0) continue;
    if (!differences.count(run.method)) order.push_back(run.method);
    differences[run.method].push_back(MeanMetric(run.cycles, 0, common) -
                                      MeanMetric(base, 0, common));
    if (common > 1) {
      differences_after_selection[run.method].push_back(MeanMetric(run.cycles, 1, common) -
                                                        MeanMetric(base, 1, common));
    }
    double sum = 0;
    int compared = 0;
    for (size_t cycle = 1; cycle < run.cycles.size(); ++cycle) {
      if (run.cycles[cycle].labelled_boxes < 0) continue;
      const std::optional<double> at = MetricAtBoxes(base, run.cycles[cycle].labelled_boxes);
      if (!at.has_value()) {
        ++equal_boxes_cycles[run.method].second;
        continue;
      }
      sum += run.cycles[cycle].metric - *at;
      ++compared;
    }
    equal_boxes_cycles[run.method].first += compared;
    if (compared > 0) differences_at_equal_boxes[run.method].push_back(sum / compared);
  }
  const auto above = [](const std::vector<double>& values) {
    return static_cast<int>(
        std::count_if(values.begin(), values.end(), [](double d) { return d > 0; }));
  };
  std::vector<PairedDifference> rows;
  for (const std::string& method : order) {
    const std::vector<double>& values = differences[method];
    const std::vector<double>& after = differences_after_selection[method];
    const MeanStd stats = ComputeMeanStd(values);
    const MeanStd after_stats = ComputeMeanStd(after);
    PairedDifference row;
    row.method = method;
    row.baseline = baseline;
    row.seeds = static_cast<int>(values.size());
    row.better = above(values);
    row.mean = stats.mean;
    row.stddev = stats.stddev;
    row.seeds_after_selection = static_cast<int>(after.size());
    row.better_after_selection = above(after);
    row.mean_after_selection = after_stats.mean;
    row.stddev_after_selection = after_stats.stddev;
    const std::vector<double>& at_equal_boxes = differences_at_equal_boxes[method];
    const MeanStd equal_boxes_stats = ComputeMeanStd(at_equal_boxes);
    row.seeds_at_equal_boxes = static_cast<int>(at_equal_boxes.size());
    row.better_at_equal_boxes = above(at_equal_boxes);
    row.cycles_at_equal_boxes = equal_boxes_cycles[method].first;
    row.cycles_beyond_boxes = equal_boxes_cycles[method].second;
    row.mean_at_equal_boxes = equal_boxes_stats.mean;
    row.stddev_at_equal_boxes = equal_boxes_stats.stddev;
    rows.push_back(row);
  }
  return rows;
}

std::string PairedDifferenceMarkdown(const std::vector<PairedDifference>& differences,
                                     const std::string& metric_name) {
  if (differences.empty()) return "";
  std::string table = absl::StrCat(
      "| method − ", differences.front().baseline, " (", metric_name,
      " points, paired by seed) | seeds | mean over cycles | seeds above | "
      "mean over cycles ≥ 1 | seeds above |\n|---|---|---|---|---|---|\n");
  for (const PairedDifference& d : differences) {
    absl::StrAppendFormat(&table, "| %s | %d | %+.2f ± %.2f | %d/%d | ", d.method, d.seeds,
                          100 * d.mean, 100 * d.stddev, d.better, d.seeds);
    table += DifferenceCells(d.mean_after_selection, d.stddev_after_selection,
                             d.better_after_selection, d.seeds_after_selection);
  }
  return table;
}

std::string EqualBoxesDifferenceMarkdown(const std::vector<PairedDifference>& differences,
                                         const std::string& metric_name) {
  if (std::none_of(differences.begin(), differences.end(),
                   [](const PairedDifference& d) { return d.cycles_at_equal_boxes > 0; })) {
    return "";
  }
  const std::string& baseline = differences.front().baseline;
  std::string table = absl::StrCat(
      "| method − ", baseline, " at equal annotated boxes (", metric_name,
      " points, paired by seed) | seeds | cycles compared | cycles beyond ", baseline,
      "'s boxes | mean over cycles ≥ 1 | seeds above |\n|---|---|---|---|---|---|\n");
  for (const PairedDifference& d : differences) {
    absl::StrAppendFormat(&table, "| %s | %d | %d | %d | ", d.method, d.seeds_at_equal_boxes,
                          d.cycles_at_equal_boxes, d.cycles_beyond_boxes);
    table += DifferenceCells(d.mean_at_equal_boxes, d.stddev_at_equal_boxes,
                             d.better_at_equal_boxes, d.seeds_at_equal_boxes);
  }
  absl::StrAppend(&table, "\n", baseline,
                  "'s metric of the same seed, linear between its cycles, at each "
                  "post-selection cycle's box count of the method; cycles beyond ",
                  baseline, "'s box counts are not compared.\n");
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
  csv.AddRow({"method", "cycle", "labelled", "labelled_boxes", "seeds", "mean", "stddev"});
  for (const MethodSummary& s : summaries) {
    for (size_t i = 0; i < s.labelled.size(); ++i) {
      const double boxes = s.labelled_boxes[i];
      csv.AddRow({s.method, absl::StrCat(i), absl::StrCat(s.labelled[i]),
                  std::isnan(boxes) ? "" : absl::StrFormat("%.1f", boxes), absl::StrCat(s.seeds),
                  absl::StrFormat("%.6f", s.mean[i]), absl::StrFormat("%.6f", s.stddev[i])});
    }
  }
  return csv.text();
}

}  // namespace huale
