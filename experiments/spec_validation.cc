#include "experiments/spec_validation.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "experiments/spec_loader.h"
#include "huale/acquisition/acquisition_function.h"
#include "huale/core/registry.h"
#include "huale/data/dataset_format.h"
#include "huale/engine/annotator.h"
#include "huale/engine/device.h"
#include "huale/eval/evaluator.h"
#include "huale/losses/loss.h"
#include "huale/models/detector.h"

namespace huale {
namespace {

namespace fs = std::filesystem;

// Accumulates "field: problem" lines; the worst status code wins.
class Problems {
 public:
  explicit Problems(const SpecLocations* locations) : locations_(locations) {}

  // "file:line:column: field: problem" where the text has the field (or the
  // closest enclosing one), else "field: problem".
  void Add(absl::string_view field, absl::string_view problem,
           absl::StatusCode code = absl::StatusCode::kInvalidArgument) {
    const std::string at = locations_ == nullptr ? "" : LocationOf(*locations_, field);
    lines_.push_back(absl::StrCat(at, at.empty() ? "" : ": ", field, ": ", problem));
    if (code_ == absl::StatusCode::kOk || code == absl::StatusCode::kNotFound) code_ = code;
  }
  void Add(absl::string_view field, const absl::Status& status) {
    Add(field, status.message(), status.code());
  }
  bool empty() const { return lines_.empty(); }
  size_t size() const { return lines_.size(); }
  absl::Status ToStatus(absl::string_view spec_path) const {
    return absl::Status(code_, absl::StrCat(spec_path, ": invalid spec:\n  ",
                                            absl::StrJoin(lines_, "\n  ")));
  }

