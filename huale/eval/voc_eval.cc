// PASCAL VOC AP; see voc_eval.h. Follows py-faster-rcnn's lib/datasets/voc_eval.py
// (itself a port of the devkit's VOCevaldet.m and VOCap.m).
#include "huale/eval/voc_eval.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "huale/core/registry.h"
#include "huale/core/status_macros.h"

namespace huale {
namespace {

// IoU with the devkit's +1 convention: pixel coordinates are inclusive.
double DevkitIou(const Box& d, const Box& g) {
  const double iw = std::max(std::min(g.x2, d.x2) - std::max(g.x1, d.x1) + 1.0, 0.0);
  const double ih = std::max(std::min(g.y2, d.y2) - std::max(g.y1, d.y1) + 1.0, 0.0);
  const double inter = iw * ih;
  const double uni = (d.x2 - d.x1 + 1.0) * (d.y2 - d.y1 + 1.0) +
                     (g.x2 - g.x1 + 1.0) * (g.y2 - g.y1 + 1.0) - inter;
  return inter / uni;
}

struct ClassDetection {
  double score;
  int image;  // index into the dataset's images
  const Detection* detection;
};

}  // namespace

double VocAveragePrecision(const std::vector<double>& recall,
                           const std::vector<double>& precision, VocApMethod method) {
  const size_t n = recall.size();
  if (method == VocApMethod::kElevenPoint) {
    double ap = 0;
    for (int i = 0; i <= 10; ++i) {
      const double t = i * 0.1;  // np.arange(0., 1.1, 0.1)
      double p = 0;
      for (size_t j = 0; j < n; ++j) {
        if (recall[j] >= t) p = std::max(p, precision[j]);
      }
      ap += p / 11.0;
    }
    return ap;
  }
  // mrec = [0, rec, 1], mpre = [0, prec, 0]; envelope; sum over recall steps.
  std::vector<double> mrec(n + 2), mpre(n + 2);
  mrec[0] = 0;
  mpre[0] = 0;
  for (size_t j = 0; j < n; ++j) {
    mrec[j + 1] = recall[j];
    mpre[j + 1] = precision[j];
  }
  mrec[n + 1] = 1;
  mpre[n + 1] = 0;
  for (size_t i = n + 1; i > 0; --i) mpre[i - 1] = std::max(mpre[i - 1], mpre[i]);
  double ap = 0;
  for (size_t i = 0; i + 1 < n + 2; ++i) {
    if (mrec[i + 1] != mrec[i]) ap += (mrec[i + 1] - mrec[i]) * mpre[i + 1];
  }
  return ap;
}

absl::StatusOr<VocSummary> EvaluateVoc(const Dataset& ground_truth,
                                       const std::vector<ImageDetections>& detections,
                                       VocApMethod method, double score_threshold,
                                       double iou_threshold) {
  const int num_classes = static_cast<int>(ground_truth.class_names.size());
  const int num_images = static_cast<int>(ground_truth.images.size());
  std::map<std::string, int> image_index;
  for (int i = 0; i < num_images; ++i) {
    const ImageRecord& image = ground_truth.images[i];
    if (!image_index.emplace(image.id, i).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("ground truth: image id '", image.id, "' appears twice"));
    }
    for (size_t j = 0; j < image.annotations.size(); ++j) {
      const int label = image.annotations[j].label;
      if (label < 0 || label >= num_classes) {
        return absl::InvalidArgumentError(
            absl::StrCat("ground truth: image '", image.id, "' object #", j, ": label ", label,
                         " outside [0, ", num_classes, ")"));
      }
    }
  }

