// The huale driver: runs one experiment spec (HUALE, a baseline or an ablation).
//
//   bazel run //experiments:run -- --spec=fmnist_huale.pbtxt
//   bazel run //experiments:run -- --spec=voc07_huale --dry_run
//   bazel run //experiments:run -- --list
//   torchrun --nproc-per-node=2 --no-python bazel-bin/experiments/run --spec=...
//     (several processes: see launch.h and the README)
//
// Exit codes: 0 done, 1 the run failed, 2 the spec or command line is invalid
// (nothing was started), 3 waiting for people to label a batch (--resume
// continues).
#include <iostream>
#include <map>
#include <string>

#include <torch/torch.h>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "experiments/command_line.h"
#include "experiments/exceptions.h"
#include "experiments/experiment_runner.h"
#include "experiments/launch.h"
#include "experiments/process_setup.h"
#include "experiments/spec_loader.h"
#include "experiments/spec_validation.h"
#include "glog/logging.h"
#include "huale/core/registry.h"
#include "huale/engine/annotator.h"

ABSL_FLAG(std::string, spec, "",
          "Experiment spec: a .pbtxt path, or a bare name in experiments/specs/.");
ABSL_FLAG(bool, list, false, "Print every registered component with its description and exit.");
ABSL_FLAG(bool, resume, false,
          "Continue the run folder of this spec (after a crash or kill): finished stages are "
          "skipped, training restarts from the last complete epoch.");
ABSL_FLAG(bool, extend, false,
          "As --resume, and the run folder may hold a run of this spec with fewer "
          "schedule.cycles: the run goes on to the spec's last cycle (the finished cycles are "
          "kept; it ends as a run started with the longer schedule would) and spec.pbtxt "
          "records the spec given.");
ABSL_FLAG(int, threads, 0,
          "Intra-op threads for LibTorch; 0 = the spec's `threads`, else $HUALE_THREADS, "
          "else every core.");
ABSL_FLAG(bool, dry_run, false,
          "Parse and validate the spec against the registries and the filesystem, print the "
          "plan, and exit without training.");
ABSL_FLAG(bool, wait, false,
          "People labelling (schedule.annotator LABEL_STUDIO or FILES): wait until each batch "
          "is labelled, looking every labelling.poll_seconds, instead of stopping with exit "
          "code 3 until --resume.");
ABSL_FLAG(std::string, label_studio_url, "",
          "Label Studio server, e.g. http://localhost:8080 (else $LABEL_STUDIO_URL). Never "
          "written to the run folder.");
ABSL_FLAG(std::string, label_studio_token, "",
          "Label Studio access token (else $LABEL_STUDIO_API_KEY). Never written to the run "
          "folder.");

namespace huale {
namespace {

constexpr int kExitInvalid = 2;


void PrintComponents() {
  std::string family;
  for (const ComponentInfo& info : AllRegisteredComponents()) {
    if (info.family != family) {
      family = info.family;
      std::cout << family << ":\n";
    }
    std::cout << absl::StrFormat("  %-26s %s\n", info.name, info.description);
  }
}

int Main() {
  // The annotator reads the server and token from the environment (flags win).
  if (!absl::GetFlag(FLAGS_label_studio_url).empty()) {
    setenv("LABEL_STUDIO_URL", absl::GetFlag(FLAGS_label_studio_url).c_str(), 1);
  }
  if (!absl::GetFlag(FLAGS_label_studio_token).empty()) {
    setenv("LABEL_STUDIO_API_KEY", absl::GetFlag(FLAGS_label_studio_token).c_str(), 1);
  }
  if (absl::GetFlag(FLAGS_list)) {
    PrintComponents();
    return 0;
  }
  absl::StatusOr<std::string> spec_path = ResolveSpecPath(absl::GetFlag(FLAGS_spec));
  if (!spec_path.ok()) {
    std::cerr << "error: " << spec_path.status().message() << "\n";
    return kExitInvalid;
  }
  SpecLocations locations;
  absl::StatusOr<ExperimentSpec> spec = LoadSpec(*spec_path, &locations);
  if (!spec.ok()) {
    std::cerr << "error: malformed spec\n" << spec.status().message() << "\n";
    return kExitInvalid;
  }
  absl::StatusOr<ExperimentPlan> plan = ValidateSpec(*spec, *spec_path, &locations);
  if (!plan.ok()) {
    std::cerr << "error: " << plan.status().message() << "\n";
    return kExitInvalid;
  }
  if (absl::GetFlag(FLAGS_dry_run)) {
    std::cout << DescribePlan(*plan);
    return 0;
  }
  absl::StatusOr<DistributedOptions> launch = LaunchOptions(plan->spec.device());
  if (!launch.ok()) {
    std::cerr << "error: " << launch.status().message() << "\n";
    return kExitInvalid;
  }
  plan->spec.set_device(launch->device);
  const bool distributed = launch->world_size > 1;
  absl::StatusOr<std::unique_ptr<Collectives>> group = JoinLaunchGroup(*launch);
  if (!group.ok()) {
    std::cerr << "error: " << group.status().message() << "\n";
    if (distributed) ExitDistributed(kExitInvalid);
    return kExitInvalid;
  }
  if ((*group)->is_main()) std::cout << DescribePlan(*plan);
  torch::set_num_threads(ChooseThreadCount(absl::GetFlag(FLAGS_threads), plan->spec.threads()));
  absl::StatusOr<ExperimentData> data = LoadExperimentData(*plan);
  if (!data.ok()) {
    std::cerr << "error: " << plan->spec_path << ": " << data.status().message() << "\n";
    if (distributed) ExitDistributed(kExitInvalid);
    return kExitInvalid;
  }
  LoopOptions options;
  options.extend = absl::GetFlag(FLAGS_extend);
  options.resume = absl::GetFlag(FLAGS_resume) || options.extend;
  options.collectives = group->get();
  options.wait_for_labels = absl::GetFlag(FLAGS_wait);
  absl::Status status = RunExperiment(*plan, *data, options);
  if (IsWaitingForLabels(status)) {
    // Not a failure: people have work to do; --resume continues.
    std::cerr << status.message() << "\n";
    if (distributed) ExitDistributed(kExitWaitingForLabels);
    return kExitWaitingForLabels;
  }
  if (!status.ok()) {
    std::cerr << "error: " << status.message() << "\n";
    const int code = status.code() == absl::StatusCode::kAlreadyExists ? kExitInvalid : 1;
    if (distributed) ExitDistributed(code);
    return code;
  }
  return 0;
}

}  // namespace
}  // namespace huale

int main(int argc, char** argv) {
  huale::ReexecWithPassiveOpenMpWait(argv);
  huale::ParseFlagsOrExit(argc, argv,
                          "--spec=NAME.pbtxt [--dry_run] [--resume | --extend] [--wait] | --list");
  FLAGS_logtostderr = true;
  google::InitGoogleLogging(argv[0]);
  return huale::RunMainCatchingExceptions(huale::Main);
}
