// The GPU check (tools/gpu_check.sh builds it with --config=cuda and runs it on
// a lent GPU machine): CUDA against CPU for the ops and the detector, a
// two-cycle active-learning run on the device (train, evaluate, score the pool,
// select, train again, evaluate) with the registered components, and huale's
// R50-FPN speed on the GPU (torchvision's is timed by gpu_check_torchvision.py
// in the same call). Decodes no image files: scenes are made in memory, so the
// bundle needs no OpenCV. Prints one line per check, "PASS"/"FAIL", and exits 1
// if any failed.
//
//   gpu_check [--iters=N] [--skip_timing] [--al_only --device=cpu]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "glog/logging.h"
#include "huale/acquisition/acquisition_function.h"
#include "huale/data/dataset.h"
#include "huale/engine/device.h"
#include "huale/eval/evaluator.h"
#include "huale/models/detector.h"
#include "huale/models/ops/nms.h"
#include "huale/models/ops/roi_align.h"

namespace huale {
namespace {

int g_failures = 0;

void Report(bool ok, const std::string& what) {
  std::printf("%s  %s\n", ok ? "PASS" : "FAIL", what.c_str());
  std::fflush(stdout);
  if (!ok) ++g_failures;
}

torch::Tensor RandomBoxes(int64_t n, double extent, double max_size, bool integer) {
  torch::Tensor xy = torch::rand({n, 2}, torch::kDouble) * extent;
  torch::Tensor wh = torch::rand({n, 2}, torch::kDouble) * max_size + 1;
  torch::Tensor boxes = torch::cat({xy, xy + wh}, 1);
  if (integer) boxes = boxes.round();
  return boxes.to(torch::kFloat);
}

void CheckNms(const torch::Device& cuda) {
  torch::manual_seed(1);
  for (const bool tied : {false, true}) {
    for (const int64_t n : {100, 2000, 5000}) {
      const torch::Tensor boxes = RandomBoxes(n, 300, 80, tied);
      torch::Tensor scores = torch::rand({n});
      if (tied) scores = (scores * 10).floor() / 10;  // ten distinct values
      for (const double t : {0.3, 0.5, 0.7}) {
        const torch::Tensor cpu = ops::Nms(boxes, scores, t);
        const torch::Tensor gpu = ops::Nms(boxes.to(cuda), scores.to(cuda), t).cpu();
        Report(torch::equal(cpu, gpu),
               absl::StrCat("nms ", tied ? "tied" : "random", " n=", n, " iou=", t,
                            ": keep ", cpu.size(0), " (CPU) vs ", gpu.size(0), " (CUDA)"));
      }
    }
  }
}

// BatchedNms takes torchvision's per-class path above 4,000 coordinates on the
// CPU and above 100,000 on a GPU: n = 1,000 is one NMS over shifted boxes on
// both, 5,000 per class on the CPU only, 30,000 per class on both (the GPU's
// per-class path read the class ids through a device pointer and crashed).
void CheckBatchedNms(const torch::Device& cuda) {
  torch::manual_seed(2);
  for (const int64_t n : {1000, 5000, 30000}) {
    const torch::Tensor boxes = RandomBoxes(n, 600, 80, /*integer=*/false);
    const torch::Tensor scores = torch::rand({n});
    const torch::Tensor idxs = torch::randint(0, 10, {n}, torch::kLong);
    const torch::Tensor cpu = ops::BatchedNms(boxes, scores, idxs, 0.5);
    const torch::Tensor gpu =
        ops::BatchedNms(boxes.to(cuda), scores.to(cuda), idxs.to(cuda), 0.5).cpu();
    // The per-class path ends in torchvision's unstable sort by score: tied
    // scores (30,000 uniform floats hold some) may come out in another order
    // on each device, in torchvision too. The kept set and the score
    // sequence must be equal; the line says how many positions differ.
    const bool same_size = cpu.size(0) == gpu.size(0);
    const bool ok = same_size && torch::equal(std::get<0>(cpu.sort()), std::get<0>(gpu.sort())) &&
                    torch::equal(scores.index_select(0, cpu), scores.index_select(0, gpu));
    const int64_t moved = same_size ? cpu.ne(gpu).sum().item<int64_t>() : -1;
    Report(ok, absl::StrCat("batched nms n=", n, " (10 classes): keep ", cpu.size(0),
                            " (CPU) vs ", gpu.size(0), " (CUDA), same set and score order; ",
                            moved, " tied position(s) ordered otherwise"));
  }
}

void CheckRoiAlign(const torch::Device& cuda) {
  torch::manual_seed(2);
  const torch::Tensor input = torch::randn({2, 64, 50, 68});
  torch::Tensor rois = torch::cat(
      {torch::randint(0, 2, {500, 1}).to(torch::kFloat), RandomBoxes(500, 300, 150, false)}, 1);
  rois.slice(0, 0, 20).slice(1, 1, 5) -= 40;  // partly outside the map
  for (const bool aligned : {false, true}) {
    for (const int64_t sampling : {0, 2}) {
      const torch::Tensor x_cpu = input.clone().requires_grad_(true);
      const torch::Tensor x_gpu = input.to(cuda).requires_grad_(true);
      const torch::Tensor y_cpu = ops::RoiAlign(x_cpu, rois, 0.25, 7, 7, sampling, aligned);
      const torch::Tensor y_gpu =
          ops::RoiAlign(x_gpu, rois.to(cuda), 0.25, 7, 7, sampling, aligned);
      const double forward = (y_cpu - y_gpu.cpu()).abs().max().item<double>();
      const torch::Tensor grad = torch::randn_like(y_cpu);
      y_cpu.backward(grad);
      y_gpu.backward(grad.to(cuda));
      const double backward = (x_cpu.grad() - x_gpu.grad().cpu()).abs().max().item<double>();
      const double scale = x_cpu.grad().abs().max().item<double>();
      const std::string what = absl::StrCat("roi_align aligned=", aligned, " sampling=", sampling);
      Report(forward <= 1e-5, absl::StrCat(what, " forward max |CPU - CUDA| = ", forward));
      Report(backward <= 1e-5 * std::max(1.0, scale),
             absl::StrCat(what, " backward max |CPU - CUDA| = ", backward, " (grad scale ",
                          scale, ")"));
    }
  }
}

std::unique_ptr<Detector> MakeModel(const std::string& name, int min_size, int max_size,
                                    int num_classes) {
  torch::manual_seed(0);
  ModelSpec spec;
  spec.set_name(name);
  spec.mutable_faster_rcnn()->set_min_size(min_size);
  spec.mutable_faster_rcnn()->set_max_size(max_size);
  auto model = ModelRegistry::Get().Create(name, spec, num_classes);
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", std::string(model.status().message()).c_str());
    std::exit(2);
  }
  return std::move(*model);
}

// CPU and CUDA detections of one image, compared without regard to order:
// each CPU detection scoring at least `min_score` is matched to an unused CUDA
// detection of its label with the nearest box (largest coordinate difference).
struct Matching {
  int compared = 0;  // CPU detections at or above min_score
  int matched = 0;   // of them, with a CUDA detection within box_tolerance
  double box = 0;    // largest coordinate difference among the matched, px
  double score = 0;  // largest score difference among the matched
};

Matching MatchDetections(const std::vector<Detection>& cpu, const std::vector<Detection>& gpu,
                         double min_score, double box_tolerance) {
  Matching m;
  std::vector<bool> used(gpu.size(), false);
  for (const Detection& a : cpu) {
    if (a.score < min_score) continue;
    ++m.compared;
    int best = -1;
    double best_diff = 0;
    for (size_t j = 0; j < gpu.size(); ++j) {
      if (used[j] || gpu[j].label != a.label) continue;
      const Detection& b = gpu[j];
      const double diff = std::max({std::abs(a.box.x1 - b.box.x1), std::abs(a.box.y1 - b.box.y1),
                                    std::abs(a.box.x2 - b.box.x2), std::abs(a.box.y2 - b.box.y2)});
      if (best < 0 || diff < best_diff) best = static_cast<int>(j), best_diff = diff;
    }
    if (best < 0 || best_diff > box_tolerance) continue;
    used[best] = true;
    ++m.matched;
    m.box = std::max(m.box, best_diff);
    m.score = std::max(m.score, static_cast<double>(std::abs(a.score - gpu[best].score)));
  }
  return m;
}

// fp32 on both sides while a comparison runs: cuDNN's convolutions may use
// TF32 by default, 10-bit mantissas against the CPU's 23.
class NoTf32 {
 public:
  NoTf32()
      : cudnn_(at::globalContext().allowTF32CuDNN()),
        cublas_(at::globalContext().allowTF32CuBLAS()) {
    at::globalContext().setAllowTF32CuDNN(false);
    at::globalContext().setAllowTF32CuBLAS(false);
  }
  ~NoTf32() {
    at::globalContext().setAllowTF32CuDNN(cudnn_);
    at::globalContext().setAllowTF32CuBLAS(cublas_);
  }

