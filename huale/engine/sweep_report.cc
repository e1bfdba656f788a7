#include "huale/engine/sweep_report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "huale/core/atomic_file.h"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"

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

// Matplotlib's tab10, as BGR for OpenCV and hex for SVG.
constexpr const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                   "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

cv::Scalar HexToBgr(const char* hex) {
  const unsigned value = static_cast<unsigned>(std::strtoul(hex + 1, nullptr, 16));
  return cv::Scalar(value & 0xFF, (value >> 8) & 0xFF, (value >> 16) & 0xFF);
}

// Axis ranges and the mapping from data to canvas coordinates.
struct PlotFrame {
  double x_min = 0, x_max = 1, y_min = 0, y_max = 1;
  double left = 70, right = 190, top = 40, bottom = 55, width = 820, height = 480;

  static PlotFrame Fit(const std::vector<MethodSummary>& summaries) {
    PlotFrame frame;
    bool any = false;
    for (const MethodSummary& s : summaries) {
      for (size_t i = 0; i < s.labelled.size(); ++i) {
        const double lo = 100 * (s.mean[i] - s.stddev[i]), hi = 100 * (s.mean[i] + s.stddev[i]);
        if (!any) {
          frame.x_min = frame.x_max = s.labelled[i];
          frame.y_min = lo;
          frame.y_max = hi;
          any = true;
        }
        frame.x_min = std::min<double>(frame.x_min, s.labelled[i]);
        frame.x_max = std::max<double>(frame.x_max, s.labelled[i]);
        frame.y_min = std::min(frame.y_min, lo);
        frame.y_max = std::max(frame.y_max, hi);
      }
    }
    if (frame.x_max <= frame.x_min) frame.x_max = frame.x_min + 1;
    const double pad = std::max(0.5, 0.08 * (frame.y_max - frame.y_min));
    frame.y_min = std::max(0.0, frame.y_min - pad);
    frame.y_max = frame.y_max + pad;
    return frame;
  }
  double X(double labelled) const {
    return left + (labelled - x_min) / (x_max - x_min) * (width - left - right);
  }
  double Y(double percent) const {
    return height - bottom - (percent - y_min) / (y_max - y_min) * (height - top - bottom);
  }
};

}  // namespace

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
  std::string csv = "method,cycle,labelled,seeds,mean,stddev\n";
  for (const MethodSummary& s : summaries) {
    for (size_t i = 0; i < s.labelled.size(); ++i) {
      absl::StrAppendFormat(&csv, "%s,%d,%d,%d,%.6f,%.6f\n", s.method, i, s.labelled[i], s.seeds,
                            s.mean[i], s.stddev[i]);
    }
  }
  return csv;
}

std::string PlotSvg(const std::vector<MethodSummary>& summaries, const std::string& title,
                    const std::string& metric_name) {
  const PlotFrame f = PlotFrame::Fit(summaries);
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" height=\"%g\" "
      "font-family=\"sans-serif\" font-size=\"13\">\n<rect width=\"100%%\" height=\"100%%\" "
      "fill=\"white\"/>\n<text x=\"%g\" y=\"24\" font-size=\"16\" "
      "text-anchor=\"middle\">%s</text>\n",
      f.width, f.height, (f.left + f.width - f.right) / 2, title);
  // Axes with five ticks each.
  absl::StrAppendFormat(&svg,
                        "<path d=\"M%g %g V%g H%g\" stroke=\"black\" fill=\"none\"/>\n",
                        f.left, f.top, f.height - f.bottom, f.width - f.right);
  for (int t = 0; t <= 4; ++t) {
    const double xv = f.x_min + t * (f.x_max - f.x_min) / 4;
    const double yv = f.y_min + t * (f.y_max - f.y_min) / 4;
    absl::StrAppendFormat(&svg,
                          "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">%.0f</text>\n"
                          "<text x=\"%g\" y=\"%g\" text-anchor=\"end\">%.1f</text>\n"
                          "<line x1=\"%g\" x2=\"%g\" y1=\"%g\" y2=\"%g\" stroke=\"#ddd\"/>\n",
                          f.X(xv), f.height - f.bottom + 18, xv, f.left - 6, f.Y(yv) + 4, yv,
                          f.left, f.width - f.right, f.Y(yv), f.Y(yv));
  }
  absl::StrAppendFormat(&svg,
                        "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">labelled images</text>\n"
                        "<text transform=\"translate(18 %g) rotate(-90)\" "
                        "text-anchor=\"middle\">%s (%%)</text>\n",
                        (f.left + f.width - f.right) / 2, f.height - 14,
                        (f.top + f.height - f.bottom) / 2, metric_name);
  for (size_t m = 0; m < summaries.size(); ++m) {
    const MethodSummary& s = summaries[m];
    const char* color = kColors[m % 10];
    std::vector<std::string> upper, lower, line;
    for (size_t i = 0; i < s.labelled.size(); ++i) {
      upper.push_back(absl::StrFormat("%.1f,%.1f", f.X(s.labelled[i]), f.Y(100 * (s.mean[i] + s.stddev[i]))));
      lower.push_back(absl::StrFormat("%.1f,%.1f", f.X(s.labelled[i]), f.Y(100 * (s.mean[i] - s.stddev[i]))));
      line.push_back(absl::StrFormat("%.1f,%.1f", f.X(s.labelled[i]), f.Y(100 * s.mean[i])));
    }
    std::reverse(lower.begin(), lower.end());
    absl::StrAppendFormat(&svg, "<polygon points=\"%s %s\" fill=\"%s\" fill-opacity=\"0.18\"/>\n",
                          absl::StrJoin(upper, " "), absl::StrJoin(lower, " "), color);
    absl::StrAppendFormat(&svg,
                          "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>\n",
                          absl::StrJoin(line, " "), color);
    const double legend_y = f.top + 10 + 20 * m;
    absl::StrAppendFormat(&svg,
                          "<line x1=\"%g\" x2=\"%g\" y1=\"%g\" y2=\"%g\" stroke=\"%s\" "
                          "stroke-width=\"3\"/>\n<text x=\"%g\" y=\"%g\">%s</text>\n",
                          f.width - f.right + 12, f.width - f.right + 34, legend_y, legend_y, color,
                          f.width - f.right + 40, legend_y + 4, s.method);
  }
  svg += "</svg>\n";
  return svg;
}

