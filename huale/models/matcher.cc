#include "huale/models/matcher.h"

#include <torch/torch.h>

namespace huale {

torch::Tensor Matcher::operator()(const torch::Tensor& match_quality) const {
  auto [matched_vals, matches] = match_quality.max(0);
  const torch::Tensor all_matches = matches.clone();
  const torch::Tensor below = matched_vals < low_;
  const torch::Tensor between = (matched_vals >= low_).logical_and(matched_vals < high_);
  matches.masked_fill_(below, kBelowLowThreshold);
  matches.masked_fill_(between, kBetweenThresholds);
  if (allow_low_quality_) {
    // Predictions tied for the best IoU of some gt keep that gt's match (the
    // argmax over gts, as torchvision: not necessarily the gt they are best for).
    const torch::Tensor best_per_gt = std::get<0>(match_quality.max(1));
    const torch::Tensor pairs = torch::where(match_quality == best_per_gt.unsqueeze(1))[1];
    matches.index_put_({pairs}, all_matches.index({pairs}));
  }
  return matches;
}

}  // namespace huale
