// Balanced positive/negative sampler of torchvision's _utils.py: per image, up to
// batch_size_per_image * positive_fraction positives at random, negatives fill the
// rest. Randomness comes from a seedable torch::Generator, or per image from the
// image's own seed (DetectionTarget::sample_seed), so that an image's sample
// does not depend on the images before it in the batch: data-parallel ranks
// then draw what one process would. Tests replace the sampler by fixed indices
// exported from torchvision (FixedSampler).
#ifndef HUALE_MODELS_BALANCED_POSITIVE_NEGATIVE_SAMPLER_H_
#define HUALE_MODELS_BALANCED_POSITIVE_NEGATIVE_SAMPLER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <ATen/core/Generator.h>
#include <torch/types.h>

namespace huale {

// Per image: boolean masks [N_i] of the sampled positives and negatives.
struct SampledMasks {
  std::vector<torch::Tensor> positive;
  std::vector<torch::Tensor> negative;
};

class Sampler {
 public:
  virtual ~Sampler() = default;
  // labels: per image [N_i], -1 ignore, 0 negative, >= 1 positive. seeds:
  // empty, or per image a seed for that image's draws (nullopt: the shared
  // generator).
  virtual SampledMasks operator()(const std::vector<torch::Tensor>& labels,
                                  const std::vector<std::optional<uint64_t>>& seeds) = 0;
};

class BalancedPositiveNegativeSampler : public Sampler {
 public:
  // generator: nullopt = torch's default CPU generator (torch::manual_seed).
  // stage_salt tells apart the stages that sample one image (RPN, RoI heads):
  // an image seed s draws from a generator seeded by mix(s, stage_salt).
  BalancedPositiveNegativeSampler(int64_t batch_size_per_image, double positive_fraction,
                                  std::optional<at::Generator> generator = std::nullopt,
                                  uint64_t stage_salt = 0)
      : batch_size_(batch_size_per_image),
        fraction_(positive_fraction),
        generator_(generator),
        stage_salt_(stage_salt) {}
  SampledMasks operator()(const std::vector<torch::Tensor>& labels,
                          const std::vector<std::optional<uint64_t>>& seeds) override;

 private:
  int64_t batch_size_;
  double fraction_;
  std::optional<at::Generator> generator_;
  uint64_t stage_salt_;
};

// The seeds of `targets`' images for a sampler (their sample_seed fields).
template <typename Targets>
std::vector<std::optional<uint64_t>> SampleSeeds(const Targets& targets) {
  std::vector<std::optional<uint64_t>> seeds;
  for (const auto& target : targets) seeds.push_back(target.sample_seed);
  return seeds;
}

// Replays given masks, one call after another (a test recorded them from
// torchvision). Calls past the recorded ones CHECK-fail: a programmer error.
class FixedSampler : public Sampler {
 public:
  explicit FixedSampler(std::vector<SampledMasks> calls) : calls_(std::move(calls)) {}
  SampledMasks operator()(const std::vector<torch::Tensor>& labels,
                          const std::vector<std::optional<uint64_t>>& seeds) override;

 private:
  std::vector<SampledMasks> calls_;
  size_t next_ = 0;
};

}  // namespace huale

#endif  // HUALE_MODELS_BALANCED_POSITIVE_NEGATIVE_SAMPLER_H_