absl::Status WritePlotPng(const std::vector<MethodSummary>& summaries, const std::string& title,
                          const std::string& metric_name, const std::string& path) {
  const PlotFrame f = PlotFrame::Fit(summaries);
  cv::Mat canvas(static_cast<int>(f.height), static_cast<int>(f.width), CV_8UC3,
                 cv::Scalar(255, 255, 255));
  auto point = [&](double x, double y) { return cv::Point(static_cast<int>(x), static_cast<int>(y)); };
  const cv::Scalar black(0, 0, 0), grey(220, 220, 220);
  const int font = cv::FONT_HERSHEY_SIMPLEX;
  int baseline = 0;
  const cv::Size title_size = cv::getTextSize(title, font, 0.55, 1, &baseline);
  cv::putText(canvas, title, point((f.left + f.width - f.right - title_size.width) / 2, 22), font,
              0.55, black, 1, cv::LINE_AA);
  for (int t = 0; t <= 4; ++t) {
    const double xv = f.x_min + t * (f.x_max - f.x_min) / 4;
    const double yv = f.y_min + t * (f.y_max - f.y_min) / 4;
    cv::line(canvas, point(f.left, f.Y(yv)), point(f.width - f.right, f.Y(yv)), grey, 1);
    cv::putText(canvas, absl::StrFormat("%.0f", xv), point(f.X(xv) - 14, f.height - f.bottom + 20),
                font, 0.42, black, 1, cv::LINE_AA);
    cv::putText(canvas, absl::StrFormat("%.1f", yv), point(f.left - 44, f.Y(yv) + 5), font, 0.42,
                black, 1, cv::LINE_AA);
  }
  cv::line(canvas, point(f.left, f.top), point(f.left, f.height - f.bottom), black, 1);
  cv::line(canvas, point(f.left, f.height - f.bottom), point(f.width - f.right, f.height - f.bottom),
           black, 1);
  cv::putText(canvas, "labelled images", point((f.left + f.width - f.right) / 2 - 50, f.height - 12),
              font, 0.45, black, 1, cv::LINE_AA);
  cv::putText(canvas, metric_name + " (%)", point(6, f.top - 8), font, 0.45, black, 1, cv::LINE_AA);
  for (size_t m = 0; m < summaries.size(); ++m) {
    const MethodSummary& s = summaries[m];
    const cv::Scalar color = HexToBgr(kColors[m % 10]);
    std::vector<cv::Point> band, line;
    for (size_t i = 0; i < s.labelled.size(); ++i) {
      band.push_back(point(f.X(s.labelled[i]), f.Y(100 * (s.mean[i] + s.stddev[i]))));
      line.push_back(point(f.X(s.labelled[i]), f.Y(100 * s.mean[i])));
    }
    for (size_t i = s.labelled.size(); i-- > 0;) {
      band.push_back(point(f.X(s.labelled[i]), f.Y(100 * (s.mean[i] - s.stddev[i]))));
    }
    cv::Mat overlay = canvas.clone();
    if (band.size() >= 3) cv::fillPoly(overlay, std::vector<std::vector<cv::Point>>{band}, color);
    cv::addWeighted(overlay, 0.18, canvas, 0.82, 0, canvas);
    cv::polylines(canvas, line, false, color, 2, cv::LINE_AA);
    for (const cv::Point& p : line) cv::circle(canvas, p, 3, color, cv::FILLED, cv::LINE_AA);
    const double legend_y = f.top + 10 + 20 * m;
    cv::line(canvas, point(f.width - f.right + 12, legend_y), point(f.width - f.right + 34, legend_y),
             color, 3);
    cv::putText(canvas, s.method, point(f.width - f.right + 40, legend_y + 5), font, 0.42, black, 1,
                cv::LINE_AA);
  }
  std::vector<uchar> png;
  if (!cv::imencode(".png", canvas, png)) {
    return absl::InternalError(absl::StrCat(path, ": PNG encoding failed"));
  }
  return WriteFileAtomically(path, std::string(png.begin(), png.end()));
}

}  // namespace huale
