// Runs a list of specs x seeds (resuming whatever is already done) and writes
// the comparison: a mean ± std table per cycle and over cycles, and a plot of the
// metric vs labelled images with one band per method.
//
//   bazel run -c opt //experiments:sweep -- --specs=fmnist_random,fmnist_huale --seeds=0,1,2
//
// Results: <output_dir of the first spec>/sweeps/<name (--name, default sweep)>/{summary.md, summary.csv,
// plot.svg, plot.png}. summary.md also holds each method's difference to the
// baseline, paired by seed, and its time per cycle. The baseline is the first
// spec of --specs (list the reference method first), or the spec named by
// --baseline. --report_only skips training and reports what exists.
//
// Exit codes: 0 done, 1 a run failed, 2 a spec or the command line is invalid
// (nothing was started).
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "experiments/command_line.h"
#include "experiments/exceptions.h"
#include "experiments/experiment_runner.h"
#include "experiments/launch.h"
#include "experiments/png_backend.h"
#include "experiments/process_setup.h"
#include "experiments/spec_loader.h"
#include "experiments/spec_validation.h"
#include "experiments/svg_backend.h"
#include "experiments/sweep_plot.h"
#include "experiments/sweep_report.h"
#include "glog/logging.h"
#include "huale/acquisition/acquisition_function.h"
#include "huale/core/atomic_file.h"
#include "huale/engine/run_folder.h"

ABSL_FLAG(std::string, specs, "", "Comma-separated specs (paths or names in experiments/specs/).");
ABSL_FLAG(std::string, seeds, "0,1,2", "Comma-separated seeds; each overrides the spec's seed.");
ABSL_FLAG(std::string, name, "sweep", "Names the report folder <output_dir>/sweeps/<name>.");
ABSL_FLAG(bool, report_only, false, "Do not run anything; report the finished cycles.");
ABSL_FLAG(std::string, baseline, "",
          "Method (spec name) the others are compared with, paired by seed; empty = the first "
          "spec of --specs.");
ABSL_FLAG(bool, extend, false,
          "A run folder may hold a run of its spec with fewer schedule.cycles: the run goes on "
          "to the spec's last cycle (run --extend). Without it such a run is an error.");
ABSL_FLAG(int, threads, 0,
          "Intra-op threads; 0 = the first spec's, else $HUALE_THREADS, else every core.");

