#include "huale/eval/evaluator.h"

#include "huale/core/option_checks.h"

namespace huale {

absl::Status CheckEvaluationSpec(const EvaluationSpec& spec) {
  return OptionChecks(spec)
      .InRange("score_threshold", spec.score_threshold(), 0, 1)
      .AtLeast("max_images", spec.max_images(), 0)
      .status();
}

}  // namespace huale
