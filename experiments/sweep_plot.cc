#include "experiments/sweep_plot.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_format.h"

namespace huale {
namespace {

// Matplotlib's tab10.
constexpr Rgb kColors[] = {{0x1f, 0x77, 0xb4}, {0xd6, 0x27, 0x28}, {0x2c, 0xa0, 0x2c},
                           {0xff, 0x7f, 0x0e}, {0x94, 0x67, 0xbd}, {0x8c, 0x56, 0x4b},
                           {0xe3, 0x77, 0xc2}, {0x7f, 0x7f, 0x7f}, {0xbc, 0xbd, 0x22},
                           {0x17, 0xbe, 0xcf}};
constexpr Rgb kBlack{0, 0, 0};
constexpr Rgb kGrid{221, 221, 221};
constexpr int kMaxTicks = 6;
constexpr double kTolerance = 1e-9;  // of a step, against 0.1 * 3 != 0.3

// A method's drawn cycles: x on the chosen axis; cycles without a value (boxes
// not recorded) left out.
struct Curve {
  std::vector<double> x, mean, stddev;
};

Curve CurveOf(const MethodSummary& s, SweepAxis axis) {
  Curve curve;
  for (size_t i = 0; i < s.labelled.size(); ++i) {
    const double x = axis == SweepAxis::kLabelledImages ? s.labelled[i] : s.labelled_boxes[i];
    if (std::isnan(x)) continue;
    curve.x.push_back(x);
    curve.mean.push_back(s.mean[i]);
    curve.stddev.push_back(s.stddev[i]);
  }
  return curve;
}

// Average advance of a 13 px sans glyph, with room to spare (DejaVu Sans: ~7.5).
constexpr double kLegendGlyphWidth = 8.5;

// Axis ranges and the mapping from data to canvas coordinates.
struct PlotFrame {
  double x_min = 0, x_max = 1, y_min = 0, y_max = 1;
  double left = 70, right = 190, top = 40, bottom = 55, width = 820, height = 480;

