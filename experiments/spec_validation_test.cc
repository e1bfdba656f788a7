// Every registered component's factory refuses an out-of-range option, and
// validation reports it under the field's spec path before any work. The table
// must name every registered component: registering one without a row (or
// without saying it takes no options) fails CoversEveryRegisteredComponent.
#include "experiments/spec_validation.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "experiments/spec_loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "huale/acquisition/acquisition_function.h"
#include "huale/data/dataset_format.h"
#include "huale/eval/evaluator.h"
#include "huale/losses/loss.h"
#include "huale/models/detector.h"

namespace huale {
namespace {

using ::testing::HasSubstr;

struct OutOfRange {
  std::string family;
  std::string name;
  // Replaces @ACQUISITION@, @LOSSES@, @EVALUATION@ or @MODEL@ in kBase; nullopt:
  // the component takes no options (its factory has nothing to check).
  std::optional<std::string> slot;
  std::string text;
  std::string field_path;  // expected in the message, followed by ": "
};

constexpr char kBase[] = R"pb(
  name: "table"
  dataset { format: "voc" root: "/nonexistent/huale_table_test" }
  @MODEL@
  @LOSSES@
  @ACQUISITION@
  @EVALUATION@
)pb";

const char kModel[] = R"pb(model { name: "fasterrcnn_small_fpn" })pb";
const char kLosses[] = R"pb(losses { name: "cross_entropy" } losses { name: "smooth_l1" })pb";
const char kAcquisition[] = R"pb(acquisition { name: "random" })pb";
const char kEvaluation[] = R"pb(evaluation { metric: "voc07" })pb";

std::string Model(const std::string& name) {
  return absl::StrCat("model { name: \"", name, "\" faster_rcnn { fpn_channels: 0 } }");
}
std::string Evaluation(const std::string& metric) {
  return absl::StrCat("evaluation { metric: \"", metric, "\" score_threshold: 2 }");
}

const std::vector<OutOfRange>& Table() {
  static const auto* table = new std::vector<OutOfRange>{
      {"acquisition", "random", std::nullopt, "", ""},
      {"acquisition", "oracle_class_balanced", std::nullopt, "", ""},
      {"acquisition", "core_set", std::nullopt, "", ""},
      {"acquisition", "entropy", "@ACQUISITION@",
       R"pb(acquisition { name: "entropy" entropy { confident_score: 2 } })pb",
       "acquisition.entropy.confident_score"},
      {"acquisition", "cald", "@ACQUISITION@",
       R"pb(acquisition { name: "cald" cald { retrieval_ratio: 0.5 } })pb",
       "acquisition.cald.retrieval_ratio"},
      {"acquisition", "hua", "@ACQUISITION@",
       R"pb(acquisition { name: "hua" hua { unit_iou: -1 } })pb", "acquisition.hua.unit_iou"},
      {"acquisition", "huale", "@ACQUISITION@",
       R"pb(acquisition { name: "huale" huale { entropy { confident_score: -0.5 } } })pb",
       "acquisition.huale.entropy.confident_score"},
      {"acquisition", "flat", "@ACQUISITION@",
       R"pb(acquisition { name: "flat" flat { box_min_score: 1.5 } })pb",
       "acquisition.flat.box_min_score"},
      {"loss", "cross_entropy", "@LOSSES@",
       R"pb(losses { name: "cross_entropy" cross_entropy { label_smoothing: 1 } }
            losses { name: "smooth_l1" })pb",
       "losses[0].cross_entropy.label_smoothing"},
      {"loss", "smooth_l1", "@LOSSES@",
       R"pb(losses { name: "cross_entropy" }
            losses { name: "smooth_l1" smooth_l1 { beta: -1 } })pb",
       "losses[1].smooth_l1.beta"},
      {"loss", "eiou", "@LOSSES@",
       R"pb(losses { name: "cross_entropy" }
            losses { name: "eiou" eiou { smooth_threshold: 0 } })pb",
       "losses[1].eiou.smooth_threshold"},
      {"loss", "focal_eiou", "@LOSSES@",
       R"pb(losses { name: "cross_entropy" }
            losses { name: "focal_eiou" focal_eiou { gamma: -1 } })pb",
       "losses[1].focal_eiou.gamma"},
      {"loss", "sync_iou", "@LOSSES@",
       R"pb(losses { name: "cross_entropy" }
            losses { name: "smooth_l1" }
            losses { name: "sync_iou" sync_iou { beta: 0 } })pb",
       "losses[2].sync_iou.beta"},
      {"loss", "emphasis", "@LOSSES@",
       R"pb(losses { name: "cross_entropy" }
            losses { name: "smooth_l1" }
            losses { name: "emphasis" emphasis { eiou { smooth_threshold: -3 } } })pb",
       "losses[2].emphasis.eiou.smooth_threshold"},
      {"evaluator", "voc07", "@EVALUATION@", Evaluation("voc07"), "evaluation.score_threshold"},
      {"evaluator", "voc_area", "@EVALUATION@", Evaluation("voc_area"),
       "evaluation.score_threshold"},
      {"evaluator", "coco", "@EVALUATION@", Evaluation("coco"), "evaluation.score_threshold"},
      {"model", "fasterrcnn_resnet50_fpn", "@MODEL@", Model("fasterrcnn_resnet50_fpn"),
       "model.faster_rcnn.fpn_channels"},
      {"model", "fasterrcnn_resnet34_fpn", "@MODEL@", Model("fasterrcnn_resnet34_fpn"),
       "model.faster_rcnn.fpn_channels"},
      {"model", "fasterrcnn_resnet18_fpn", "@MODEL@", Model("fasterrcnn_resnet18_fpn"),
       "model.faster_rcnn.fpn_channels"},
      {"model", "fasterrcnn_small_fpn", "@MODEL@", Model("fasterrcnn_small_fpn"),
       "model.faster_rcnn.fpn_channels"},
      // Dataset formats are created without options (DatasetSpec is read, not built).
      {"dataset_format", "voc", std::nullopt, "", ""},
      {"dataset_format", "coco", std::nullopt, "", ""},
  };
  return *table;
}

