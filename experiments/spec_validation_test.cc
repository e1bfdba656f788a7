// Every registered component's factory refuses an out-of-range option, and
// validation reports it under the field's spec path before any work. The table
// must name every registered component: registering one without a row (or
// without saying it takes no options) fails CoversEveryRegisteredComponent.
#include "experiments/spec_validation.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "experiments/spec_loader.h"
#include "glog/logging.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "gtest/gtest.h"
#include "huale/acquisition/acquisition_function.h"
#include "huale/data/dataset_format.h"
#include "huale/eval/evaluator.h"
#include "huale/losses/loss.h"
#include "huale/models/detector.h"

namespace huale {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

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
      {"acquisition", "ppal", "@ACQUISITION@",
       R"pb(acquisition { name: "ppal" ppal { candidate_ratio: 0.5 } })pb",
       "acquisition.ppal.candidate_ratio"},
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

// Every numeric field of every spec message has a range or a relation: for
// each one, out-of-range values are set (floats: NaN, and -1e9 and +1e9; ints:
// -1e9 and +1e9) into an otherwise valid spec, with the component that reads
// the field named; validation must refuse NaN and at least one of the others
// under the field's spec path. A new field without a check fails here.
// Fields for which every value is meaningful are listed with the reason.
const std::map<std::string, std::string>& AnyValueFields() {
  static const auto* fields = new std::map<std::string, std::string>{
      {"seed", "every 64-bit value is a seed"},
  };
  return *fields;
}

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

bool IsNumeric(const FieldDescriptor* field) {
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_UINT64:
    case FieldDescriptor::CPPTYPE_FLOAT:
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return true;
    default:
      return false;
  }
}

// The chains of fields from ExperimentSpec down to each numeric field.
void CollectNumericFields(const Descriptor* message, std::vector<const FieldDescriptor*> chain,
                          std::vector<std::vector<const FieldDescriptor*>>& out) {
  ASSERT_LT(chain.size(), 8u) << "recursive spec message?";
  for (int i = 0; i < message->field_count(); ++i) {
    const FieldDescriptor* field = message->field(i);
    std::vector<const FieldDescriptor*> longer = chain;
    longer.push_back(field);
    if (field->message_type() != nullptr) {
      CollectNumericFields(field->message_type(), longer, out);
    } else if (IsNumeric(field)) {
      out.push_back(longer);
    }
  }
}

// Sets `value` at the end of `chain` in `spec` and returns the field's spec
// path. A message in a oneof of a component's spec (acquisition.huale,
// losses[0].eiou) names its component: the parent's `name` becomes the oneof
// field's name. Repeated messages use element 0; repeated numbers get `value`
// appended.
std::string SetAlong(ExperimentSpec& spec, const std::vector<const FieldDescriptor*>& chain,
                     double value) {
  Message* message = &spec;
  std::string path;
  for (size_t i = 0; i < chain.size(); ++i) {
    const FieldDescriptor* field = chain[i];
    const Reflection* reflection = message->GetReflection();
    if (!path.empty()) path += ".";
    path += field->name();
    if (field->containing_oneof() != nullptr) {
      const FieldDescriptor* name = message->GetDescriptor()->FindFieldByName("name");
      if (name != nullptr) reflection->SetString(message, name, field->name());
    }
    if (i + 1 < chain.size()) {
      if (field->is_repeated()) {
        if (reflection->FieldSize(*message, field) == 0) reflection->AddMessage(message, field);
        message = reflection->MutableRepeatedMessage(message, field, 0);
        path += "[0]";
      } else {
        message = reflection->MutableMessage(message, field);
      }
      continue;
    }
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        field->is_repeated() ? reflection->AddInt32(message, field, static_cast<int32_t>(value))
                             : reflection->SetInt32(message, field, static_cast<int32_t>(value));
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        field->is_repeated() ? reflection->AddInt64(message, field, static_cast<int64_t>(value))
                             : reflection->SetInt64(message, field, static_cast<int64_t>(value));
        break;
      case FieldDescriptor::CPPTYPE_UINT32:
        field->is_repeated()
            ? reflection->AddUInt32(message, field, static_cast<uint32_t>(std::fabs(value)))
            : reflection->SetUInt32(message, field, static_cast<uint32_t>(std::fabs(value)));
        break;
      case FieldDescriptor::CPPTYPE_UINT64:
        field->is_repeated()
            ? reflection->AddUInt64(message, field, static_cast<uint64_t>(std::fabs(value)))
            : reflection->SetUInt64(message, field, static_cast<uint64_t>(std::fabs(value)));
        break;
      case FieldDescriptor::CPPTYPE_FLOAT:
        field->is_repeated() ? reflection->AddFloat(message, field, static_cast<float>(value))
                             : reflection->SetFloat(message, field, static_cast<float>(value));
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        field->is_repeated() ? reflection->AddDouble(message, field, value)
                             : reflection->SetDouble(message, field, value);
        break;
      default:
        ADD_FAILURE() << path << " is not numeric";
    }
  }
  return path;
}

// Whether validation of `spec` with `value` at `chain` names the field.
bool Refused(const std::vector<const FieldDescriptor*>& chain, double value) {
  absl::StatusOr<ExperimentSpec> spec = ParseSpecText(SpecText({}), "fields.pbtxt");
  CHECK(spec.ok()) << spec.status();
  const std::string path = SetAlong(*spec, chain, value);
  absl::StatusOr<ExperimentPlan> plan = ValidateSpec(*spec, "fields.pbtxt");
  return !plan.ok() && absl::StrContains(plan.status().message(), "\n  " + path + ": ");
}