  // Detections per class, in input order (images by dataset order).
  std::vector<std::vector<ClassDetection>> by_class(num_classes);
  std::vector<std::pair<int, const ImageDetections*>> ordered;
  for (const ImageDetections& image : detections) {
    auto it = image_index.find(image.image_id);
    if (it == image_index.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "detections for image '", image.image_id, "', which is not in the ground truth (",
          num_images, " images)"));
    }
    ordered.emplace_back(it->second, &image);
  }
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [index, image] : ordered) {
    for (size_t j = 0; j < image->detections.size(); ++j) {
      const Detection& d = image->detections[j];
      HUALE_RETURN_IF_ERROR(CheckDetection(d, image->image_id, j, num_classes));
      if (d.score < score_threshold) continue;
      by_class[d.label].push_back(ClassDetection{d.score, index, &d});
    }
  }

  VocSummary summary;
  summary.per_class.resize(num_classes);
  double ap_sum = 0;
  int classes_with_positives = 0;
  std::vector<const Annotation*> objects;
  std::vector<char> detected;
  std::vector<int64_t> first_object(num_images + 1);
  for (int c = 0; c < num_classes; ++c) {
    VocClassResult& result = summary.per_class[c];
    // This class's objects grouped by image; `detected` marks matched ones.
    objects.clear();
    for (int i = 0; i < num_images; ++i) {
      first_object[i] = static_cast<int64_t>(objects.size());
      for (const Annotation& a : ground_truth.images[i].annotations) {
        if (a.label != c) continue;
        objects.push_back(&a);
        if (!a.difficult) ++result.num_positives;
      }
    }
    first_object[num_images] = static_cast<int64_t>(objects.size());
    detected.assign(objects.size(), 0);

    std::vector<ClassDetection>& dets = by_class[c];
    std::stable_sort(dets.begin(), dets.end(), [](const ClassDetection& a,
                                                  const ClassDetection& b) {
      return a.score > b.score;
    });
    result.num_detections = static_cast<int64_t>(dets.size());
    std::vector<double> recall, precision;
    recall.reserve(dets.size());
    precision.reserve(dets.size());
    double tp = 0, fp = 0;
    for (const ClassDetection& det : dets) {
      double best = -std::numeric_limits<double>::infinity();
      int64_t best_object = -1;
      for (int64_t o = first_object[det.image]; o < first_object[det.image + 1]; ++o) {
        const double iou = DevkitIou(det.detection->box, objects[o]->box);
        if (iou > best) {  // the first maximum, as np.argmax
          best = iou;
          best_object = o;
        }
      }
      if (best > iou_threshold) {
        if (!objects[best_object]->difficult) {
          if (!detected[best_object]) {
            tp += 1;
            detected[best_object] = 1;
          } else {
            fp += 1;
          }
        }
      } else {
        fp += 1;
      }
      recall.push_back(tp / static_cast<double>(result.num_positives));
      precision.push_back(tp / std::max(tp + fp, std::numeric_limits<double>::epsilon()));
    }
    result.true_positives = static_cast<int64_t>(tp);
    if (result.num_positives == 0) continue;
    result.ap = VocAveragePrecision(recall, precision, method);
    ap_sum += result.ap;
    ++classes_with_positives;
  }
  if (classes_with_positives > 0) summary.mean_ap = ap_sum / classes_with_positives;
  return summary;
}

EvaluationResult ToEvaluationResult(const Dataset& ground_truth, const VocSummary& summary) {
  EvaluationResult result;
  result.primary_metric = "mAP";
  result.metrics["mAP"] = summary.mean_ap;
  for (size_t c = 0; c < summary.per_class.size(); ++c) {
    if (summary.per_class[c].num_positives == 0) continue;
    result.per_class_ap[ground_truth.class_names[c]] = summary.per_class[c].ap;
  }
  return result;
}

namespace {

class VocEvaluator : public Evaluator {
 public:
  VocEvaluator(VocApMethod method, double score_threshold)
      : method_(method), score_threshold_(score_threshold) {}

  absl::StatusOr<EvaluationResult> Evaluate(
      const Dataset& ground_truth,
      const std::vector<ImageDetections>& detections) const override {
    absl::StatusOr<VocSummary> summary =
        EvaluateVoc(ground_truth, detections, method_, score_threshold_);
    if (!summary.ok()) return summary.status();
    return ToEvaluationResult(ground_truth, *summary);
  }

 private:
  VocApMethod method_;
  double score_threshold_;
};

HUALE_REGISTER(EvaluatorRegistry, "voc07",
               "PASCAL VOC2007 mAP: 11-point interpolated AP at IoU > 0.5, devkit rules",
               [](const EvaluationSpec& spec) -> absl::StatusOr<std::unique_ptr<Evaluator>> {
                 HUALE_RETURN_IF_ERROR(CheckEvaluationSpec(spec));
                 return std::make_unique<VocEvaluator>(VocApMethod::kElevenPoint,
                                                       spec.score_threshold());
               });
HUALE_REGISTER(EvaluatorRegistry, "voc_area",
               "PASCAL VOC2010+ mAP: all-point (area) AP at IoU > 0.5, devkit rules",
               [](const EvaluationSpec& spec) -> absl::StatusOr<std::unique_ptr<Evaluator>> {
                 HUALE_RETURN_IF_ERROR(CheckEvaluationSpec(spec));
                 return std::make_unique<VocEvaluator>(VocApMethod::kArea,
                                                       spec.score_threshold());
               });

}  // namespace
}  // namespace huale
