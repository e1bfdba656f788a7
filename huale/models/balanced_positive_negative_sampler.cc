#include "huale/models/balanced_positive_negative_sampler.h"

#include <algorithm>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "glog/logging.h"

namespace huale {

namespace {

// SplitMix64 of seed and salt: one generator seed per (image, stage).
uint64_t Mix(uint64_t seed, uint64_t salt) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (salt + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

SampledMasks BalancedPositiveNegativeSampler::operator()(
    const std::vector<torch::Tensor>& labels, const std::vector<std::optional<uint64_t>>& seeds) {
  CHECK(seeds.empty() || seeds.size() == labels.size());
  SampledMasks out;
  for (size_t i = 0; i < labels.size(); ++i) {
    const torch::Tensor& l = labels[i];
    std::optional<at::Generator> generator = generator_;
    if (!seeds.empty() && seeds[i].has_value()) {
      generator = at::make_generator<at::CPUGeneratorImpl>(Mix(*seeds[i], stage_salt_));
    }
    const torch::Tensor positive = torch::where(l >= 1)[0];
    const torch::Tensor negative = torch::where(l == 0)[0];
    const int64_t num_pos = std::min<int64_t>(static_cast<int64_t>(batch_size_ * fraction_),
                                              positive.numel());
    const int64_t num_neg = std::min<int64_t>(batch_size_ - num_pos, negative.numel());
    const auto randperm = [&](int64_t n) {
      return generator ? torch::randperm(n, *generator, torch::kLong)
                        : torch::randperm(n, torch::kLong);
    };
    const torch::Tensor pos_idx = positive.index({randperm(positive.numel()).slice(0, 0, num_pos)});
    const torch::Tensor neg_idx = negative.index({randperm(negative.numel()).slice(0, 0, num_neg)});
    torch::Tensor pos_mask = torch::zeros_like(l, torch::kBool);
    torch::Tensor neg_mask = torch::zeros_like(l, torch::kBool);
    pos_mask.index_put_({pos_idx}, true);
    neg_mask.index_put_({neg_idx}, true);
    out.positive.push_back(pos_mask);
    out.negative.push_back(neg_mask);
  }
  return out;
}

SampledMasks FixedSampler::operator()(const std::vector<torch::Tensor>& labels,
                                      const std::vector<std::optional<uint64_t>>&) {
  CHECK_LT(next_, calls_.size()) << "FixedSampler: more calls than recorded";
  SampledMasks masks = calls_[next_++];
  CHECK_EQ(masks.positive.size(), labels.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    CHECK_EQ(masks.positive[i].numel(), labels[i].numel()) << "image " << i;
  }
  return masks;
}

}  // namespace huale
