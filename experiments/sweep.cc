// Runs a list of specs x seeds (resuming whatever is already done) and writes
// the comparison: a mean ± std table per cycle and over cycles, and a plot of the
// metric vs labelled images with one band per method.
//
//   bazel run -c opt //experiments:sweep -- \
//       --specs=fmnist_huale,fmnist_random --seeds=0,1,2 --name=fmnist
//
// Results: <output_dir of the first spec>/sweeps/<name>/{summary.md, summary.csv,
// plot.svg, plot.png}. summary.md also holds each method's difference to the
// baseline (--baseline), paired by seed, and its time per cycle. --report_only skips training and reports
// what exists.
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "experiments/png_backend.h"
#include "experiments/process_setup.h"
#include "experiments/spec_loader.h"
#include "experiments/spec_validation.h"
#include "experiments/svg_backend.h"
#include "experiments/sweep_plot.h"
#include "experiments/sweep_report.h"
#include "gflags/gflags.h"
#include "glog/logging.h"
#include "huale/acquisition/acquisition_function.h"
#include "huale/core/atomic_file.h"
#include "huale/engine/active_learning_loop.h"
#include "huale/engine/run_folder.h"

DEFINE_string(specs, "", "Comma-separated specs (paths or names in experiments/specs/).");
DEFINE_string(seeds, "0,1,2", "Comma-separated seeds; each overrides the spec's seed.");
DEFINE_string(name, "sweep", "Names the report folder <output_dir>/sweeps/<name>.");
DEFINE_bool(report_only, false, "Do not run anything; report the finished cycles.");
DEFINE_string(baseline, "",
              "Method (spec name) the others are compared with, paired by seed; empty = the "
              "first spec whose acquisition is \"random\".");
DEFINE_int32(threads, 0, "Intra-op threads; 0 = the first spec's, else $HUALE_THREADS, else every core.");