  static PlotFrame Fit(const std::vector<Curve>& curves) {
    PlotFrame frame;
    bool any = false;
    for (const Curve& s : curves) {
      for (size_t i = 0; i < s.x.size(); ++i) {
        const double lo = 100 * (s.mean[i] - s.stddev[i]), hi = 100 * (s.mean[i] + s.stddev[i]);
        if (!any) {
          frame.x_min = frame.x_max = s.x[i];
          frame.y_min = lo;
          frame.y_max = hi;
          any = true;
        }
        frame.x_min = std::min(frame.x_min, s.x[i]);
        frame.x_max = std::max(frame.x_max, s.x[i]);
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
  Point At(double labelled, double percent) const { return {X(labelled), Y(percent)}; }
  double PlotRight() const { return width - right; }
  double PlotBottom() const { return height - bottom; }
  double CenterX() const { return (left + PlotRight()) / 2; }
};

TextPrimitive Text(Point at, std::string text, TextAnchor anchor, double size = 13) {
  TextPrimitive t;
  t.at = at;
  t.text = std::move(text);
  t.anchor = anchor;
  t.size = size;
  return t;
}

void AddTitleAndAxes(const PlotFrame& f, const std::string& title, const std::string& metric_name,
                     SweepAxis x_axis, std::vector<Primitive>& out) {
  out.push_back(Text({f.CenterX(), 24}, title, TextAnchor::kMiddle, 16));
  const AxisTicks y_ticks = RoundTicks(f.y_min, f.y_max, kMaxTicks);
  for (double y : y_ticks.values) {
    out.push_back(LinePrimitive{{f.left, f.Y(y)}, {f.PlotRight(), f.Y(y)}, kGrid});
    out.push_back(Text({f.left - 6, f.Y(y) + 4}, TickLabel(y, y_ticks.step), TextAnchor::kEnd));
  }
  const AxisTicks x_ticks = RoundTicks(f.x_min, f.x_max, kMaxTicks, /*min_step=*/1);
  for (double x : x_ticks.values) {
    out.push_back(LinePrimitive{{f.X(x), f.PlotBottom()}, {f.X(x), f.PlotBottom() + 4}, kBlack});
    out.push_back(Text({f.X(x), f.PlotBottom() + 18}, TickLabel(x, x_ticks.step),
                       TextAnchor::kMiddle));
  }
  out.push_back(LinePrimitive{{f.left, f.top}, {f.left, f.PlotBottom()}, kBlack});
  out.push_back(LinePrimitive{{f.left, f.PlotBottom()}, {f.PlotRight(), f.PlotBottom()}, kBlack});
  out.push_back(Text({f.CenterX(), f.height - 14},
                     x_axis == SweepAxis::kLabelledImages ? "labelled images"
                                                          : "labelled boxes (mean over seeds)",
                     TextAnchor::kMiddle));
  TextPrimitive y_label =
      Text({18, (f.top + f.PlotBottom()) / 2}, metric_name + " (%)", TextAnchor::kMiddle);
  y_label.vertical = true;
  out.push_back(y_label);
}

// The ±std band, the mean line with a marker per cycle, and the legend entry.
void AddMethod(const PlotFrame& f, const std::string& method, const Curve& s, size_t index,
               std::vector<Primitive>& out) {
  const Rgb color = kColors[index % 10];
  PolygonPrimitive band{{}, color, 0.18};
  PolylinePrimitive line{{}, color, 2};
  for (size_t i = 0; i < s.x.size(); ++i) {
    band.points.push_back(f.At(s.x[i], 100 * (s.mean[i] + s.stddev[i])));
    line.points.push_back(f.At(s.x[i], 100 * s.mean[i]));
  }
  for (size_t i = s.x.size(); i-- > 0;) {
    band.points.push_back(f.At(s.x[i], 100 * (s.mean[i] - s.stddev[i])));
  }
  if (!s.x.empty()) {  // nothing to draw on this axis: only the legend entry
    out.push_back(band);
    out.push_back(line);
  }
  for (const Point& p : line.points) out.push_back(DiscPrimitive{p, 3, color});
  const double legend_y = f.top + 10 + 20 * index;
  out.push_back(LinePrimitive{{f.PlotRight() + 12, legend_y}, {f.PlotRight() + 34, legend_y},
                              color, 3});
  out.push_back(Text({f.PlotRight() + 40, legend_y + 4}, method, TextAnchor::kStart));
}

}  // namespace

AxisTicks RoundTicks(double lo, double hi, int max_ticks, double min_step) {
  if (!(hi > lo)) return {std::max(min_step, 1.0), {lo}};
  auto count = [&](double step) {
    return std::floor(hi / step + kTolerance) - std::ceil(lo / step - kTolerance) + 1;
  };
  double decade = std::pow(10.0, std::floor(std::log10((hi - lo) / std::max(1, max_ticks))));
  for (;; decade *= 10) {
    for (double mantissa : {1.0, 2.0, 5.0}) {
      const double step = mantissa * decade;
      if (step < min_step * (1 - kTolerance) || count(step) > max_ticks) continue;
      AxisTicks ticks{step, {}};
      for (double k = std::ceil(lo / step - kTolerance); k * step <= hi + kTolerance * step; ++k) {
        ticks.values.push_back(k * step + 0.0);  // + 0.0: no "-0" label
      }
      return ticks;
    }
  }
}

std::string TickLabel(double value, double step) {
  const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + kTolerance)));
  return absl::StrFormat("%.*f", decimals, value);
}

DisplayList SweepPlot(const std::vector<MethodSummary>& summaries, const std::string& title,
                      const std::string& metric_name, SweepAxis x_axis) {
  std::vector<Curve> curves;
  for (const MethodSummary& s : summaries) curves.push_back(CurveOf(s, x_axis));
  PlotFrame frame = PlotFrame::Fit(curves);
  // The legend's names start 40 px right of the plot: widen the canvas (not the
  // plot) so the longest fits, at a generous average glyph width for sans text.
  size_t longest = 0;
  for (const MethodSummary& s : summaries) longest = std::max(longest, s.method.size());
  const double legend = 40 + kLegendGlyphWidth * static_cast<double>(longest) + 12;
  if (legend > frame.right) {
    frame.width += legend - frame.right;
    frame.right = legend;
  }
  DisplayList list;
  list.width = static_cast<int>(frame.width);
  list.height = static_cast<int>(frame.height);
  AddTitleAndAxes(frame, title, metric_name, x_axis, list.primitives);
  for (size_t m = 0; m < summaries.size(); ++m) {
    AddMethod(frame, summaries[m].method, curves[m], m, list.primitives);
  }
  return list;
}

}  // namespace huale
