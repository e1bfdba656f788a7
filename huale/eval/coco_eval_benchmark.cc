// COCO evaluation speed: 5,000 images x 100 detections x 80 categories,
// synthetic, against pycocotools 2.0.11 (the reference) and faster-coco-eval
// 1.8.0 (the fastest public evaluator), both from the pinned Python prefix
// (tools/coco_eval_reference.py), run on the same files in the same run.
//
//   bazel run -c opt //huale/eval:coco_eval_benchmark
//   bazel run -c opt //huale/eval:coco_eval_benchmark -- --images=500   # quicker
//
// The data are written as COCO JSON to a temp folder; both sides read the same
// files. After the Google Benchmark timings, main() times EvaluateCoco (best of
// 3) against each reference's evaluate + accumulate (JSON loading excluded on
// both sides) and the whole evaluation (JSON loading included), checks that
// their twelve numbers agree to 1e-9, and prints the ratios and peak memory.
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "benchmark/benchmark.h"
#include "huale/eval/coco_eval.h"
#include "huale/eval/coco_json.h"
#include "huale/eval/coco_results.h"
#include "nlohmann/json.hpp"
#include "simdjson.h"

namespace huale {
namespace {

int g_num_images = 5000;
constexpr int kDetectionsPerImage = 100;
constexpr int kNumCategories = 80;
std::string g_gt_path, g_dt_path;

double Round2(double v) { return std::round(v * 100) / 100; }

// COCO-like: ~7 objects of 1-3 categories per image, sizes from 4 to 400 px
// (all three size ranges), 1% crowds; detections: 60% jittered copies of objects
// (10% of them with a wrong class), 40% random boxes of any class; scores with
// two decimals, so ties are frequent.
void WriteSyntheticData(const std::string& gt_path, const std::string& dt_path) {
  std::mt19937_64 rng(20231215);
  std::uniform_real_distribution<double> unit(0, 1);
  auto log_uniform = [&](double lo, double hi) {
    return std::exp(std::log(lo) + unit(rng) * (std::log(hi) - std::log(lo)));
  };
  nlohmann::ordered_json gt = {{"images", nlohmann::ordered_json::array()},
                                {"categories", nlohmann::ordered_json::array()},
                                {"annotations", nlohmann::ordered_json::array()}};
  for (int i = 0; i < g_num_images; ++i) {
    gt["images"].push_back({{"id", i + 1}, {"width", 640}, {"height", 480}});
  }
  for (int k = 0; k < kNumCategories; ++k) {
    gt["categories"].push_back({{"id", k + 1}, {"name", absl::StrCat("class", k + 1)}});
  }
  std::vector<CocoResult> dt;
  int64_t annotation_id = 0;
  for (int i = 0; i < g_num_images; ++i) {
    struct Obj { int category; double x, y, w, h; };
    std::vector<Obj> objects;
    const int num_categories = 1 + static_cast<int>(unit(rng) * 3);
    std::vector<int> categories;
    for (int c = 0; c < num_categories; ++c) {
      categories.push_back(1 + static_cast<int>(unit(rng) * kNumCategories));
    }
    const int num_objects = 1 + static_cast<int>(unit(rng) * 13);
    for (int o = 0; o < num_objects; ++o) {
      const double w = Round2(log_uniform(4, 400)), h = Round2(log_uniform(4, 400));
      const Obj obj{categories[static_cast<size_t>(unit(rng) * num_categories)],
                    Round2(unit(rng) * (640 - std::min(w, 600.0))),
                    Round2(unit(rng) * (480 - std::min(h, 460.0))), w, h};
      objects.push_back(obj);
      const bool crowd = unit(rng) < 0.01;
      ++annotation_id;
      gt["annotations"].push_back({{"id", annotation_id},
                                   {"image_id", i + 1},
                                   {"category_id", obj.category},
                                   {"bbox", {obj.x, obj.y, obj.w, obj.h}},
                                   {"area", Round2(obj.w * obj.h * 0.8)},
                                   {"iscrowd", crowd ? 1 : 0}});
    }
    for (int d = 0; d < kDetectionsPerImage; ++d) {
      Obj det;
      if (unit(rng) < 0.6) {
        det = objects[static_cast<size_t>(unit(rng) * objects.size())];
        auto jitter = [&](double v, double scale) {
          return v + (unit(rng) - 0.5) * 0.3 * scale;
        };
        det.x = Round2(jitter(det.x, det.w));
        det.y = Round2(jitter(det.y, det.h));
        det.w = Round2(std::max(1.0, jitter(det.w, det.w)));
        det.h = Round2(std::max(1.0, jitter(det.h, det.h)));
        if (unit(rng) < 0.1) det.category = 1 + static_cast<int>(unit(rng) * kNumCategories);
      } else {
        det.category = 1 + static_cast<int>(unit(rng) * kNumCategories);
        det.w = Round2(log_uniform(4, 300));
        det.h = Round2(log_uniform(4, 300));
        det.x = Round2(unit(rng) * (640 - det.w));
        det.y = Round2(unit(rng) * (480 - det.h));
      }
      dt.push_back(MakeCocoResult(absl::StrCat(i + 1), det.category,
                                  Box::FromXywh(det.x, det.y, det.w, det.h), Round2(unit(rng))));
    }
  }
  const std::string gt_text = gt.dump() + "\n";
  const std::string dt_text = CocoResultsToJson(dt);
  for (const auto& [path, text] : {std::pair{gt_path, &gt_text}, std::pair{dt_path, &dt_text}}) {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr || std::fwrite(text->data(), 1, text->size(), f) != text->size()) {
      std::fprintf(stderr, "cannot write %s\n", path.c_str());
      std::exit(1);
    }
    std::fclose(f);
  }
}

CocoEvalData LoadData() {
  auto gt = LoadCocoGroundTruth(g_gt_path);
  auto dt = LoadCocoResults(g_dt_path);
  if (!gt.ok() || !dt.ok()) {
    std::fprintf(stderr, "%s %s\n", gt.status().ToString().c_str(),
                 dt.status().ToString().c_str());
    std::exit(1);
  }
  auto data = JoinCocoEvalData(*gt, *dt);
  if (!data.ok()) std::exit(1);
  return *std::move(data);
}

void BM_EvaluateCoco(benchmark::State& state) {
  const CocoEvalData data = LoadData();
  for (auto _ : state) {
    auto summary = EvaluateCoco(data);
    benchmark::DoNotOptimize(summary);
  }
  state.SetItemsProcessed(state.iterations() * g_num_images * kDetectionsPerImage);
}
BENCHMARK(BM_EvaluateCoco)->Unit(benchmark::kMillisecond)->Iterations(3);

// What `tools/evaluate --metric=coco` does: parse both files, join, evaluate.
void BM_LoadJsonAndEvaluateCoco(benchmark::State& state) {
  for (auto _ : state) {
    const CocoEvalData data = LoadData();
    auto summary = EvaluateCoco(data);
    benchmark::DoNotOptimize(summary);
  }
}
BENCHMARK(BM_LoadJsonAndEvaluateCoco)->Unit(benchmark::kMillisecond)->Iterations(3);

double MaxRssMib() {
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}

// A field of /proc/self/status in MiB (VmRSS: now, VmHWM: peak), -1 if unknown.
double ProcStatusMib(const std::string& field) {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return -1;
  char line[256];
  double kib = -1;
  while (std::fgets(line, sizeof(line), f) != nullptr) {
    if (std::string(line).rfind(field + ":", 0) == 0) kib = std::atof(line + field.size() + 1);
  }
  std::fclose(f);
  return kib / 1024.0;
}

// Resets VmHWM to the current RSS (Linux >= 4.0); false if not allowed.
bool ResetPeakRss() {
  FILE* f = std::fopen("/proc/self/clear_refs", "w");
  if (f == nullptr) return false;
  const bool ok = std::fputs("5", f) >= 0;
  return std::fclose(f) == 0 && ok;
}

struct Reference {
  std::string name;
  std::string command;
};

int CompareWithReferences(const std::vector<Reference>& references) {
  const bool peak_reset = ResetPeakRss();
  const double rss_before_load = ProcStatusMib("VmRSS");
  double best_total = 1e300;
  for (int repeat = 0; repeat < 3; ++repeat) {
    const auto start = std::chrono::steady_clock::now();
    const CocoEvalData loaded = LoadData();
    auto result = EvaluateCoco(loaded);
    benchmark::DoNotOptimize(result);
    best_total = std::min(
        best_total,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  const double rss_total = peak_reset ? ProcStatusMib("VmHWM") : MaxRssMib();
  const CocoEvalData data = LoadData();
  ResetPeakRss();
  const double rss_before = ProcStatusMib("VmRSS");
  double best = 1e300;
  CocoSummary summary;
  for (int repeat = 0; repeat < 3; ++repeat) {
    const auto start = std::chrono::steady_clock::now();
    auto result = EvaluateCoco(data);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
                              .count());
    summary = *result;
  }
  const double rss_after = peak_reset ? ProcStatusMib("VmHWM") : MaxRssMib();
  std::printf(
      "\nCOCO eval, %d images x %d detections x %d categories (same JSON files):\n"
      "  huale EvaluateCoco (best of 3):               %8.3f s; RSS %.1f MiB with the data "
      "loaded, peak %.1f MiB while evaluating\n"
      "  huale JSON loading + evaluation (best of 3):  %8.3f s; peak %.1f MiB (from %.1f)\n",
      g_num_images, kDetectionsPerImage, kNumCategories, best, rss_before, rss_after,
      best_total, rss_total, rss_before_load);
  int status = 0;
  for (const Reference& ref : references) {
    const std::string command =
        absl::StrCat(ref.command, " --gt ", g_gt_path, " --dt ", g_dt_path);
    std::printf("Running %s: %s\n", ref.name.c_str(), command.c_str());
    std::fflush(stdout);
    FILE* pipe = popen(command.c_str(), "r");
    std::string output;
    char buffer[4096];
    while (pipe != nullptr && std::fgets(buffer, sizeof(buffer), pipe) != nullptr) output += buffer;
    if (pipe == nullptr || pclose(pipe) != 0) {
      std::fprintf(stderr, "reference %s failed: %s\n", ref.name.c_str(), output.c_str());
      status = 1;
      continue;
    }
    simdjson::dom::parser parser;
    simdjson::dom::object reference;
    if (parser.parse(output).get(reference) != simdjson::SUCCESS) {
      std::fprintf(stderr, "cannot parse %s's output: %s\n", ref.name.c_str(), output.c_str());
      status = 1;
      continue;
    }
    double worst = 0;
    for (size_t i = 0; i < kCocoMetricNames.size(); ++i) {
      double expected = 0;
      if (reference[kCocoMetricNames[i]].get(expected) != simdjson::SUCCESS) return 1;
      worst = std::max(worst, std::fabs(expected - summary.stats[i]));
    }
    double seconds = 0, total = -1, rss = 0;
    if (reference["seconds_evaluate_accumulate"].get(seconds) != simdjson::SUCCESS ||
        reference["max_rss_mib"].get(rss) != simdjson::SUCCESS) {
      return 1;
    }
    (void)reference["seconds_total"].get(total);
    std::printf(
        "  %-18s evaluate+accumulate %8.3f s (huale / it = %.4f); with JSON loading "
        "%8.3f s (huale / it = %.4f); process peak %.1f MiB\n"
        "  %-18s AP %.6f; largest difference of the twelve numbers: %.3g (%s)\n",
        ref.name.c_str(), seconds, best / seconds, total, total > 0 ? best_total / total : -1.0,
        rss, "", summary.stats[0], worst, worst <= 1e-9 ? "agree" : "DISAGREE");
    if (worst > 1e-9) status = 1;
  }
  return status;
}

}  // namespace
}  // namespace huale

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  // CI's smoke run (it only keeps the benchmark working): 200 images.
  if (std::getenv("HUALE_BENCHMARK_SMOKE") != nullptr) huale::g_num_images = 200;
  std::string which = "pycocotools,faster_coco_eval";
  bool run_reference = true;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--images=", 0) == 0) {
      if (!absl::SimpleAtoi(arg.substr(9), &huale::g_num_images) || huale::g_num_images < 1) {
        std::fprintf(stderr, "--images expects a positive integer, found %s\n", arg.c_str());
        return 2;
      }
    } else if (arg.rfind("--references=", 0) == 0) {
      which = arg.substr(13);
    } else if (arg == "--noreference") {
      run_reference = false;
    } else {
      std::fprintf(stderr, "unknown flag %s (--images=N, --references=pycocotools,"
                   "faster_coco_eval,numpy, "
                   "--noreference, or Google Benchmark's)\n", arg.c_str());
      return 2;
    }
  }
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/coco_eval_benchmark_XXXXXX");
  if (mkdtemp(dir.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  huale::g_gt_path = dir + "/gt.json";
  huale::g_dt_path = dir + "/dt.json";
  huale::WriteSyntheticData(huale::g_gt_path, huale::g_dt_path);
  benchmark::RunSpecifiedBenchmarks();
  std::vector<huale::Reference> references;
  for (const absl::string_view name : absl::StrSplit(which, ',', absl::SkipEmpty())) {
    const std::string python = "/opt/huale/py/bin/python ";
    if (name == "numpy") {
      references.push_back({"numpy (ours)", python + "tools/coco_eval_numpy.py"});
    } else if (name == "pycocotools" || name == "faster_coco_eval") {
      references.push_back({std::string(name), absl::StrCat(python,
                            "tools/coco_eval_reference.py --impl ", name)});
    } else {
      std::fprintf(stderr, "--references: unknown '%s'\n", std::string(name).c_str());
      return 2;
    }
  }
  const int status = run_reference ? huale::CompareWithReferences(references) : 0;
  std::remove(huale::g_gt_path.c_str());
  std::remove(huale::g_dt_path.c_str());
  rmdir(dir.c_str());
  return status;
}
