#include "huale/acquisition/box_entropy.h"

#include "huale/core/option_checks.h"

#include <algorithm>
#include <cmath>

#include "huale/acquisition/jensen_shannon.h"
#include "huale/acquisition/view_matching.h"

namespace huale {

absl::Status CheckEntropyOptions(const EntropyOptions& options) {
  return OptionChecks(options)
      .InRange("confident_score", options.confident_score(), 0, 1)
      .status();
}

std::vector<double> BoxEntropyTerms(const std::vector<double>& probs) {
  std::vector<double> terms(probs.size(), 0.0);
  if (probs.size() < 2) return terms;
  const std::vector<double> p = Normalized(probs);
  const double log_k = std::log(static_cast<double>(p.size()));
  for (size_t c = 0; c < p.size(); ++c) {
    if (p[c] > 0) terms[c] = -p[c] * std::log(p[c]) / log_k;
  }
  return terms;
}

double BoxEntropy(const std::vector<double>& probs) {
  double h = 0;
  for (double t : BoxEntropyTerms(probs)) h += t;
  return std::clamp(h, 0.0, 1.0);
}

std::optional<double> ViewEntropy(const ImageDetections& view, const EntropyOptions& options,
                                  int num_classes) {
  double max_h = 0, sum_h = 0;
  int confident = 0;
  for (const Detection& d : view.detections) {
    if (!(d.score >= options.confident_score())) continue;
    const double h = BoxEntropy(ClassDistribution(d, num_classes));
    max_h = confident == 0 ? h : std::max(max_h, h);
    sum_h += h;
    ++confident;
  }
  if (confident == 0) return std::nullopt;
  return options.image_aggregation() == EntropyOptions::MEAN ? sum_h / confident : max_h;
}

std::optional<double> ImageEntropy(const ImageDetections& original,
                                   const ImageDetections& flipped_mapped_back,
                                   const EntropyOptions& options, int num_classes) {
  const std::optional<double> e = ViewEntropy(original, options, num_classes);
  if (e.has_value() && !options.average_views()) return e;
  const std::optional<double> ef = ViewEntropy(flipped_mapped_back, options, num_classes);
  if (!e.has_value()) return ef;
  if (!ef.has_value()) return e;
  return 0.5 * (*e + *ef);
}

}  // namespace huale