 private:
  const SpecLocations* locations_;
  std::vector<std::string> lines_;
  absl::StatusCode code_ = absl::StatusCode::kOk;
};

// A component's options live in a oneof whose field is named after the
// component ("eiou { ... }" goes with name: "eiou").
void CheckOptionsMatchName(const google::protobuf::Message& message, absl::string_view name,
                           absl::string_view field, Problems& problems) {
  const auto* descriptor = message.GetDescriptor();
  const auto* reflection = message.GetReflection();
  for (int i = 0; i < descriptor->oneof_decl_count(); ++i) {
    const auto* set = reflection->GetOneofFieldDescriptor(message, descriptor->oneof_decl(i));
    if (set != nullptr && set->name() != name) {
      problems.Add(field, absl::StrCat("options '", set->name(), " { ... }' do not belong to '",
                                       name, "'; use '", name, " { ... }' or none"));
    }
  }
}

void CheckComponent(absl::string_view family, const std::string& name,
                    absl::string_view field, Problems& problems) {
  if (name.empty()) {
    problems.Add(field, absl::StrCat("required: the name of a registered ", family));
    return;
  }
  if (absl::Status status = CheckRegistered(family, name); !status.ok()) {
    problems.Add(field, status);
  }
}

template <typename Number>
void CheckPositive(Number value, absl::string_view field, Problems& problems) {
  if (!(value > 0)) problems.Add(field, absl::StrCat("must be > 0, found ", value));
}

void CheckDevice(const std::string& device, Problems& problems) {
  if (absl::Status usable = CheckDeviceUsable(device); !usable.ok()) {
    problems.Add("device", usable.message());
  }
}

// `value` in [low, high] (a missing bound: -inf or +inf), finite; NaN fails.
void CheckRange(double value, double low, double high, absl::string_view field,
                absl::string_view meaning, Problems& problems) {
  if (std::isfinite(value) && value >= low && value <= high) return;
  std::string range;
  if (high == HUGE_VAL) {
    range = absl::StrCat("a finite value >= ", low);
  } else {
    range = absl::StrCat("a value in [", low, ", ", high, "]");
  }
  problems.Add(field, absl::StrCat("expected ", range, meaning.empty() ? "" : " ", meaning,
                                   ", found ", value));
}

void CheckTraining(const TrainingSpec& training, Problems& problems) {
  CheckPositive(training.epochs(), "training.epochs", problems);
  CheckPositive(training.batch_size(), "training.batch_size", problems);
  if (!(std::isfinite(training.learning_rate()) && training.learning_rate() > 0)) {
    problems.Add("training.learning_rate",
                 absl::StrCat("must be finite and > 0, found ", training.learning_rate()));
  }
  if (!(training.momentum() >= 0 && training.momentum() < 1)) {
    problems.Add("training.momentum", absl::StrCat("must be in [0, 1), found ",
                                                   training.momentum()));
  }
  CheckRange(training.weight_decay(), 0, HUGE_VAL, "training.weight_decay", "", problems);
  if (training.warmup_iterations() < 0) {
    problems.Add("training.warmup_iterations", "must be >= 0");
  }
  CheckRange(training.warmup_factor(), 0, 1, "training.warmup_factor",
             "(the learning rate's share at the first step)", problems);
  if (!(training.lr_gamma() > 0 && training.lr_gamma() <= 1)) {
    problems.Add("training.lr_gamma",
                 absl::StrCat("must be in (0, 1] (each of lr_steps multiplies the rate by it), "
                              "found ",
                              training.lr_gamma()));
  }
  if (training.iterations() < 0) {
    problems.Add("training.iterations",
                 absl::StrCat("must be >= 0 (0 = train `epochs`), found ", training.iterations()));
  }
  // lr_steps count epochs, or optimiser steps under an iteration budget.
  const bool in_iterations = training.iterations() > 0;
  const int last = in_iterations ? training.iterations() : training.epochs();
  int previous = 0;
  for (int step : training.lr_steps()) {
    if (step <= previous || step > last) {
      problems.Add("training.lr_steps",
                   absl::StrCat("must increase within 1..", in_iterations ? "iterations" : "epochs",
                                " (", last, "), found ", step));
    }
    previous = step;
  }
  CheckPositive(training.min_size(), "training.min_size", problems);
  if (training.max_size() < training.min_size()) {
    problems.Add("training.max_size", absl::StrCat("must be >= min_size (", training.min_size(),
                                                   "), found ", training.max_size()));
  }
  CheckRange(training.horizontal_flip_probability(), 0, 1,
             "training.horizontal_flip_probability", "", problems);
  CheckPositive(training.loader_threads(), "training.loader_threads", problems);
  CheckRange(training.clip_grad_norm(), 0, HUGE_VAL, "training.clip_grad_norm",
             "(0 = no clipping)", problems);
}

void CheckSchedule(const ScheduleSpec& schedule, Problems& problems) {
  CheckPositive(schedule.initial_size(), "schedule.initial_size", problems);
  CheckPositive(schedule.budget_per_cycle(), "schedule.budget_per_cycle", problems);
  CheckPositive(schedule.cycles(), "schedule.cycles", problems);
  if (schedule.pool_subset() < 0) {
    problems.Add("schedule.pool_subset", "must be >= 0 (0 = the whole pool)");
  } else if (schedule.pool_subset() > 0 && schedule.pool_subset() < schedule.budget_per_cycle()) {
    problems.Add("schedule.pool_subset",
                 absl::StrCat("must be 0 or >= budget_per_cycle (", schedule.budget_per_cycle(),
                              "), found ", schedule.pool_subset()));
  }
}

// Who labels, and how it reaches people: the annotator's factory checks what
// it needs (a server's URL and token), before anything is written.
void CheckLabelling(const ExperimentSpec& spec, Problems& problems) {
  const LabellingSpec& labelling = spec.labelling();
  CheckPositive(labelling.max_attempts(), "labelling.max_attempts", problems);
  CheckRange(labelling.retry_seconds(), 0, 3600, "labelling.retry_seconds", "", problems);
  CheckRange(labelling.poll_seconds(), 0.01, 86400, "labelling.poll_seconds", "", problems);
  CheckRange(labelling.prediction_score_threshold(), 0, 1, "labelling.prediction_score_threshold",
             "", problems);
  const std::string name = AnnotatorName(spec.schedule().annotator());
  CheckComponent("annotator", name, "schedule.annotator", problems);
  AnnotatorContext context;
  context.spec = spec;
  absl::StatusOr<std::unique_ptr<Annotator>> annotator =
      AnnotatorRegistry::Get().Create(name, context);
  if (!annotator.ok()) {
    problems.Add("schedule.annotator", annotator.status());
    return;
  }
  if ((*annotator)->labels_from_dataset()) {
    if (spec.dataset().unannotated_pool_images()) {
      problems.Add("dataset.unannotated_pool_images",
                   absl::StrCat("the pool's images are not all annotated, yet schedule.annotator "
                                "is ", ScheduleSpec::Annotator_Name(spec.schedule().annotator()),
                                ", which reads the pool's annotations (people must label: "
                                "LABEL_STUDIO or FILES)"));
    }
    return;
  }
  if (!spec.acquisition().name().empty()) {
    auto acquisition =
        AcquisitionRegistry::Get().Create(spec.acquisition().name(), spec.acquisition());
    if (acquisition.ok() && (*acquisition)->needs_ground_truth()) {
      problems.Add("acquisition.name",
                   absl::StrCat("'", spec.acquisition().name(), "' reads the pool's ground truth, "
                                "which people labelling (schedule.annotator: ",
                                ScheduleSpec::Annotator_Name(spec.schedule().annotator()),
                                ") do not have"));
    }
  }
}

// A component's factory is the validator of its options. Its complaint
// "<OptionsMessage>.<field>: <problem>" is reported under the spec path of that
// field ("acquisition.huale.retrieval_ratio: <problem>"); anything else under
// `component_field`.
void AddFactoryProblem(const google::protobuf::Message& component, absl::string_view prefix,
                       absl::string_view component_field, const absl::Status& status,
                       Problems& problems) {
  const auto* descriptor = component.GetDescriptor();
  const auto* reflection = component.GetReflection();
  const absl::string_view message = status.message();
  const size_t colon = message.find(": ");
  // "EvaluationSpec.score_threshold: ..." from a factory taking the whole message.
  const std::string own_prefix = absl::StrCat(descriptor->name(), ".");
  if (absl::StartsWith(message, own_prefix) && colon != absl::string_view::npos) {
    problems.Add(absl::StrCat(prefix, ".", message.substr(own_prefix.size(),
                                                          colon - own_prefix.size())),
                 message.substr(colon + 2), status.code());
    return;
  }
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const auto* field = descriptor->field(i);
    if (field->message_type() == nullptr || field->is_repeated() ||
        !reflection->HasField(component, field)) {
      continue;
    }
    const std::string options_prefix = absl::StrCat(field->message_type()->name(), ".");
    if (absl::StartsWith(message, options_prefix) && colon != absl::string_view::npos) {
      problems.Add(absl::StrCat(prefix, ".", field->name(), ".",
                                message.substr(options_prefix.size(),
                                               colon - options_prefix.size())),
                   message.substr(colon + 2), status.code());
      return;
    }
  }
  problems.Add(component_field, status);
}

// Builds the acquisition function, the evaluator and the model (from its
// config, without its weights, with the RoI losses attached) the way the run
// will, so their factories' checks run before any work.
void BuildComponents(const ExperimentSpec& spec, int num_classes, Problems& problems) {
  if (!spec.acquisition().name().empty()) {
    auto acquisition =
        AcquisitionRegistry::Get().Create(spec.acquisition().name(), spec.acquisition());
    if (!acquisition.ok()) {
      AddFactoryProblem(spec.acquisition(), "acquisition", "acquisition", acquisition.status(),
                        problems);
    }
  }
  auto evaluator = EvaluatorRegistry::Get().Create(spec.evaluation().metric(), spec.evaluation());
  if (!evaluator.ok()) {
    AddFactoryProblem(spec.evaluation(), "evaluation", "evaluation", evaluator.status(),
                      problems);
  }
  if (spec.model().name().empty()) return;
  ModelSpec config = spec.model();
  config.clear_weights();
  config.clear_backbone_weights();
  auto model = ModelRegistry::Get().Create(config.name(), config, std::max(1, num_classes));
  if (!model.ok()) {
    AddFactoryProblem(config, "model", "model", model.status(), problems);
    return;
  }
  const std::vector<LossSpec> losses(spec.losses().begin(), spec.losses().end());
  if (absl::Status attached = (*model)->SetRoiLosses(losses); !attached.ok()) {
    problems.Add("losses", attached);
  }
}

// Roles of the RoI head's losses: one classification, one box regression.
std::vector<std::string> CheckLosses(const ExperimentSpec& spec, Problems& problems) {
  std::vector<std::string> roles;
  int classification = 0, box_regression = 0;
  for (int i = 0; i < spec.losses_size(); ++i) {
    const LossSpec& loss = spec.losses(i);
    const std::string field = absl::StrCat("losses[", i, "]");
    CheckOptionsMatchName(loss, loss.name(), field, problems);
    CheckRange(loss.weight(), 0, HUGE_VAL, field + ".weight", "", problems);
    absl::StatusOr<std::unique_ptr<Loss>> built = LossRegistry::Get().Create(loss.name(), loss);
    if (!built.ok()) {
      AddFactoryProblem(loss, field, field + ".name", built.status(), problems);
      roles.push_back("?");
      continue;
    }
    switch ((*built)->role()) {
      case LossRole::kClassification:
        ++classification;
        roles.push_back("classification");
        break;
      case LossRole::kBoxRegression:
        ++box_regression;
        roles.push_back("box regression");
        break;
      case LossRole::kAuxiliary:
        roles.push_back("auxiliary");
        break;
    }
    if ((*built)->needs_iou_head() && !spec.model().faster_rcnn().iou_head()) {
      problems.Add(field, absl::StrCat("loss '", loss.name(),
                                       "' needs the IoU head: set model.faster_rcnn.iou_head: true"));
    }
  }
  if (classification != 1 || box_regression != 1) {
    problems.Add("losses", absl::StrCat("need exactly one classification loss and one box-"
                                        "regression loss, found ",
                                        classification, " and ", box_regression));
  }
  return roles;
}

// Reads the pool split when the data is there (its size feeds the schedule
// check, its classes the model) and checks that the test split is available.
void CheckDataset(const ExperimentSpec& spec, ExperimentPlan& plan, Problems& problems) {
  const DatasetSpec& dataset = spec.dataset();
  CheckComponent(DatasetFormat::kFamily, dataset.format(), "dataset.format", problems);
  CheckRange(dataset.max_skipped_image_share(), 0, 1, "dataset.max_skipped_image_share", "",
             problems);
  if (dataset.root().empty()) {
    problems.Add("dataset.root", "required: the dataset's root directory");
    return;
  }
  if (!fs::is_directory(dataset.root())) {
    std::string how = dataset.how_to_obtain().empty()
                          ? "see README.md, section Data"
                          : dataset.how_to_obtain();
    problems.Add("dataset.root",
                 absl::StrCat("data not found: no directory ", dataset.root(), ". ", how),
                 absl::StatusCode::kNotFound);
    return;
  }
  auto format = DatasetFormatRegistry::Get().Create(dataset.format());
  if (!format.ok()) return;  // reported above
  if (dataset.unannotated_pool_images() && !(*format)->reads_unannotated_images()) {
    problems.Add("dataset.unannotated_pool_images",
                 absl::StrCat("the '", dataset.format(), "' format cannot read images without "
                              "annotations (list them with no annotations instead)"));
  }
  if (absl::Status available = (*format)->CheckAvailable(dataset, dataset.test_split());
      !available.ok()) {
    problems.Add("dataset.test_split", available);
  }
  if (absl::Status available = (*format)->CheckAvailable(dataset, dataset.pool_split());
      !available.ok()) {
    problems.Add("dataset.pool_split", available);
    return;
  }
  absl::StatusOr<Dataset> pool = (*format)->Read(dataset, dataset.pool_split());
  if (!pool.ok()) {
    problems.Add("dataset.pool_split", pool.status());
    return;
  }
  plan.pool_images = static_cast<int>(pool->images.size());
  plan.num_classes = static_cast<int>(pool->class_names.size());
  if (plan.pool_images == 0) {
    problems.Add("dataset.pool_split",
                 absl::StrCat("split '", dataset.pool_split(), "' has no images"));
  }
}

}  // namespace

