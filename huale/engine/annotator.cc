#include "huale/engine/annotator.h"

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"

namespace huale {
namespace {

constexpr char kWaitingPayload[] = "huale/waiting-for-labels";

}  // namespace

std::string AnnotatorName(ScheduleSpec::Annotator annotator) {
  return absl::AsciiStrToLower(ScheduleSpec::Annotator_Name(annotator));
}

absl::Status WaitingForLabelsError(absl::string_view message) {
  absl::Status status = absl::UnavailableError(message);
  status.SetPayload(kWaitingPayload, absl::Cord("1"));
  return status;
}

bool IsWaitingForLabels(const absl::Status& status) {
  return status.GetPayload(kWaitingPayload).has_value();
}

}  // namespace huale
