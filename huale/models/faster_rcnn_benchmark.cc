// Train step (forward + backward of the four losses) and inference per image of
// huale's Faster R-CNN vs torchvision 0.26.0's Python model of the same
// configuration (faster_rcnn_benchmark.py, run by this binary in the same run,
// same thread count, same iteration count). Cases:
//   small: fasterrcnn_small_fpn, batch of 4 images 160 x 160, 10 classes;
//   r50:   fasterrcnn_resnet50_fpn, batch of 2 images 320 x 427 (min_size 320), 90 classes;
//          both sides run torchvision's seeded random weights on huale's images
//          (the RPN's surviving proposals, hence the box head's work, depend on both);
//   r50_channels_last: the same with FasterRcnnOptions.channels_last, against
//          torchvision's default (contiguous) layout.
//
//   bazel run -c opt //huale/models:faster_rcnn_benchmark -- --threads=2
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <unistd.h>
#include <map>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "huale/models/detector.h"

namespace huale {
namespace {

int g_threads = 2;
int g_iters = 3;
// Where the R50 weights (written by the Python side) and huale's R50 inputs
// (read by it) are exchanged, so both sides run the same model on the same images.
std::string g_exchange_dir;

struct Case {
  std::unique_ptr<Detector> model;
  std::vector<torch::Tensor> images;
  std::vector<DetectionTarget> targets;
};

Case MakeCase(const std::string& kind) {
  torch::manual_seed(0);
  Case c;
  ModelSpec spec;
  int num_classes = 10;
  if (kind == "small") {
    spec.set_name("fasterrcnn_small_fpn");
    for (int i = 0; i < 4; ++i) {
      c.images.push_back(torch::rand({3, 160, 160}));
      c.targets.push_back({torch::tensor({{10.f, 20.f, 60.f, 90.f}, {70.f, 40.f, 150.f, 120.f}}),
                           torch::tensor({1, 5}, torch::kLong)});
    }
  } else {  // "r50" or "r50_channels_last"
    spec.set_name("fasterrcnn_resnet50_fpn");
    spec.mutable_faster_rcnn()->set_channels_last(kind == "r50_channels_last");
    spec.mutable_faster_rcnn()->set_min_size(320);
    spec.mutable_faster_rcnn()->set_max_size(533);
    num_classes = 90;
    for (int i = 0; i < 2; ++i) {
      c.images.push_back(torch::rand({3, 320, 427}));
      c.targets.push_back({torch::tensor({{10.f, 20.f, 160.f, 190.f}, {170.f, 40.f, 400.f, 300.f}}),
                           torch::tensor({1, 50}, torch::kLong)});
    }
  }
  auto model = ModelRegistry::Get().Create(spec.name(), spec, num_classes);
  CHECK(model.ok()) << model.status();
  c.model = std::move(*model);
  if (kind != "small" && !g_exchange_dir.empty()) {
    const absl::Status loaded = c.model->LoadWeights(g_exchange_dir + "/r50_weights.pt");
    CHECK(loaded.ok()) << loaded;
    c10::List<at::Tensor> images, boxes, labels;
    for (size_t i = 0; i < c.images.size(); ++i) {
      images.push_back(c.images[i]);
      boxes.push_back(c.targets[i].boxes);
      labels.push_back(c.targets[i].labels);
    }
    for (const auto& [name, list] : {std::pair<std::string, c10::List<at::Tensor>>{"images", images},
                                     {"boxes", boxes},
                                     {"labels", labels}}) {
      const std::vector<char> bytes = torch::pickle_save(c10::IValue(list));
      std::ofstream(absl::StrCat(g_exchange_dir, "/r50_", name, ".pt"), std::ios::binary)
          .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
  }
  return c;
}

void BM_TrainStep(benchmark::State& state, const std::string& kind) {
  torch::set_num_threads(g_threads);
  Case c = MakeCase(kind);
  c.model->train();
  const auto step = [&] {
    auto losses = c.model->Losses(c.images, c.targets);
    CHECK(losses.ok()) << losses.status();
    torch::Tensor total = torch::zeros({});
    for (auto& [name, value] : *losses) total = total + value;
    c.model->zero_grad();
    total.backward();
  };
  step();  // warm-up, as the Python side
  for (auto _ : state) step();
  state.counters["img/s"] = benchmark::Counter(
      static_cast<double>(c.images.size()) * state.iterations(), benchmark::Counter::kIsRate);
}

void BM_InferenceImage(benchmark::State& state, const std::string& kind) {
  torch::set_num_threads(g_threads);
  Case c = MakeCase(kind);
  c.model->eval();
  torch::NoGradGuard no_grad;
  const auto run = [&] { CHECK(c.model->Detect({c.images[0]}, {}, {}).ok()); };
  run();
  for (auto _ : state) run();
}

// Collects real time per iteration of each benchmark, by name.
class Collector : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      const std::string name = r.benchmark_name();
      seconds[name.substr(0, name.find("/iterations"))] = r.GetAdjustedRealTime() / 1e3;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  std::map<std::string, double> seconds;
};

// The Python side's seeded R50 weights, exported for huale to load.
void ExportTorchvisionWeights() {
  std::string dir = "/tmp/faster_rcnn_benchmark_XXXXXX";
  CHECK(mkdtemp(dir.data()) != nullptr);
  const std::string cmd = absl::StrCat(
      "/opt/huale/py/bin/python huale/models/faster_rcnn_benchmark.py --export_dir ", dir);
  CHECK_EQ(std::system(cmd.c_str()), 0) << cmd;
  g_exchange_dir = dir;
}

std::map<std::string, double> RunTorchvision() {
  const std::string cmd = absl::StrCat("/opt/huale/py/bin/python huale/models/faster_rcnn_benchmark.py --threads ",
                                       g_threads, " --iters ", g_iters, " --inputs_dir ",
                                       g_exchange_dir, " 2>&1");
  std::map<std::string, double> out;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return out;
  char line[4096];
  while (std::fgets(line, sizeof(line), pipe) != nullptr) {
    char name[128];
    double value;
    if (std::sscanf(line, "%127s %lf", name, &value) == 2) {
      out[name] = value;
    } else {
      std::fprintf(stderr, "torchvision side: %s", line);
    }
  }
  const int rc = pclose(pipe);
  if (rc != 0) std::fprintf(stderr, "torchvision side: '%s' exited with %d\n", cmd.c_str(), rc);
  return out;
}

}  // namespace
}  // namespace huale