 private:
  const bool cudnn_;
  const bool cublas_;
};

// The untrained detectors (seeded weights, random images): the image
// embedding (backbone + FPN, pooled) must agree to fp32 rounding. Their final
// detections are not compared for pass/fail: an untrained classifier scores
// every proposal near one value, so rounding reorders them and moves
// proposals across the RPN's and the top-100 cut-offs (torchvision's own model
// on the CPU, inputs perturbed by 1e-5, moves its detections by up to 79 px
// position by position); the line reports how many still match. The trained
// model of RunActiveLearning is where detections are compared.
void CheckDetector(const torch::Device& cuda) {
  const NoTf32 fp32;
  for (const std::string name : {"fasterrcnn_small_fpn", "fasterrcnn_resnet50_fpn"}) {
    std::unique_ptr<Detector> cpu = MakeModel(name, 320, 533, 20);
    std::unique_ptr<Detector> gpu = MakeModel(name, 320, 533, 20);  // same seed, same weights
    gpu->to(cuda);
    cpu->eval();
    gpu->eval();
    torch::NoGradGuard no_grad;
    torch::manual_seed(3);
    std::vector<torch::Tensor> images = {torch::rand({3, 320, 427}), torch::rand({3, 300, 300})};
    DetectOptions options;
    options.embedding = true;
    auto a = cpu->Detect(images, {}, options);
    auto b = gpu->Detect({images[0].to(cuda), images[1].to(cuda)}, {}, options);
    if (!a.ok() || !b.ok()) {
      Report(false, absl::StrCat(name, " detect: ", (a.ok() ? b : a).status().ToString()));
      continue;
    }
    for (size_t i = 0; i < images.size(); ++i) {
      const std::vector<float>& ea = (*a)[i].embedding;
      const std::vector<float>& eb = (*b)[i].embedding;
      double diff = 0, scale = 0;
      for (size_t k = 0; k < ea.size() && k < eb.size(); ++k) {
        diff = std::max(diff, static_cast<double>(std::abs(ea[k] - eb[k])));
        scale = std::max(scale, static_cast<double>(std::abs(ea[k])));
      }
      const Matching m =
          MatchDetections((*a)[i].detections, (*b)[i].detections, 0.0, /*box_tolerance=*/0.05);
      Report(!ea.empty() && ea.size() == eb.size() && diff <= 1e-4 * std::max(1.0, scale),
             absl::StrCat(name, " image ", i, ": embedding [", ea.size(), "] max |CPU - CUDA| = ",
                          diff, " (scale ", scale, "); untrained detections (not checked): ",
                          m.matched, " of ", m.compared, " matched within 0.05 px"));
    }
  }
}

double Seconds(const std::chrono::steady_clock::time_point& start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A scene: 96 x 96 noise with 1-4 filled rectangles whose colour is the class
// (three classes: red, green, blue).
struct Scene {
  torch::Tensor image;  // [3, 96, 96] float in [0, 1], CPU
  ImageRecord record;
};

Scene MakeScene(int index, torch::Generator& gen) {
  Scene scene;
  scene.image = torch::rand({3, 96, 96}, gen) * 0.3;
  scene.record.id = absl::StrFormat("scene%04d", index);
  scene.record.width = 96;
  scene.record.height = 96;
  const int objects = 1 + torch::randint(4, {1}, gen).item<int>();
  for (int k = 0; k < objects; ++k) {
    const int label = torch::randint(3, {1}, gen).item<int>();
    const int w = 14 + torch::randint(30, {1}, gen).item<int>();
    const int h = 14 + torch::randint(30, {1}, gen).item<int>();
    const int x = torch::randint(96 - w, {1}, gen).item<int>();
    const int y = torch::randint(96 - h, {1}, gen).item<int>();
    scene.image.index_put_({label, torch::indexing::Slice(y, y + h),
                            torch::indexing::Slice(x, x + w)}, 0.9);
    Annotation a;
    a.box = Box{static_cast<double>(x), static_cast<double>(y), static_cast<double>(x + w),
                static_cast<double>(y + h)};
    a.label = label;
    a.area = w * h;
    scene.record.annotations.push_back(a);
  }
  return scene;
}

DetectionTarget TargetOf(const ImageRecord& record, const torch::Device& device) {
  std::vector<float> boxes;
  std::vector<int64_t> labels;
  for (const Annotation& a : record.annotations) {
    boxes.insert(boxes.end(), {static_cast<float>(a.box.x1), static_cast<float>(a.box.y1),
                               static_cast<float>(a.box.x2), static_cast<float>(a.box.y2)});
    labels.push_back(a.label + 1);
  }
  const int64_t n = static_cast<int64_t>(labels.size());
  return {ToDevice(torch::tensor(boxes).view({n, 4}), device),
          ToDevice(torch::tensor(labels, torch::kLong), device)};
}

void Train(Detector& model, const std::vector<Scene>& scenes, const std::vector<int>& labelled,
           const torch::Device& device, int iterations) {
  model.train();
  torch::optim::SGD sgd(model.parameters(), torch::optim::SGDOptions(0.02).momentum(0.9));
  torch::Generator order = at::detail::createCPUGenerator(7);
  for (int it = 0; it < iterations; ++it) {
    std::vector<torch::Tensor> images;
    std::vector<DetectionTarget> targets;
    const torch::Tensor pick = torch::randint(static_cast<int64_t>(labelled.size()), {8}, order);
    for (int64_t k = 0; k < 8; ++k) {
      const Scene& scene = scenes[labelled[pick[k].item<int64_t>()]];
      images.push_back(ToDevice(scene.image, device));
      targets.push_back(TargetOf(scene.record, device));
    }
    auto losses = model.Losses(images, targets);
    CHECK(losses.ok()) << losses.status();
    torch::Tensor total = torch::zeros({}, torch::TensorOptions().device(device));
    for (auto& [name, value] : *losses) total = total + value;
    sgd.zero_grad();
    total.backward();
    torch::nn::utils::clip_grad_norm_(model.parameters(), 10.0);
    sgd.step();
  }
}

std::vector<ImageDetections> Detect(Detector& model, const std::vector<Scene>& scenes,
                                    const std::vector<int>& which, const torch::Device& device,
                                    bool flipped) {
  model.eval();
  torch::NoGradGuard no_grad;
  std::vector<ImageDetections> out;
  DetectOptions options;
  options.class_probs = true;
  for (size_t first = 0; first < which.size(); first += 16) {
    std::vector<torch::Tensor> images;
    for (size_t k = first; k < std::min(which.size(), first + 16); ++k) {
      const torch::Tensor image = scenes[which[k]].image;
      images.push_back(ToDevice(flipped ? image.flip({2}) : image, device));
    }
    auto detections = model.Detect(images, {}, options);
    CHECK(detections.ok()) << detections.status();
    for (size_t k = 0; k < detections->size(); ++k) {
      (*detections)[k].image_id = scenes[which[first + k]].record.id;
      out.push_back(std::move((*detections)[k]));
    }
  }
  return out;
}

// The trained detector of RunActiveLearning on the device, then moved to the
// CPU: its detections of the test scenes scoring 0.3 or more must match (same
// label, every coordinate within 0.05 px, score within 1e-3), in fp32.
void CompareTrainedOnCpu(Detector& model, const std::vector<Scene>& test,
                         const std::vector<int>& ids, const torch::Device& device) {
  const NoTf32 fp32;
  const std::vector<ImageDetections> on_device = Detect(model, test, ids, device, false);
  model.to(torch::kCPU);
  const std::vector<ImageDetections> on_cpu = Detect(model, test, ids, torch::kCPU, false);
  model.to(device);
  Matching all;
  for (size_t i = 0; i < on_cpu.size(); ++i) {
    const Matching m = MatchDetections(on_cpu[i].detections, on_device[i].detections, 0.3, 0.05);
    all.compared += m.compared;
    all.matched += m.matched;
    all.box = std::max(all.box, m.box);
    all.score = std::max(all.score, m.score);
  }
  Report(all.compared >= 100 && all.matched == all.compared && all.score <= 1e-3,
         absl::StrCat("trained fasterrcnn_small_fpn, ", on_cpu.size(), " test scenes: ",
                      all.matched, " of ", all.compared,
                      " CPU detections (score >= 0.3) matched on ", device.str(),
                      ", max box diff ", all.box, " px, max score diff ", all.score));
}

// Two cycles on in-memory scenes with the registered components: 60 labelled
// of a 300-image pool, "huale" selects 60 more, VOC07 mAP on 100 test scenes
// after each cycle's training.
void RunActiveLearning(const torch::Device& device, int iterations) {
  const auto start = std::chrono::steady_clock::now();
  torch::Generator gen = at::detail::createCPUGenerator(11);
  std::vector<Scene> pool, test;
  for (int i = 0; i < 300; ++i) pool.push_back(MakeScene(i, gen));
  for (int i = 0; i < 100; ++i) test.push_back(MakeScene(1000 + i, gen));
  Dataset test_set;
  test_set.class_names = {"red", "green", "blue"};
  std::vector<int> test_ids;
  for (int i = 0; i < 100; ++i) {
    test_set.images.push_back(test[i].record);
    test_ids.push_back(i);
  }
  EvaluationSpec eval_spec;
  eval_spec.set_metric("voc07");
  auto evaluator = EvaluatorRegistry::Get().Create("voc07", eval_spec);
  AcquisitionSpec acq_spec;
  acq_spec.set_name("huale");
  auto acquisition = AcquisitionRegistry::Get().Create("huale", acq_spec);
  if (!evaluator.ok() || !acquisition.ok()) {
    Report(false, "active learning: components not registered");
    return;
  }
  std::unique_ptr<Detector> model = MakeModel("fasterrcnn_small_fpn", 96, 96, 3);
  model->to(device);
  std::vector<int> labelled, unlabelled;
  for (int i = 0; i < 300; ++i) (i < 60 ? labelled : unlabelled).push_back(i);
  std::vector<double> maps;
  for (int cycle = 0; cycle < 2; ++cycle) {
    Train(*model, pool, labelled, device, iterations);
    auto result = (*evaluator)->Evaluate(test_set, Detect(*model, test, test_ids, device, false));
    if (!result.ok()) {
      Report(false, absl::StrCat("active learning: ", result.status().ToString()));
      return;
    }
    maps.push_back(result->metrics.at(result->primary_metric));
    std::printf("  cycle %d: %zu labelled, VOC07 mAP@0.5 %.2f %%\n", cycle, labelled.size(),
                100 * maps.back());
    if (cycle == 1) break;
    const std::vector<ImageDetections> original = Detect(*model, pool, unlabelled, device, false);
    const std::vector<ImageDetections> flipped = Detect(*model, pool, unlabelled, device, true);
    ScoringContext context;
    context.num_classes = 3;
    std::vector<ImageScore> scores;
    for (size_t k = 0; k < original.size(); ++k) {
      scores.push_back((*acquisition)->Score(original[k], MapFlippedBack(flipped[k]), context));
    }
    auto selection = (*acquisition)->Select(std::move(scores), 60, context, /*seed=*/3);
    if (!selection.ok() || selection->images.size() != 60) {
      Report(false, "active learning: selection failed");
      return;
    }
    for (const SelectedImage& picked : selection->images) {
      labelled.push_back(std::stoi(picked.image_id.substr(5)));
    }
    std::printf("  selected 60 of %zu pool images (first: %s)\n", original.size(),
                selection->images[0].image_id.c_str());
  }
  const bool ok = maps.size() == 2 && std::isfinite(maps[0]) && std::isfinite(maps[1]);
  if (!device.is_cpu() && ok) CompareTrainedOnCpu(*model, test, test_ids, device);
  Report(ok, absl::StrFormat("two-cycle active learning on %s (fasterrcnn_small_fpn, huale, "
                             "voc07): mAP %.2f -> %.2f %%, %.1f s",
                             device.str(), 100 * maps.front(), 100 * maps.back(),
                             Seconds(start)));
}

// R50-FPN at 800 px (torchvision's defaults: min 800, max 1333), batch 2.
void TimeR50(const torch::Device& cuda, int iters, bool amp) {
  std::unique_ptr<Detector> model = MakeModel("fasterrcnn_resnet50_fpn", 800, 1333, 90);
  model->to(cuda);
  torch::manual_seed(4);
  std::vector<torch::Tensor> images;
  std::vector<DetectionTarget> targets;
  for (int i = 0; i < 2; ++i) {
    images.push_back(torch::rand({3, 800, 1067}).to(cuda));
    targets.push_back({torch::tensor({{10.f, 20.f, 360.f, 390.f}, {370.f, 40.f, 900.f, 700.f}})
                           .to(cuda),
                       torch::tensor({1, 50}, torch::kLong).to(cuda)});
  }
  model->train();
  const auto step = [&] {
    absl::StatusOr<std::map<std::string, torch::Tensor>> losses;
    {
      const AutocastScope autocast(cuda, amp);
      losses = model->Losses(images, targets);
    }
    torch::Tensor total = torch::zeros({}, torch::TensorOptions().device(cuda));
    for (auto& [name, value] : *losses) total = total + value.to(torch::kFloat);
    model->zero_grad();
    total.backward();
  };
  for (int i = 0; i < 3; ++i) step();
  torch::cuda::synchronize();
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iters; ++i) step();
  torch::cuda::synchronize();
  const double train = Seconds(start) / iters;
  model->eval();
  torch::NoGradGuard no_grad;
  for (int i = 0; i < 3; ++i) (void)model->Detect(images, {}, {});
  torch::cuda::synchronize();
  start = std::chrono::steady_clock::now();
  for (int i = 0; i < iters; ++i) (void)model->Detect(images, {}, {});
  torch::cuda::synchronize();
  const double inference = Seconds(start) / iters;
  std::printf("TIME huale r50_fpn_800 batch2 %s train_step %.1f ms inference %.1f ms\n",
              amp ? "bf16-autocast" : "fp32", train * 1e3, inference * 1e3);
}

}  // namespace
}  // namespace huale

