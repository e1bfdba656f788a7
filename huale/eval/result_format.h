// EvaluationResult as JSON (what tools/evaluate prints and a run folder keeps)
// and as a readable per-class table.
#ifndef HUALE_EVAL_RESULT_FORMAT_H_
#define HUALE_EVAL_RESULT_FORMAT_H_

#include <string>

#include "absl/strings/string_view.h"
#include "huale/eval/evaluator.h"

namespace huale {

// One JSON object, one field a line: {"metric": <metric>, <metrics...>,
// "per_class_AP": {...}}. The twelve COCO numbers come in pycocotools' order,
// other metrics by name; numbers are written in their shortest form that reads
// back exactly.
std::string EvaluationResultToJson(const EvaluationResult& result, absl::string_view metric);

// Headline metrics, then one "class  AP" row per class, aligned.
std::string FormatResultTable(const EvaluationResult& result);

}  // namespace huale

#endif  // HUALE_EVAL_RESULT_FORMAT_H_
