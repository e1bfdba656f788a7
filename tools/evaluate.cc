// Command-line detection evaluator: prints the metrics as one JSON object on stdout.
//
// COCO (a fast drop-in for pycocotools' COCOeval, bbox; same twelve numbers):
//   bazel run -c opt //tools:evaluate -- --metric=coco --gt=instances.json --dt=results.json
//
// PASCAL VOC ("voc07": 11-point AP, "voc_area": all-point AP; devkit rules):
//   bazel run -c opt //tools:evaluate -- --metric=voc07 --voc_root=VOCdevkit/VOC2007
//       --split=test --dt=results.json
// VOC detections use the COCO results format: a JSON list of
//   {"image_id": "000001", "category_id": 12, "bbox": [x, y, w, h], "score": 0.93}
// with image_id the VOC file stem (a string, leading zeros kept), category_id
// the 1-based index of the class in the class list (label + 1, as
// `detect --run` writes for a VOC-format run), and the box in the annotation
// XML's pixel coordinates (xmin = x, xmax = x + w); the evaluator applies the
// devkit's +1 itself.
// The class list is --classes=FILE when given, else <voc_root>/classes.txt when
// it names a class (a generated tree such as data/fmnist_det/<profile>/ has
// one), else the 20 devkit classes (1 = aeroplane ... 20 = tvmonitor): the
// choice huale/data's "voc" reader makes for a spec without `classes`. A class
// file holds one name a line (whitespace around it stripped, blank lines
// skipped, no comments); a name listed twice is an error naming file:line. An
// XML object whose class is not in the list is an error naming the XML file.
//
// Exit status: 0 on success, 2 on bad flags or bad input (message on stderr).
// Results whose category_id is not in the ground truth are left out (as
// pycocotools does) with a warning on stderr.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "huale/eval/coco_eval.h"
#include "huale/eval/coco_json.h"
#include "huale/eval/evaluator.h"
#include "huale/eval/result_format.h"
#include "huale/eval/voc_annotations.h"

ABSL_FLAG(std::string, metric, "coco", "coco, voc07 or voc_area");
ABSL_FLAG(std::string, gt, "", "coco: ground truth, a COCO instances JSON file");
ABSL_FLAG(std::string, dt, "", "detections, a COCO results JSON file (see the file comment)");
ABSL_FLAG(std::string, voc_root, "", "voc07/voc_area: devkit root, e.g. VOCdevkit/VOC2007");
ABSL_FLAG(std::string, split, "test", "voc07/voc_area: ImageSets/Main/<split>.txt");
ABSL_FLAG(std::string, classes, "",
          "voc07/voc_area: class list, one name a line (category_id = line's rank, 1-based); "
          "default <voc_root>/classes.txt, else the 20 VOC classes");
ABSL_FLAG(double, score_threshold, 0.0, "leave out detections scored below this");