namespace huale {
namespace {

struct Job {
  std::string method;
  uint64_t seed = 0;
  ExperimentPlan plan;
};

struct Sweep {
  std::vector<std::string> methods;  // spec names, in --specs order
  std::vector<Job> jobs;             // seeds outer, methods inner
  std::string baseline;
};

absl::StatusOr<std::vector<uint64_t>> ParseSeeds(const std::string& text) {
  std::vector<uint64_t> seeds;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    uint64_t seed = 0;
    if (!absl::SimpleAtoi(item, &seed)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--seeds: '", item, "' is not a non-negative integer"));
    }
    seeds.push_back(seed);
  }
  return seeds;
}

// One job per spec and seed, each validated before any work.
absl::Status AddJobs(const std::string& spec_name, const std::vector<uint64_t>& seeds,
                     Sweep& sweep) {
  absl::StatusOr<std::string> path = ResolveSpecPath(spec_name);
  if (!path.ok()) return path.status();
  SpecLocations locations;
  absl::StatusOr<ExperimentSpec> spec = LoadSpec(*path, &locations);
  if (!spec.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("malformed spec\n", spec.status().message()));
  }
  sweep.methods.push_back(spec->name());
  for (uint64_t seed : seeds) {
    spec->set_seed(seed);
    absl::StatusOr<ExperimentPlan> plan = ValidateSpec(*spec, *path, &locations);
    if (!plan.ok()) return plan.status();
    sweep.jobs.push_back({spec->name(), seed, *std::move(plan)});
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ChooseBaseline(const std::vector<std::string>& methods,
                                           const std::string& requested) {
  if (requested.empty()) return methods.front();
  if (std::find(methods.begin(), methods.end(), requested) != methods.end()) return requested;
  return absl::InvalidArgumentError(absl::StrCat("--baseline=", requested,
                                                 " is not the name of a spec in --specs (",
                                                 absl::StrJoin(methods, ", "), ")"));
}

absl::StatusOr<Sweep> PlanSweep() {
  const std::vector<std::string> spec_names =
      absl::StrSplit(absl::GetFlag(FLAGS_specs), ',', absl::SkipEmpty());
  absl::StatusOr<std::vector<uint64_t>> seeds = ParseSeeds(absl::GetFlag(FLAGS_seeds));
  if (!seeds.ok()) return seeds.status();
  if (spec_names.empty() || seeds->empty()) {
    return absl::InvalidArgumentError("need --specs=a,b,... and --seeds=0,1,...");
  }
  Sweep sweep;
  for (const std::string& name : spec_names) {
    if (absl::Status s = AddJobs(name, *seeds, sweep); !s.ok()) return s;
  }
  absl::StatusOr<std::string> baseline = ChooseBaseline(sweep.methods, absl::GetFlag(FLAGS_baseline));
  if (!baseline.ok()) return baseline.status();
  sweep.baseline = *baseline;
  // Seeds outer, methods inner: a partial sweep already compares every method.
  std::stable_sort(sweep.jobs.begin(), sweep.jobs.end(),
                   [](const Job& a, const Job& b) { return a.seed < b.seed; });
  return sweep;
}

// Runs (or with --report_only only reads) every job; the runs in --specs order.
// In a distributed sweep every rank runs every job; rank 0 alone reads the
// results (the others return none).
absl::StatusOr<std::vector<RunMetrics>> RunJobs(const Sweep& sweep, Collectives& group) {
  std::vector<RunMetrics> runs;
  for (size_t i = 0; i < sweep.jobs.size(); ++i) {
    const Job& job = sweep.jobs[i];
    if (!absl::GetFlag(FLAGS_report_only)) {
      if (group.is_main()) std::cerr << "=== [" << i + 1 << "/" << sweep.jobs.size() << "] " << job.method << " seed "
                << job.seed << "\n";
      absl::StatusOr<ExperimentData> data = LoadExperimentData(job.plan);
      // A sweep always continues what is there.
      LoopOptions options;
      options.resume = true;
      options.extend = absl::GetFlag(FLAGS_extend);
      options.collectives = &group;
      absl::Status status = data.ok() ? RunExperiment(job.plan, *data, options) : data.status();
      if (!status.ok()) {
        return absl::Status(status.code(), absl::StrCat(job.method, " seed ", job.seed, ": ",
                                                        status.message()));
      }
    }
    if (!group.is_main()) continue;
    absl::StatusOr<RunMetrics> metrics =
        LoadRunMetrics(job.plan.run_directory, job.method, job.seed);
    if (!metrics.ok()) return metrics.status();
    runs.push_back(*std::move(metrics));
  }
  auto rank = [&](const RunMetrics& run) {
    return std::find(sweep.methods.begin(), sweep.methods.end(), run.method) -
           sweep.methods.begin();
  };
  std::stable_sort(runs.begin(), runs.end(),
                   [&](const RunMetrics& a, const RunMetrics& b) { return rank(a) < rank(b); });
  return runs;
}

// Stage times and rates per method. A scoring rate means detector passes per
// pool image; an acquisition function that needs no detections runs none (runs
// of older builds recorded a meaningless rate for it).
std::vector<MethodTimings> Timings(const Sweep& sweep, const std::vector<RunMetrics>& runs) {
  std::vector<MethodTimings> timings = SummarizeTimings(runs);
  for (MethodTimings& row : timings) {
    const auto job = std::find_if(sweep.jobs.begin(), sweep.jobs.end(),
                                  [&](const Job& j) { return j.method == row.method; });
    const AcquisitionSpec& spec = job->plan.spec.acquisition();
    absl::StatusOr<std::unique_ptr<AcquisitionFunction>> acquisition =
        AcquisitionRegistry::Get().Create(spec.name(), spec);
    if (acquisition.ok() && !(*acquisition)->needs_detections()) {
      row.mean.erase("score_images_per_second");
    }
  }
  return timings;
}

// The primary metric's name as the first run's evaluation wrote it.
std::string MetricName(const Sweep& sweep) {
  const RunFolder first(sweep.jobs.front().plan.run_directory);
  absl::StatusOr<CycleMetrics> cycle0 = first.ReadCycleMetrics(0);
  return cycle0.ok() ? cycle0->primary_metric : "metric";
}

// summary.md: the per-cycle table, the paired differences (per image and at
// equal annotated boxes), the timings.
std::string SummaryTable(const Sweep& sweep, const std::vector<RunMetrics>& runs,
                         const std::string& metric_name) {
  const std::vector<MethodSummary> summaries = SummarizeRuns(runs);
  std::string table = SummaryMarkdown(summaries, metric_name);
  if (const std::string boxes = LabelledBoxesMarkdown(summaries); !boxes.empty()) {
    absl::StrAppend(&table, "\n", boxes);
  }
  const std::vector<PairedDifference> differences = PairedDifferences(runs, sweep.baseline);
  if (const std::string paired = PairedDifferenceMarkdown(differences, metric_name);
      !paired.empty()) {
    absl::StrAppend(&table, "\n", paired);
  }
  if (const std::string at_equal_boxes = EqualBoxesDifferenceMarkdown(differences, metric_name);
      !at_equal_boxes.empty()) {
    absl::StrAppend(&table, "\n", at_equal_boxes);
  }
  absl::StrAppend(&table, "\n", TimingsMarkdown(Timings(sweep, runs)));
  return table;
}

// Writes <report>/{summary.md, summary.csv}, and the plots against labelled
// images (plot.svg, plot.png) and against labelled boxes (plot_boxes.svg, .png).
absl::Status WriteReport(const std::string& report, const std::string& table,
                         const std::vector<MethodSummary>& summaries,
                         const std::string& metric_name) {
  std::vector<std::pair<std::string, std::string>> files = {
      {"summary.md", table}, {"summary.csv", SummaryCsv(summaries)}};
  for (const auto& [stem, axis] : {std::pair{"plot", SweepAxis::kLabelledImages},
                                   std::pair{"plot_boxes", SweepAxis::kLabelledBoxes}}) {
    const DisplayList plot = SweepPlot(summaries, absl::GetFlag(FLAGS_name), metric_name, axis);
    absl::StatusOr<std::string> png = RenderPng(plot);
    if (!png.ok()) return png.status();
    files.push_back({absl::StrCat(stem, ".svg"), RenderSvg(plot)});
    files.push_back({absl::StrCat(stem, ".png"), *std::move(png)});
  }
  for (const auto& [file, contents] : files) {
    if (absl::Status s = WriteFileAtomically(report + "/" + file, contents); !s.ok()) return s;
  }
  return absl::OkStatus();
}

int Fail(const absl::Status& status, int exit_code) {
  std::cerr << "error: " << status.message() << "\n";
  return exit_code;
}

int Main() {
  absl::StatusOr<Sweep> sweep = PlanSweep();
  if (!sweep.ok()) return Fail(sweep.status(), kExitUsage);
  torch::set_num_threads(
      ChooseThreadCount(absl::GetFlag(FLAGS_threads), sweep->jobs.front().plan.spec.threads()));
  absl::StatusOr<DistributedOptions> launch = LaunchOptions(sweep->jobs.front().plan.spec.device());
  if (!launch.ok()) return Fail(launch.status(), kExitUsage);
  const bool distributed = launch->world_size > 1;
  if (distributed && absl::GetFlag(FLAGS_report_only)) {
    return Fail(absl::InvalidArgumentError("--report_only runs nothing: start one process"),
                kExitUsage);
  }
  for (Job& job : sweep->jobs) job.plan.spec.set_device(launch->device);
  absl::StatusOr<std::unique_ptr<Collectives>> group = JoinLaunchGroup(*launch);
  if (!group.ok()) {
    Fail(group.status(), kExitUsage);
    if (distributed) ExitDistributed(kExitUsage);
    return kExitUsage;
  }
  absl::StatusOr<std::vector<RunMetrics>> runs = RunJobs(*sweep, **group);
  if (!runs.ok()) {
    Fail(runs.status(), 1);
    if (distributed) ExitDistributed(1);
    return 1;
  }
  if (!(*group)->is_main()) return 0;

  const std::string metric_name = MetricName(*sweep);
  const std::string table = SummaryTable(*sweep, *runs, metric_name);
  const std::string report = absl::StrCat(sweep->jobs.front().plan.spec.output_dir(), "/sweeps/",
                                          absl::GetFlag(FLAGS_name));
  if (absl::Status s = WriteReport(report, table, SummarizeRuns(*runs), metric_name); !s.ok()) {
    return Fail(s, 1);
  }
  std::cout << table << "\nreport: " << report
            << "/{summary.md,summary.csv,plot.svg,plot.png,plot_boxes.svg,plot_boxes.png}\n";
  return 0;
}

}  // namespace
}  // namespace huale

int main(int argc, char** argv) {
  huale::ReexecWithPassiveOpenMpWait(argv);
  huale::ParseFlagsOrExit(argc, argv,
                          "--specs=baseline,b,... --seeds=0,1,2 [--name=NAME] [--baseline=SPEC] "
                          "[--report_only]");
  FLAGS_logtostderr = true;
  google::InitGoogleLogging(argv[0]);
  return huale::RunMainCatchingExceptions(huale::Main);
}
