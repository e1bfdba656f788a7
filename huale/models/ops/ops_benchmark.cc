// huale's ops vs torchvision 0.26.0's CPU kernels (its _C.so, called through the
// c10 dispatcher in this process), same inputs, same LibTorch thread count
// ($HUALE_THREADS, default 2). Run:
//   bazel run -c opt //huale/models/ops:ops_benchmark
// Sizes follow Faster R-CNN with FPN on an 800x1344 image: NMS over 2,000 and
// 10,000 proposals; RoIAlign of 1,000 RoIs x 256 channels to 7x7 from P2
// (200x336, stride 4) and from P4 (50x84, stride 16).
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <cstdio>
#include <functional>

#include "benchmark/benchmark.h"
#include "huale/models/ops/nms.h"
#include "huale/models/ops/roi_align.h"
#include "huale/models/ops/torchvision_reference.h"

namespace huale {
namespace ops {
namespace {

using reference::TorchvisionNms;
using reference::TorchvisionRoiAlign;
using reference::TorchvisionRoiAlignBackward;

struct Proposals {
  at::Tensor boxes, scores;
};

Proposals MakeProposals(int64_t n) {
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(n);
  const at::Tensor xy = at::rand({n, 2}, gen) * at::tensor({1344.f, 800.f});
  const at::Tensor wh = at::rand({n, 2}, gen) * 280 + 16;
  return {at::cat({xy, xy + wh}, 1), at::rand({n}, gen)};
}

void NmsBench(benchmark::State& state,
              const std::function<at::Tensor(const at::Tensor&, const at::Tensor&,
                                             double)>& nms) {
  const Proposals p = MakeProposals(state.range(0));
  int64_t kept = 0;
  for (auto _ : state) {
    const at::Tensor keep = nms(p.boxes, p.scores, 0.7);
    kept = keep.numel();
    benchmark::DoNotOptimize(keep.data_ptr());
  }
  state.counters["kept"] = kept;
}

void BM_Nms_Huale(benchmark::State& s) { NmsBench(s, Nms); }
void BM_Nms_Torchvision(benchmark::State& s) { NmsBench(s, TorchvisionNms); }
BENCHMARK(BM_Nms_Huale)->Arg(2000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Nms_Torchvision)->Arg(2000)->Arg(10000)->Unit(benchmark::kMillisecond);

struct RoiProblem {
  at::Tensor features, rois, grad;
  double scale;
};

// state.range(0): feature stride (4 = P2, 16 = P4).
RoiProblem MakeRoiProblem(int64_t stride) {
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(stride);
  RoiProblem p;
  p.scale = 1.0 / stride;
  p.features = at::randn({1, 256, 800 / stride, 1344 / stride}, gen);
  const int64_t k = 1000;
  const at::Tensor xy = at::rand({k, 2}, gen) * at::tensor({1200.f, 700.f});
  const at::Tensor wh = at::rand({k, 2}, gen) * 200 + 8;
  p.rois = at::cat({at::zeros({k, 1}), xy, xy + wh}, 1);
  p.grad = at::randn({k, 256, 7, 7}, gen);
  return p;
}

void BM_RoiAlignForward_Huale(benchmark::State& state) {
  const RoiProblem p = MakeRoiProblem(state.range(0));
  for (auto _ : state) {
    benchmark::DoNotOptimize(RoiAlign(p.features, p.rois, p.scale, 7, 7, 2, false));
  }
}
void BM_RoiAlignForward_Torchvision(benchmark::State& state) {
  const RoiProblem p = MakeRoiProblem(state.range(0));
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        TorchvisionRoiAlign(p.features, p.rois, p.scale, 7, 7, 2, false));
  }
}
void BM_RoiAlignBackward_Huale(benchmark::State& state) {
  const RoiProblem p = MakeRoiProblem(state.range(0));
  for (auto _ : state) {
    benchmark::DoNotOptimize(RoiAlignBackward(p.grad, p.rois, p.scale, 7, 7, 1, 256,
                                              p.features.size(2), p.features.size(3),
                                              2, false));
  }
}
void BM_RoiAlignBackward_Torchvision(benchmark::State& state) {
  const RoiProblem p = MakeRoiProblem(state.range(0));
  for (auto _ : state) {
    benchmark::DoNotOptimize(TorchvisionRoiAlignBackward(
        p.grad, p.rois, p.scale, 7, 7, 1, 256, p.features.size(2), p.features.size(3),
        2, false));
  }
}
BENCHMARK(BM_RoiAlignForward_Huale)->Arg(4)->Arg(16)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RoiAlignForward_Torchvision)->Arg(4)->Arg(16)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RoiAlignBackward_Huale)->Arg(4)->Arg(16)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RoiAlignBackward_Torchvision)->Arg(4)->Arg(16)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ops
}  // namespace huale

int main(int argc, char** argv) {
  const absl::Status loaded = huale::ops::reference::LoadTorchvision();
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s\n", std::string(loaded.message()).c_str());
    return 1;
  }
  const int threads = huale::ops::reference::SetThreadsFromEnv();
  std::printf("LibTorch intra-op threads: %d (both sides)\n", threads);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