int main(int argc, char** argv) {
  // libgomp's default spin-waiting makes every parallel region cost a scheduler
  // quantum when the cores are shared (2-thread runs measured 15-30x slower, on
  // both sides); PASSIVE must be in the environment before libgomp loads, hence
  // the re-exec. The Python side inherits it.
  if (std::getenv("OMP_WAIT_POLICY") == nullptr) {
    setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    execv("/proc/self/exe", argv);
  }
  // CI's smoke run (it only keeps the benchmark working): one iteration.
  if (std::getenv("HUALE_BENCHMARK_SMOKE") != nullptr) huale::g_iters = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--threads=", 0) == 0) huale::g_threads = std::stoi(arg.substr(10));
    if (arg.rfind("--iters=", 0) == 0) huale::g_iters = std::stoi(arg.substr(8));
  }
  huale::ExportTorchvisionWeights();
  for (const std::string kind : {"small", "r50", "r50_channels_last"}) {
    benchmark::RegisterBenchmark(("train_step/" + kind).c_str(), huale::BM_TrainStep, kind)
        ->Iterations(huale::g_iters)->Unit(benchmark::kMillisecond)->UseRealTime();
    benchmark::RegisterBenchmark(("inference_image/" + kind).c_str(), huale::BM_InferenceImage, kind)
        ->Iterations(2 * huale::g_iters)->Unit(benchmark::kMillisecond)->UseRealTime();
  }
  benchmark::Initialize(&argc, argv);
  huale::Collector collector;
  benchmark::RunSpecifiedBenchmarks(&collector);
  // Working directory: bazel run starts in the runfiles tree; the script is a data dep.
  const std::map<std::string, double> ref = huale::RunTorchvision();
  std::printf("\nvs torchvision (same threads: %d), ratio = huale / torchvision time:\n",
              huale::g_threads);
  for (const std::string kind : {"small", "r50", "r50_channels_last"}) {
    // huale's channels_last option against torchvision's default layout.
    const std::string theirs_kind = kind == "r50_channels_last" ? "r50" : kind;
    for (const auto& [ours, theirs] :
         {std::pair<std::string, std::string>{"train_step/" + kind, theirs_kind + "_train_step"},
          {"inference_image/" + kind, theirs_kind + "_inference_image"}}) {
      const auto a = collector.seconds.find(ours);
      const auto b = ref.find(theirs);
      if (a == collector.seconds.end() || b == ref.end()) continue;
      std::printf("  %-34s huale %9.1f ms  torchvision %9.1f ms  ratio %.2f\n", ours.c_str(),
                  a->second * 1e3, b->second * 1e3, a->second / b->second);
    }
  }
  if (ref.count("small_macs_per_image")) {
    std::printf("small model: %.0f M multiply-accumulates per 160 x 160 image (inference)\n",
                ref.at("small_macs_per_image") / 1e6);
  }
  return 0;
}