namespace huale {
namespace {

constexpr int kExitInvalid = 2;

struct Job {
  std::string method;
  uint64_t seed = 0;
  ExperimentPlan plan;
};

int Main() {
  std::vector<std::string> spec_names = absl::StrSplit(FLAGS_specs, ',', absl::SkipEmpty());
  std::vector<uint64_t> seeds;
  for (absl::string_view text : absl::StrSplit(FLAGS_seeds, ',', absl::SkipEmpty())) {
    uint64_t seed = 0;
    if (!absl::SimpleAtoi(text, &seed)) {
      std::cerr << "error: --seeds: '" << text << "' is not a non-negative integer\n";
      return kExitInvalid;
    }
    seeds.push_back(seed);
  }
  if (spec_names.empty() || seeds.empty()) {
    std::cerr << "error: need --specs=a,b,... and --seeds=0,1,...\n";
    return kExitInvalid;
  }

  // Validate everything before any work.
  std::vector<Job> jobs;
  for (const std::string& name : spec_names) {
    absl::StatusOr<std::string> path = ResolveSpecPath(name);
    if (!path.ok()) {
      std::cerr << "error: " << path.status().message() << "\n";
      return kExitInvalid;
    }
    absl::StatusOr<ExperimentSpec> spec = LoadSpec(*path);
    if (!spec.ok()) {
      std::cerr << "error: malformed spec\n" << spec.status().message() << "\n";
      return kExitInvalid;
    }
    for (uint64_t seed : seeds) {
      spec->set_seed(seed);
      absl::StatusOr<ExperimentPlan> plan = ValidateSpec(*spec, *path);
      if (!plan.ok()) {
        std::cerr << "error: " << plan.status().message() << "\n";
        return kExitInvalid;
      }
      jobs.push_back({spec->name(), seed, *std::move(plan)});
    }
  }
  if (!FLAGS_baseline.empty() &&
      std::none_of(jobs.begin(), jobs.end(),
                   [](const Job& job) { return job.method == FLAGS_baseline; })) {
    std::cerr << "error: --baseline=" << FLAGS_baseline << " is not the name of a spec in --specs\n";
    return kExitInvalid;
  }

  torch::set_num_threads(ChooseThreadCount(FLAGS_threads, jobs.front().plan.spec.threads()));

  // Seeds outer, methods inner: a partial sweep already compares every method.
  std::stable_sort(jobs.begin(), jobs.end(),
                   [](const Job& a, const Job& b) { return a.seed < b.seed; });
  std::vector<RunMetrics> runs;
  for (size_t i = 0; i < jobs.size(); ++i) {
    const Job& job = jobs[i];
    if (!FLAGS_report_only) {
      std::cerr << "=== [" << i + 1 << "/" << jobs.size() << "] " << job.method << " seed "
                << job.seed << "\n";
      LoopOptions options;
      options.resume = true;  // a sweep always continues what is there
      absl::Status status = RunActiveLearning(job.plan.spec, *job.plan.pool, *job.plan.test,
                                              job.plan.run_directory, options);
      if (!status.ok()) {
        std::cerr << "error: " << job.method << " seed " << job.seed << ": " << status.message()
                  << "\n";
        return 1;
      }
    }
    absl::StatusOr<RunMetrics> metrics =
        LoadRunMetrics(job.plan.run_directory, job.method, job.seed);
    if (!metrics.ok()) {
      std::cerr << "error: " << metrics.status().message() << "\n";
      return 1;
    }
    runs.push_back(*std::move(metrics));
  }

  // Report in spec order.
  std::stable_sort(runs.begin(), runs.end(), [&](const RunMetrics& a, const RunMetrics& b) {
    auto rank = [&](const std::string& method) {
      for (size_t i = 0; i < jobs.size(); ++i) {
        if (jobs[i].method == method) return i;
      }
      return jobs.size();
    };
    return rank(a.method) < rank(b.method);
  });
  const std::vector<MethodSummary> summaries = SummarizeRuns(runs);
  std::string metric_name = "metric";
  if (absl::StatusOr<CycleMetrics> first = RunFolder(jobs.front().plan.run_directory).ReadCycleMetrics(0);
      first.ok()) {
    metric_name = first->primary_metric;
  }
  const std::string report = absl::StrCat(jobs.front().plan.spec.output_dir(), "/sweeps/", FLAGS_name);
  std::string baseline = FLAGS_baseline;
  for (size_t i = 0; i < jobs.size() && baseline.empty(); ++i) {
    if (jobs[i].plan.spec.acquisition().name() == "random") baseline = jobs[i].method;
  }
  std::string table = SummaryMarkdown(summaries, metric_name);
  if (const std::string paired =
          PairedDifferenceMarkdown(PairedDifferences(runs, baseline), metric_name);
      !paired.empty()) {
    absl::StrAppend(&table, "\n", paired);
  }
  std::vector<MethodTimings> timings = SummarizeTimings(runs);
  for (MethodTimings& row : timings) {
    // A scoring rate means detector passes per pool image; random selection
    // runs none (runs of older builds recorded a meaningless rate for it).
    const auto job = std::find_if(jobs.begin(), jobs.end(),
                                  [&](const Job& j) { return j.method == row.method; });
    absl::StatusOr<std::unique_ptr<AcquisitionFunction>> acquisition =
        AcquisitionRegistry::Get().Create(job->plan.spec.acquisition().name(),
                                          job->plan.spec.acquisition());
    if (acquisition.ok() && !(*acquisition)->needs_detections()) {
      row.mean.erase("score_images_per_second");
    }
  }
  absl::StrAppend(&table, "\n", TimingsMarkdown(timings));
  for (const auto& [file, contents] :
       {std::pair<std::string, std::string>{"summary.md", table},
        {"summary.csv", SummaryCsv(summaries)},
        {"plot.svg", RenderSvg(SweepPlot(summaries, FLAGS_name, metric_name))}}) {
    if (absl::Status s = WriteFileAtomically(report + "/" + file, contents); !s.ok()) {
      std::cerr << "error: " << s.message() << "\n";
      return 1;
    }
  }
  absl::StatusOr<std::string> png = RenderPng(SweepPlot(summaries, FLAGS_name, metric_name));
  absl::Status s = png.ok() ? WriteFileAtomically(report + "/plot.png", *png) : png.status();
  if (!s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 1;
  }
  std::cout << table << "\nreport: " << report << "/{summary.md,summary.csv,plot.svg,plot.png}\n";
  return 0;
}

}  // namespace
}  // namespace huale

int main(int argc, char** argv) {
  huale::ReexecWithPassiveOpenMpWait(argv);
  gflags::SetUsageMessage("--specs=a,b --seeds=0,1,2 [--name=NAME] [--report_only]");
  gflags::ParseCommandLineFlags(&argc, &argv, /*remove_flags=*/true);
  FLAGS_logtostderr = true;
  google::InitGoogleLogging(argv[0]);
  return huale::Main();
}