namespace huale {
namespace {

absl::StatusOr<EvaluationResult> EvaluateCocoFiles(const std::string& gt_path,
                                                   const std::string& dt_path,
                                                   double score_threshold) {
  if (gt_path.empty() || dt_path.empty()) {
    return absl::InvalidArgumentError("--metric=coco needs --gt=<instances.json> and --dt=<results.json>");
  }
  absl::StatusOr<CocoGroundTruthFile> gt = LoadCocoGroundTruth(gt_path);
  if (!gt.ok()) return gt.status();
  absl::StatusOr<std::vector<CocoResult>> dt = LoadCocoResults(dt_path);
  if (!dt.ok()) return dt.status();
  std::vector<CocoResult> kept;
  kept.reserve(dt->size());
  for (const CocoResult& r : *dt) {
    if (r.score >= score_threshold) kept.push_back(r);
  }
  int64_t dropped = 0;
  absl::StatusOr<CocoEvalData> data = JoinCocoEvalData(*gt, kept, &dropped);
  if (!data.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(dt_path, ": ", data.status().message()));
  }
  if (dropped > 0) {
    std::fprintf(stderr, "evaluate: warning: %lld results have a category_id not in %s; left out\n",
                 static_cast<long long>(dropped), gt_path.c_str());
  }
  absl::StatusOr<CocoSummary> summary = EvaluateCoco(*data);
  if (!summary.ok()) return summary.status();
  return ToEvaluationResult(*data, *summary);
}

absl::StatusOr<EvaluationResult> EvaluateVocFiles(const std::string& metric,
                                                  const std::string& root,
                                                  const std::string& split,
                                                  const std::string& classes_path,
                                                  const std::string& dt_path,
                                                  double score_threshold) {
  if (root.empty() || dt_path.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--metric=", metric, " needs --voc_root=<devkit root>, --split and --dt=<results.json>"));
  }
  absl::StatusOr<VocClassList> classes =
      classes_path.empty() ? VocClassesOfRoot(root) : ReadVocClassList(classes_path);
  if (!classes.ok()) return classes.status();
  absl::StatusOr<Dataset> dataset = LoadVocGroundTruth(root, split, *classes);
  if (!dataset.ok()) return dataset.status();
  absl::StatusOr<std::vector<CocoResult>> dt = LoadCocoResults(dt_path);
  if (!dt.ok()) return dt.status();
  int64_t dropped = 0;
  absl::StatusOr<std::vector<ImageDetections>> detections =
      ToImageDetections(*dt, *dataset, &dropped);
  if (!detections.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(dt_path, ": ", detections.status().message()));
  }
  if (dropped > 0) {
    std::fprintf(stderr,
                 "evaluate: warning: %lld results have a category_id outside 1..%zu (%s); "
                 "left out\n",
                 static_cast<long long>(dropped), classes->names.size(),
                 classes->source.c_str());
  }
  EvaluationSpec spec;
  spec.set_metric(metric);
  spec.set_score_threshold(static_cast<float>(score_threshold));
  absl::StatusOr<std::unique_ptr<Evaluator>> evaluator =
      EvaluatorRegistry::Get().Create(metric, spec);
  if (!evaluator.ok()) return evaluator.status();
  return (*evaluator)->Evaluate(*dataset, *detections);
}

}  // namespace
}  // namespace huale

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "prints detection metrics as one JSON object.\n"
      "  evaluate --metric=coco --gt=instances.json --dt=results.json\n"
      "  evaluate --metric=voc07|voc_area --voc_root=VOCdevkit/VOC2007 --split=test "
      "--dt=results.json [--classes=classes.txt]");
  const std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() > 1) {
    std::fprintf(stderr, "evaluate: unexpected argument '%s' (all inputs are flags; see --help)\n",
                 positional[1]);
    return 2;
  }
  const std::string metric = absl::GetFlag(FLAGS_metric);
  const double threshold = absl::GetFlag(FLAGS_score_threshold);
  absl::StatusOr<huale::EvaluationResult> result;
  if (metric == "coco") {
    result = huale::EvaluateCocoFiles(absl::GetFlag(FLAGS_gt), absl::GetFlag(FLAGS_dt), threshold);
  } else if (metric == "voc07" || metric == "voc_area") {
    result = huale::EvaluateVocFiles(metric, absl::GetFlag(FLAGS_voc_root),
                                     absl::GetFlag(FLAGS_split), absl::GetFlag(FLAGS_classes),
                                     absl::GetFlag(FLAGS_dt),
                                     threshold);
  } else {
    std::fprintf(stderr, "evaluate: --metric: expected coco, voc07 or voc_area, found '%s'\n",
                 metric.c_str());
    return 2;
  }
  if (!result.ok()) {
    std::fprintf(stderr, "evaluate: %s\n", std::string(result.status().message()).c_str());
    return 2;
  }
  std::printf("%s\n", huale::EvaluationResultToJson(*result, metric).c_str());
  return 0;
}
