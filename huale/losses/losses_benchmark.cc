// Forward + backward of each registered loss on one RoI batch (R = 512 sampled
// RoIs, P = 128 positives, 21 classes: torchvision's box_batch_size_per_image
// and positive fraction on VOC), against torchvision's baseline written with
// torch::nn::functional (cross_entropy + smooth_l1_loss) as the reference.
//   bazel run -c opt //huale/losses:losses_benchmark
#include <memory>
#include <string>

#include <torch/torch.h>

#include "benchmark/benchmark.h"
#include "huale/losses/loss.h"
#include "huale/losses/loss_conformance.h"

namespace huale {
namespace {

namespace F = torch::nn::functional;

RoiLossInputs Batch() { return MakeRandomRoiLossInputs(1, 512, 128, 20, torch::kFloat); }

void BackwardAll(const torch::Tensor& loss, const RoiLossInputs& in) {
  torch::autograd::grad({loss}, {in.class_logits, in.box_deltas, in.pred_boxes, in.iou_pred},
                        {}, false, false, /*allow_unused=*/true);
}

void BM_TorchFunctionalBaseline(benchmark::State& state) {
  const RoiLossInputs in = Batch();
  for (auto _ : state) {
    const torch::Tensor loss =
        F::cross_entropy(in.class_logits, in.labels) +
        F::smooth_l1_loss(in.box_deltas, in.target_deltas,
                          F::SmoothL1LossFuncOptions().reduction(torch::kSum), 1.0 / 9) /
            in.labels.numel();
    BackwardAll(loss, in);
  }
}
BENCHMARK(BM_TorchFunctionalBaseline);

void BM_Loss(benchmark::State& state, const std::string& name) {
  const RoiLossInputs in = Batch();
  LossSpec spec;
  spec.set_name(name);
  std::unique_ptr<Loss> loss = std::move(LossRegistry::Get().Create(name, spec)).value();
  for (auto _ : state) BackwardAll(loss->Compute(in), in);
}
BENCHMARK_CAPTURE(BM_Loss, cross_entropy, std::string("cross_entropy"));
BENCHMARK_CAPTURE(BM_Loss, smooth_l1, std::string("smooth_l1"));
BENCHMARK_CAPTURE(BM_Loss, eiou, std::string("eiou"));
BENCHMARK_CAPTURE(BM_Loss, focal_eiou, std::string("focal_eiou"));
BENCHMARK_CAPTURE(BM_Loss, sync_iou, std::string("sync_iou"));
BENCHMARK_CAPTURE(BM_Loss, emphasis, std::string("emphasis"));

void BM_HualeBaselinePair(benchmark::State& state) {
  const RoiLossInputs in = Batch();
  LossSpec ce, sl1;
  ce.set_name("cross_entropy");
  sl1.set_name("smooth_l1");
  auto a = std::move(LossRegistry::Get().Create("cross_entropy", ce)).value();
  auto b = std::move(LossRegistry::Get().Create("smooth_l1", sl1)).value();
  for (auto _ : state) BackwardAll(a->Compute(in) + b->Compute(in), in);
}
BENCHMARK(BM_HualeBaselinePair);

}  // namespace
}  // namespace huale

int main(int argc, char** argv) {
  torch::set_num_threads(1);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