void ApplyRepeatedDefaults(ExperimentSpec& spec) {
  TrainingSpec& training = *spec.mutable_training();
  if (training.lr_steps_size() == 0) {
    // CALD's 20-epoch schedule, scaled to the spec's epochs (or iteration
    // budget): x0.1 at 80% and 95%.
    const int length = training.iterations() > 0 ? training.iterations() : training.epochs();
    const int first = std::max(1, static_cast<int>(length * 0.8));
    const int second = std::max(first + 1, static_cast<int>(length * 0.95));
    training.add_lr_steps(first);
    if (second <= length) training.add_lr_steps(second);
  }
}

absl::StatusOr<ExperimentPlan> ValidateSpec(const ExperimentSpec& given,
                                            const std::string& spec_path,
                                            const SpecLocations* locations) {
  ExperimentPlan plan;
  plan.as_written = given;
  plan.spec = WithUserPaths(given);
  plan.spec_path = spec_path;
  ExperimentSpec& spec = plan.spec;
  ApplyRepeatedDefaults(spec);
  Problems problems(locations);

  if (spec.name().empty()) {
    problems.Add("name", "required: names the run folder");
  } else if (spec.name().find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                           "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") !=
             std::string::npos) {
    problems.Add("name", absl::StrCat("use letters, digits, '_', '-' or '.', found \"",
                                      spec.name(), "\""));
  }
  CheckDevice(spec.device(), problems);
  if (spec.threads() < 0) problems.Add("threads", "must be >= 0 (0 = all cores)");

  if (!spec.has_dataset()) problems.Add("dataset", "required");
  CheckDataset(spec, plan, problems);

  const size_t problems_before_components = problems.size();
  CheckComponent("model", spec.model().name(), "model.name", problems);
  if (!spec.model().weights().empty()) {
    if (!fs::is_regular_file(spec.model().weights())) {
      problems.Add("model.weights", absl::StrCat("no file ", spec.model().weights(),
                                                 " (export one with tools/export_torchvision.py)"),
                   absl::StatusCode::kNotFound);
    }
  }
  if (!spec.model().backbone_weights().empty() &&
      !fs::is_regular_file(spec.model().backbone_weights())) {
    problems.Add("model.backbone_weights",
                 absl::StrCat("no file ", spec.model().backbone_weights(),
                              " (write one with //tools:pretrain_backbone)"),
                 absl::StatusCode::kNotFound);
  }
  plan.loss_roles = CheckLosses(spec, problems);

  CheckComponent("acquisition function", spec.acquisition().name(), "acquisition.name",
                 problems);
  CheckOptionsMatchName(spec.acquisition(), spec.acquisition().name(), "acquisition", problems);
  CheckComponent("evaluator", spec.evaluation().metric(), "evaluation.metric", problems);

  CheckSchedule(spec.schedule(), problems);
  CheckTraining(spec.training(), problems);
  CheckLabelling(spec, problems);
  // Only components whose names and option blocks passed: the factories' own
  // checks, not the same complaint twice.
  if (problems.size() == problems_before_components) {
    BuildComponents(spec, std::max(plan.num_classes, 1), problems);
  }

  const ScheduleSpec& schedule = spec.schedule();
  for (int cycle = 0; cycle < std::max(0, schedule.cycles()); ++cycle) {
    // 64 bits: a refused out-of-range budget must not overflow on the way.
    plan.labelled_per_cycle.push_back(int64_t{schedule.initial_size()} +
                                      int64_t{cycle} * schedule.budget_per_cycle());
  }
  if (plan.pool_images > 0 && !plan.labelled_per_cycle.empty() &&
      plan.labelled_per_cycle.back() > plan.pool_images) {
    problems.Add("schedule.cycles",
                 absl::StrCat(schedule.cycles(), " cycles need ", plan.labelled_per_cycle.back(),
                              " labelled images but the pool split '",
                              spec.dataset().pool_split(), "' has ", plan.pool_images));
  }

  plan.run_directory = absl::StrCat(spec.output_dir(), "/", spec.name(), "/seed", spec.seed());
  if (!problems.empty()) return problems.ToStatus(spec_path);
  return plan;
}

