#include "huale/eval/evaluator.h"

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "huale/core/option_checks.h"

namespace huale {

absl::Status CheckEvaluationSpec(const EvaluationSpec& spec) {
  return OptionChecks(spec)
      .InRange("score_threshold", spec.score_threshold(), 0, 1)
      .AtLeast("max_images", spec.max_images(), 0)
      .status();
}

absl::Status CheckDetection(const Detection& d, absl::string_view image_id, size_t index,
                            int num_classes) {
  const std::string where = absl::StrCat("image '", image_id, "' detection #", index);
  if (d.label < 0 || d.label >= num_classes) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": label ", d.label, " outside [0, ", num_classes, ")"));
  }
  const std::string box =
      absl::StrCat("[", d.box.x1, ", ", d.box.y1, ", ", d.box.x2, ", ", d.box.y2, "]");
  if (!d.box.IsFinite() || !std::isfinite(d.score)) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": expected a finite box and score, found ", box, " score ", d.score));
  }
  if (d.box.x2 < d.box.x1 || d.box.y2 < d.box.y1) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": expected x2 >= x1 and y2 >= y1, found ", box));
  }
  return absl::OkStatus();
}

}  // namespace huale