std::string SpecText(const OutOfRange& row) {
  std::vector<std::pair<std::string, std::string>> slots = {{"@MODEL@", kModel},
                                                            {"@LOSSES@", kLosses},
                                                            {"@ACQUISITION@", kAcquisition},
                                                            {"@EVALUATION@", kEvaluation}};
  for (auto& [slot, text] : slots) {
    if (row.slot == slot) text = row.text;
  }
  return absl::StrReplaceAll(kBase, slots);
}

TEST(OutOfRangeOptions, CoversEveryRegisteredComponent) {
  std::set<std::pair<std::string, std::string>> rows;
  for (const OutOfRange& row : Table()) rows.insert({row.family, row.name});
  const std::vector<std::pair<std::string, std::vector<std::string>>> registered = {
      {"acquisition", AcquisitionRegistry::Get().Names()},
      {"loss", LossRegistry::Get().Names()},
      {"evaluator", EvaluatorRegistry::Get().Names()},
      {"model", ModelRegistry::Get().Names()},
      {"dataset_format", DatasetFormatRegistry::Get().Names()},
  };
  size_t count = 0;
  for (const auto& [family, names] : registered) {
    for (const std::string& name : names) {
      ++count;
      EXPECT_EQ(rows.count({family, name}), 1u)
          << family << " '" << name << "' is registered but has no row in this table";
    }
  }
  EXPECT_EQ(count, rows.size()) << "a row names a component that is not registered";
}

TEST(OutOfRangeOptions, TheBaseSpecHasNoComponentProblem) {
  absl::StatusOr<ExperimentSpec> spec = ParseSpecText(SpecText({}), "base.pbtxt");
  ASSERT_TRUE(spec.ok()) << spec.status();
  absl::StatusOr<ExperimentPlan> plan = ValidateSpec(*spec, "base.pbtxt");
  ASSERT_FALSE(plan.ok());  // the data is missing, nothing else
  EXPECT_THAT(plan.status().message(), HasSubstr("dataset.root: data not found"));
  EXPECT_EQ(std::count(plan.status().message().begin(), plan.status().message().end(), '\n'),
            1)
      << plan.status();
}

TEST(OutOfRangeOptions, EachIsRefusedUnderItsSpecPath) {
  for (const OutOfRange& row : Table()) {
    if (!row.slot.has_value()) continue;
    SCOPED_TRACE(row.family + " " + row.name);
    absl::StatusOr<ExperimentSpec> spec = ParseSpecText(SpecText(row), "table.pbtxt");
    ASSERT_TRUE(spec.ok()) << spec.status();
    absl::StatusOr<ExperimentPlan> plan = ValidateSpec(*spec, "table.pbtxt");
    ASSERT_FALSE(plan.ok());
    EXPECT_THAT(plan.status().message(), HasSubstr("\n  " + row.field_path + ": "))
        << plan.status();
  }
}

// training.iterations: lr_steps then count optimiser steps, within 1..iterations.
absl::Status ValidateTraining(const std::string& training) {
  absl::StatusOr<ExperimentSpec> spec =
      ParseSpecText(absl::StrCat(SpecText({}), "training { ", training, " }"), "budget.pbtxt");
  if (!spec.ok()) return spec.status();
  return ValidateSpec(*spec, "budget.pbtxt").status();
}

TEST(IterationBudget, LrStepsCountIterationsWithinTheBudget) {
  // Past `epochs` but within the budget: only the missing data is reported.
  const absl::Status within = ValidateTraining("epochs: 2 iterations: 100 lr_steps: 80");
  EXPECT_EQ(std::count(within.message().begin(), within.message().end(), '\n'), 1) << within;
  EXPECT_THAT(ValidateTraining("iterations: 100 lr_steps: 50 lr_steps: 101").message(),
              HasSubstr("training.lr_steps: must increase within 1..iterations (100), found 101"));
  EXPECT_THAT(ValidateTraining("iterations: -1").message(),
              HasSubstr("training.iterations: must be >= 0"));
}

TEST(IterationBudget, DefaultLrStepsAreEightyAndNinetyFivePercentOfTheBudget) {
  ExperimentSpec spec;
  spec.mutable_training()->set_iterations(500);
  ApplyRepeatedDefaults(spec);
  EXPECT_THAT(spec.training().lr_steps(), ::testing::ElementsAre(400, 475));
}

}  // namespace
}  // namespace huale
