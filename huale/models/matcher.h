// Matcher of torchvision's models/detection/_utils.py: each prediction (anchor or
// proposal) gets the gt of highest IoU, or kBelowLowThreshold / kBetweenThresholds;
// with allow_low_quality_matches, every gt also keeps the predictions that overlap
// it best (Faster R-CNN §3.1.2, the RPN's "highest IoU" positives).
#ifndef HUALE_MODELS_MATCHER_H_
#define HUALE_MODELS_MATCHER_H_

#include <torch/types.h>

namespace huale {

class Matcher {
 public:
  static constexpr int64_t kBelowLowThreshold = -1;
  static constexpr int64_t kBetweenThresholds = -2;

  Matcher(double high_threshold, double low_threshold, bool allow_low_quality_matches)
      : high_(high_threshold), low_(low_threshold), allow_low_quality_(allow_low_quality_matches) {}

  // match_quality [G, N] (IoU of gt g and prediction n), G > 0 -> [N] int64: the
  // matched gt index, kBelowLowThreshold or kBetweenThresholds.
  torch::Tensor operator()(const torch::Tensor& match_quality) const;

 private:
  double high_;
  double low_;
  bool allow_low_quality_;
};

}  // namespace huale

#endif  // HUALE_MODELS_MATCHER_H_