std::string DescribePlan(const ExperimentPlan& plan) {
  const ExperimentSpec& spec = plan.spec;
  std::string out = absl::StrFormat("Experiment %s (seed %d, device %s)\n  spec: %s\n",
                                    spec.name(), spec.seed(), spec.device(), plan.spec_path);
  absl::StrAppendFormat(&out, "  data: %s at %s\n    pool '%s': %d images, %d classes; test '%s'\n",
                        spec.dataset().format(), spec.dataset().root(),
                        spec.dataset().pool_split(), plan.pool_images, plan.num_classes,
                        spec.dataset().test_split());
  const auto& model = spec.model();
  std::string initialisation;  // backbone_weights loads first, weights wins (model_spec.proto)
  if (!model.backbone_weights().empty()) {
    initialisation = absl::StrCat("backbone body ", model.backbone_weights());
  }
  if (!model.weights().empty()) {
    initialisation = absl::StrCat(initialisation, initialisation.empty() ? "" : ", then ",
                                  "weights ", model.weights());
  } else {
    initialisation = initialisation.empty() ? "random initialisation"
                                            : absl::StrCat(initialisation, "; FPN and heads random");
  }
  absl::StrAppendFormat(&out, "  model: %s (%s)\n", model.name(), initialisation);
  out += "  losses (RoI head; RPN losses fixed):\n";
  for (int i = 0; i < spec.losses_size(); ++i) {
    absl::StrAppendFormat(&out, "    %-14s weight %-6g %s\n", spec.losses(i).name(),
                          spec.losses(i).weight(), plan.loss_roles[i]);
  }
  absl::StrAppendFormat(&out, "  acquisition: %s\n", spec.acquisition().name());
  const TrainingSpec& t = spec.training();
  const bool in_iterations = t.iterations() > 0;
  const char* unit = in_iterations ? "iterations" : "epochs";
  absl::StrAppendFormat(&out,
                        "  training: %d %s, batch %d, lr %g (momentum %g, wd %g, warm-up %d "
                        "it), lr x%g at %s %s, images %d/%d\n",
                        in_iterations ? t.iterations() : t.epochs(), unit, t.batch_size(),
                        t.learning_rate(), t.momentum(), t.weight_decay(), t.warmup_iterations(),
                        t.lr_gamma(), unit, absl::StrJoin(t.lr_steps(), ","), t.min_size(),
                        t.max_size());
  absl::StrAppendFormat(&out, "  evaluation: %s\n", spec.evaluation().metric());
  const ScheduleSpec& s = spec.schedule();
  absl::StrAppendFormat(&out, "  schedule: %d cycles, %s, pool scored per cycle: %s\n",
                        s.cycles(),
                        s.reinitialize_each_cycle() ? "re-initialised each cycle" : "warm start",
                        s.pool_subset() == 0 ? std::string("all unlabelled")
                                             : absl::StrCat(s.pool_subset(), " (seeded subset)"));
  for (size_t cycle = 0; cycle < plan.labelled_per_cycle.size(); ++cycle) {
    absl::StrAppendFormat(&out, "    cycle %d: train on %d labelled%s\n", cycle,
                          plan.labelled_per_cycle[cycle],
                          cycle + 1 < plan.labelled_per_cycle.size()
                              ? absl::StrCat(", select ", s.budget_per_cycle())
                              : std::string());
  }
  absl::StrAppendFormat(&out, "  results: %s\n", plan.run_directory);
  return out;
}

}  // namespace huale