int main(int argc, char** argv) {
  int iters = 20;
  int al_iterations = 150;
  bool timing = true;
  bool al_only = false;
  std::string device = "cuda";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--iters=", 0) == 0) iters = std::stoi(arg.substr(8));
    if (arg.rfind("--al_iterations=", 0) == 0) al_iterations = std::stoi(arg.substr(16));
    if (arg.rfind("--device=", 0) == 0) device = arg.substr(9);
    if (arg == "--skip_timing") timing = false;
    if (arg == "--al_only") al_only = true;
  }
  if (al_only) {  // The active-learning part alone, e.g. on the CPU.
    huale::RunActiveLearning(torch::Device(device), al_iterations);
    return huale::g_failures == 0 ? 0 : 1;
  }
  if (absl::Status usable = huale::CheckDeviceUsable("cuda"); !usable.ok()) {
    std::printf("FAIL  %s\n", std::string(usable.message()).c_str());
    return 1;
  }
  const torch::Device cuda("cuda:0");
  std::printf("torch %s, %d CUDA device(s)\n", TORCH_VERSION,
              static_cast<int>(torch::cuda::device_count()));
  huale::CheckNms(cuda);
  huale::CheckBatchedNms(cuda);
  huale::CheckRoiAlign(cuda);
  huale::CheckDetector(cuda);
  huale::RunActiveLearning(cuda, al_iterations);
  if (timing) {
    huale::TimeR50(cuda, iters, /*amp=*/false);
    huale::TimeR50(cuda, iters, /*amp=*/true);
  }
  std::printf("%s: %d check(s) failed\n", huale::g_failures == 0 ? "OK" : "FAILED",
              huale::g_failures);
  return huale::g_failures == 0 ? 0 : 1;
}
