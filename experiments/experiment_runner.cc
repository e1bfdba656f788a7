#include "experiments/experiment_runner.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "experiments/exceptions.h"
#include "google/protobuf/text_format.h"
#include "huale/core/status_macros.h"
#include "huale/data/dataset_format.h"

namespace huale {
namespace {

std::string SpecText(const ExperimentSpec& spec) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(spec, &text);
  return text;
}

absl::StatusOr<Dataset> ReadSplit(const DatasetFormat& format, const DatasetSpec& dataset,
                                  const std::string& split, const char* field) {
  absl::StatusOr<Dataset> read = format.Read(dataset, split);
  if (!read.ok()) {
    return absl::Status(read.status().code(), absl::StrCat(field, ": ", read.status().message()));
  }
  return read;
}

}  // namespace

absl::StatusOr<ExperimentData> LoadExperimentData(const ExperimentPlan& plan) {
  const DatasetSpec& dataset = plan.spec.dataset();
  ExperimentData data;
  HUALE_RETURN_IF_ERROR(CallCatchingExceptions([&]() -> absl::Status {
    HUALE_ASSIGN_OR_RETURN(std::unique_ptr<DatasetFormat> format,
                           DatasetFormatRegistry::Get().Create(dataset.format()));
    HUALE_ASSIGN_OR_RETURN(data.pool,
                           ReadSplit(*format, dataset, dataset.pool_split(), "dataset.pool_split"));
    HUALE_ASSIGN_OR_RETURN(data.test,
                           ReadSplit(*format, dataset, dataset.test_split(), "dataset.test_split"));
    return absl::OkStatus();
  }));
  return data;
}

absl::Status RunExperiment(const ExperimentPlan& plan, const ExperimentData& data,
                           LoopOptions options) {
  options.spec_as_written = SpecText(plan.as_written);
  options.legacy_spec_text = SpecText(plan.spec);
  // Every file of the run folder is written atomically: after a LibTorch error
  // the folder resumes like a killed run's.
  return CallCatchingExceptions([&] {
    return RunActiveLearning(plan.spec, data.pool, data.test, plan.run_directory, options);
  });
}

}  // namespace huale
