// The sweep's plots: metric (percent) vs labelled images, or vs labelled boxes
// (density-seeking methods label more boxes per image), per method a mean line
// with markers over a ±std band, a legend, axes with ticks at round values.
// Described once as a display list; svg_backend.h and png_backend.h draw it.
#ifndef EXPERIMENTS_SWEEP_PLOT_H_
#define EXPERIMENTS_SWEEP_PLOT_H_

#include <string>
#include <vector>

#include "experiments/display_list.h"
#include "experiments/sweep_report.h"

namespace huale {

// Axis ticks at multiples of a round step (1, 2 or 5 x 10^k), the smallest step
// that puts at most `max_ticks` ticks in [lo, hi] and is at least `min_step`
// (1 for counts). Empty range (hi <= lo): the one tick lo.
struct AxisTicks {
  double step = 1;
  std::vector<double> values;
};
AxisTicks RoundTicks(double lo, double hi, int max_ticks, double min_step = 0);

// A tick's label with as many decimals as its step needs (5 -> "15", 0.5 -> "15.5").
std::string TickLabel(double value, double step);

enum class SweepAxis {
  kLabelledImages,
  kLabelledBoxes,  // MethodSummary::labelled_boxes; cycles without a count are not drawn
};

DisplayList SweepPlot(const std::vector<MethodSummary>& summaries, const std::string& title,
                      const std::string& metric_name,
                      SweepAxis x_axis = SweepAxis::kLabelledImages);

}  // namespace huale

#endif  // EXPERIMENTS_SWEEP_PLOT_H_
