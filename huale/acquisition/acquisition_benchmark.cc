// Pool-scoring and selection throughput of every registered acquisition function
// on VOC-sized synthetic detections: 100 detections per view, 21-way softmax
// (C = 20), the flipped view jittered. Score() is what the engine calls per pool
// image; Select() runs once per cycle over the 10,000 scored images (b = 500).
//   bazel run -c opt //huale/acquisition:acquisition_benchmark
#include <random>

#include "benchmark/benchmark.h"
#include "huale/acquisition/acquisition_function.h"

namespace huale {
namespace {

constexpr int kClasses = 20;
constexpr int kDetections = 100;
constexpr int kDistinctImages = 64;
constexpr int kPool = 10000;

std::vector<float> Probs(std::mt19937_64& rng, int label, double peak) {
  std::uniform_real_distribution<double> u(0.01, 1);
  std::vector<double> w(kClasses + 1);
  double sum = 0;
  for (double& x : w) sum += x = u(rng);
  std::vector<float> p(kClasses + 1);
  for (int c = 0; c <= kClasses; ++c) p[c] = static_cast<float>((1 - peak) * w[c] / sum);
  p[label + 1] += static_cast<float>(peak);
  return p;
}

std::pair<ImageDetections, ImageDetections> Image(int i) {
  std::mt19937_64 rng(i);
  std::uniform_real_distribution<double> u(0, 1);
  ImageDetections x, f;
  x.image_id = f.image_id = "img" + std::to_string(i);
  x.width = f.width = 500;
  x.height = f.height = 375;
  for (int k = 0; k < kDetections; ++k) {
    Detection d;
    const double x1 = 450 * u(rng), y1 = 330 * u(rng);
    d.box = Box{x1, y1, x1 + 5 + 200 * u(rng), y1 + 5 + 200 * u(rng)};
    d.label = static_cast<int>(u(rng) * kClasses) % kClasses;
    d.score = static_cast<float>(0.05 + 0.95 * u(rng) * u(rng));
    d.class_probs = Probs(rng, d.label, d.score);
    x.detections.push_back(d);
    Detection g = d;
    g.box.x1 += 6 * (u(rng) - 0.5);
    g.box.x2 += 6 * (u(rng) - 0.5);
    g.class_probs = Probs(rng, d.label, d.score);
    f.detections.push_back(g);
  }
  return {x, f};
}

std::unique_ptr<AcquisitionFunction> Make(const std::string& name) {
  AcquisitionSpec spec;
  spec.set_name(name);
  return std::move(*AcquisitionRegistry::Get().Create(name, spec));
}

ScoringContext Context() {
  ScoringContext context;
  context.num_classes = kClasses;
  context.labelled_class_share.assign(kClasses, 1.0 / kClasses);
  return context;
}

void BM_Score(benchmark::State& state, const std::string& name) {
  auto fn = Make(name);
  const ScoringContext context = Context();
  std::vector<std::pair<ImageDetections, ImageDetections>> images;
  for (int i = 0; i < kDistinctImages; ++i) images.push_back(Image(i));
  size_t i = 0;
  for (auto _ : state) {
    const auto& [x, f] = images[i++ % images.size()];
    benchmark::DoNotOptimize(fn->Score(x, f, context));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Select(benchmark::State& state, const std::string& name) {
  auto fn = Make(name);
  const ScoringContext context = Context();
  std::vector<ImageScore> pool;
  for (int i = 0; i < kPool; ++i) {
    const auto [x, f] = Image(i % kDistinctImages);
    ImageScore s = fn->Score(x, f, context);
    s.image_id = "img" + std::to_string(i);
    pool.push_back(std::move(s));
  }
  for (auto _ : state) {
    auto selection = fn->Select(pool, 500, context, 1);
    benchmark::DoNotOptimize(selection);
  }
  state.SetItemsProcessed(state.iterations() * kPool);
}

const int kRegistered = [] {
  for (const char* name : {"random", "entropy", "cald", "hua", "huale", "flat"}) {
    benchmark::RegisterBenchmark((std::string("BM_Score/") + name).c_str(), BM_Score, name);
    benchmark::RegisterBenchmark((std::string("BM_Select/") + name).c_str(), BM_Select, name)
        ->Unit(benchmark::kMillisecond);
  }
  return 0;
}();

}  // namespace
}  // namespace huale