TEST(EveryNumericField, HasARangeCheckedBeforeAnyWork) {
  std::vector<std::vector<const FieldDescriptor*>> fields;
  CollectNumericFields(ExperimentSpec::descriptor(), {}, fields);
  ASSERT_GT(fields.size(), 50u);
  std::vector<std::string> unchecked;
  for (const auto& chain : fields) {
    ExperimentSpec scratch;
    const std::string path = SetAlong(scratch, chain, 0);
    if (AnyValueFields().count(path) > 0) continue;
    const bool floating = chain.back()->cpp_type() == FieldDescriptor::CPPTYPE_FLOAT ||
                          chain.back()->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE;
    if (floating && !Refused(chain, std::nan(""))) unchecked.push_back(path + " (NaN accepted)");
    if (!Refused(chain, -1e9) && !Refused(chain, 1e9)) {
      unchecked.push_back(path + " (-1e9 and +1e9 accepted)");
    }
  }
  EXPECT_THAT(unchecked, ::testing::IsEmpty())
      << fields.size() << " numeric fields; these have no range check:\n  "
      << absl::StrJoin(unchecked, "\n  ");
}

// Relations, not ranges: a cascade naming one metric twice (issue 13).
TEST(Relations, ACascadeNamingAMetricTwiceIsRefused) {
  OutOfRange row{"acquisition", "huale", "@ACQUISITION@",
                 R"pb(acquisition {
                        name: "huale"
                        huale { cascade: [ SEMANTIC_AFFINITY, OVERLAP_RATIO, SEMANTIC_AFFINITY ] }
                      })pb",
                 ""};
  absl::StatusOr<ExperimentSpec> spec = ParseSpecText(SpecText(row), "cascade.pbtxt");
  ASSERT_TRUE(spec.ok()) << spec.status();
  absl::StatusOr<ExperimentPlan> plan = ValidateSpec(*spec, "cascade.pbtxt");
  ASSERT_FALSE(plan.ok());
  EXPECT_THAT(plan.status().message(),
              HasSubstr("acquisition.huale.cascade: must name each metric at most once"));
}

// A pool without annotations needs people to label it, and a format that reads it.
TEST(Relations, UnannotatedPoolImagesNeedPeopleAndAFormatThatReadsThem) {
  const auto problems = [](const std::string& format, const std::string& root,
                           const std::string& annotator) {
    const std::string text = absl::StrCat(
        "name: \"unannotated\" dataset { format: \"", format, "\" root: \"", root,
        "\" unannotated_pool_images: true } ", kModel, kLosses, kAcquisition, kEvaluation,
        " schedule { annotator: ", annotator, " }");
    absl::StatusOr<ExperimentSpec> spec = ParseSpecText(text, "unannotated.pbtxt");
    EXPECT_TRUE(spec.ok()) << spec.status();
    absl::StatusOr<ExperimentPlan> plan = ValidateSpec(*spec, "unannotated.pbtxt");
    EXPECT_FALSE(plan.ok());  // the data is not there either way
    return std::string(plan.status().message());
  };
  EXPECT_THAT(problems("voc", "/nonexistent/huale", "GROUND_TRUTH"),
              HasSubstr("dataset.unannotated_pool_images: the pool's images are not all "
                        "annotated, yet schedule.annotator is GROUND_TRUTH"));
  EXPECT_THAT(problems("voc", "/nonexistent/huale", "FILES"),
              Not(HasSubstr("unannotated_pool_images")));
  const std::string root = std::getenv("TEST_TMPDIR");
  EXPECT_THAT(problems("voc", root, "FILES"), Not(HasSubstr("unannotated_pool_images")));
  EXPECT_THAT(problems("coco", root, "FILES"),
              HasSubstr("dataset.unannotated_pool_images: the 'coco' format cannot read images "
                        "without annotations"));
}

// HUALE's Emphasis defaults to an EIoU box term: beside smooth-L1 that mixes two
// box losses unasked, so a spec must set it (round seven's first smooth-L1
// spec did not).
TEST(Relations, AnEmphasisBoxTermLeftUnsetMustRegressWhatTheBoxLossDoes) {
  const auto problems = [](const std::string& box_loss, const std::string& emphasis) {
    const std::string text = absl::StrCat(
        "name: \"mixed\" dataset { format: \"voc\" root: \"/nonexistent/huale\" } "
        "model { name: \"fasterrcnn_small_fpn\" } losses { name: \"cross_entropy\" } "
        "losses { name: \"", box_loss, "\" } losses { name: \"emphasis\" ", emphasis, " } ",
        kAcquisition, kEvaluation);
    absl::StatusOr<ExperimentSpec> spec = ParseSpecText(text, "mixed.pbtxt");
    EXPECT_TRUE(spec.ok()) << spec.status();
    absl::StatusOr<ExperimentPlan> plan = ValidateSpec(*spec, "mixed.pbtxt");
    EXPECT_FALSE(plan.ok());  // the data is not there either way
    return std::string(plan.status().message());
  };
  EXPECT_THAT(problems("smooth_l1", ""),
              HasSubstr("losses[2].emphasis.box_term: unset, and its default regresses decoded "
                        "boxes while the box-regression loss losses[1] ('smooth_l1') regresses "
                        "box deltas"));
  EXPECT_THAT(problems("smooth_l1", "emphasis { gamma: 1 }"), HasSubstr("box_term"));
  EXPECT_THAT(problems("smooth_l1", "emphasis { box_term: SMOOTH_L1 }"),
              Not(HasSubstr("box_term")));
  EXPECT_THAT(problems("smooth_l1", "emphasis { box_term: EIOU }"), Not(HasSubstr("box_term")));
  EXPECT_THAT(problems("eiou", ""), Not(HasSubstr("box_term")));
  EXPECT_THAT(problems("focal_eiou", ""), Not(HasSubstr("box_term")));
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
