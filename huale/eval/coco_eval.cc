// COCO bbox evaluation; see coco_eval.h. Follows pycocotools 2.0 cocoeval.py
// (evaluate, evaluateImg, accumulate, summarize) and maskApi.c's bbIou.
#include "huale/eval/coco_eval.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "huale/core/registry.h"
#include "huale/core/status_macros.h"

namespace huale {
namespace {

constexpr int kNumIouThresholds = 10;
constexpr int kNumRecallThresholds = 101;
constexpr int kNumAreaRanges = 4;  // all, small, medium, large
constexpr int kNumMaxDets = 3;
constexpr int kMaxDets[kNumMaxDets] = {1, 10, 100};
constexpr double kAreaRanges[kNumAreaRanges][2] = {
    {0.0, 1e10}, {0.0, 32.0 * 32.0}, {32.0 * 32.0, 96.0 * 96.0}, {96.0 * 96.0, 1e10}};
// np.spacing(1): keeps precision finite where no detection counts yet.
constexpr double kEpsilon = 2.220446049250313e-16;

// np.linspace(.5, .95, 10) and np.linspace(0, 1, 101), element for element:
// numpy computes start + i * ((stop - start) / (num - 1)) and sets the last to stop.
struct Thresholds {
  double iou[kNumIouThresholds];
  double recall[kNumRecallThresholds];
  Thresholds() {
    const double iou_step = (0.95 - 0.5) / (kNumIouThresholds - 1);
    for (int t = 0; t < kNumIouThresholds; ++t) iou[t] = t * iou_step + 0.5;
    iou[kNumIouThresholds - 1] = 0.95;
    const double recall_step = (1.0 - 0.0) / (kNumRecallThresholds - 1);
    for (int r = 0; r < kNumRecallThresholds; ++r) recall[r] = r * recall_step + 0.0;
    recall[kNumRecallThresholds - 1] = 1.0;
  }
};

const Thresholds& GetThresholds() {
  static const Thresholds* const thresholds = new Thresholds();
  return *thresholds;
}

// maskApi.c bbIou, same operations in the same order.
double BoxIou(const CocoDetectionObject& d, const CocoGroundTruthObject& g) {
  const double w = std::fmin(d.w + d.x, g.w + g.x) - std::fmax(d.x, g.x);
  if (w <= 0) return 0;
  const double h = std::fmin(d.h + d.y, g.h + g.y) - std::fmax(d.y, g.y);
  if (h <= 0) return 0;
  const double inter = w * h;
  const double da = d.w * d.h;
  const double unite = g.crowd ? da : da + g.w * g.h - inter;
  return inter / unite;
}

// One kept detection of one category, after matching in its image.
struct MatchedDetection {
  double score;
  int rank;  // position in its image's score order (for the maxDets cut)
  // Bit t set: true (false) positive at IoU threshold t, per area range. A
  // detection in neither mask is ignored there.
  uint16_t true_positive[kNumAreaRanges];
  uint16_t false_positive[kNumAreaRanges];
};

// Per-category accumulation state (reused across categories).
struct CategoryWork {
  std::vector<MatchedDetection> detections;
  int64_t num_positives[kNumAreaRanges] = {0, 0, 0, 0};
  bool any_image = false;
  // Scratch for one image.
  std::vector<const CocoGroundTruthObject*> gt;
  std::vector<const CocoDetectionObject*> dt;
  std::vector<double> ious;  // [dt, gt] of one image, dropped with the next image
  std::vector<int> gt_order;
  std::vector<char> gt_ignore;
  std::vector<int64_t> gt_matched_by;  // per threshold x sorted gt
  // Scratch for accumulation.
  std::vector<int> order;
  std::vector<double> recall_curve, precision_curve;

  void Reset() {
    detections.clear();
    std::fill(num_positives, num_positives + kNumAreaRanges, 0);
    any_image = false;
  }
};

// evaluateImg for the four area ranges at maxDet 100 (the reference matches
// once at the largest maxDet and cuts the result for the smaller ones).
void EvaluateImage(CategoryWork& work) {
  const Thresholds& thresholds = GetThresholds();
  auto& gt = work.gt;
  auto& dt = work.dt;
  if (gt.empty() && dt.empty()) return;
  work.any_image = true;
  std::stable_sort(dt.begin(), dt.end(),
                   [](const CocoDetectionObject* a, const CocoDetectionObject* b) {
                     return a->score > b->score;
                   });
  if (dt.size() > static_cast<size_t>(kMaxDets[kNumMaxDets - 1])) {
    dt.resize(kMaxDets[kNumMaxDets - 1]);
  }
  const int num_dt = static_cast<int>(dt.size());
  const int num_gt = static_cast<int>(gt.size());
  work.ious.resize(static_cast<size_t>(num_dt) * num_gt);
  for (int d = 0; d < num_dt; ++d) {
    for (int g = 0; g < num_gt; ++g) work.ious[d * num_gt + g] = BoxIou(*dt[d], *gt[g]);
  }
  const size_t first = work.detections.size();
  for (int d = 0; d < num_dt; ++d) {
    work.detections.push_back(MatchedDetection{dt[d]->score, d, {0, 0, 0, 0}, {0, 0, 0, 0}});
  }
  for (int a = 0; a < kNumAreaRanges; ++a) {
    const double lo = kAreaRanges[a][0], hi = kAreaRanges[a][1];
    // Ground truth to ignore (crowds and objects outside the range) sorts last, stably.
    work.gt_order.clear();
    work.gt_ignore.assign(num_gt, 0);
    for (int g = 0; g < num_gt; ++g) {
      work.gt_ignore[g] = gt[g]->crowd || gt[g]->area < lo || gt[g]->area > hi;
      if (!work.gt_ignore[g]) work.gt_order.push_back(g);
    }
    work.num_positives[a] += static_cast<int64_t>(work.gt_order.size());
    for (int g = 0; g < num_gt; ++g) {
      if (work.gt_ignore[g]) work.gt_order.push_back(g);
    }
    work.gt_matched_by.assign(static_cast<size_t>(kNumIouThresholds) * num_gt, 0);
    for (int t = 0; t < kNumIouThresholds; ++t) {
      // data(): no element to bind a reference to when there is no ground truth.
      int64_t* matched_by = work.gt_matched_by.data() + static_cast<size_t>(t) * num_gt;
      for (int d = 0; d < num_dt; ++d) {
        double best = std::min(thresholds.iou[t], 1 - 1e-10);
        int m = -1;  // position in gt_order
        if (num_gt > 0) {
          for (int j = 0; j < num_gt; ++j) {
            const int g = work.gt_order[j];
            if (matched_by[j] > 0 && !gt[g]->crowd) continue;
            // Matched a regular object and reached the ignored ones: stop.
            if (m > -1 && !work.gt_ignore[work.gt_order[m]] && work.gt_ignore[g]) break;
            const double iou = work.ious[d * num_gt + g];
            if (iou < best) continue;
            best = iou;
            m = j;
          }
        }
        // The reference's dtMatches holds the matched gt id; 0 reads as unmatched.
        bool matched = false;
        bool ignored = false;
        if (m > -1) {
          const int g = work.gt_order[m];
          ignored = work.gt_ignore[g];
          matched = gt[g]->id != 0;
          matched_by[m] = d + 1;  // the reference stores the dt id, always > 0
        }
        if (!matched) {
          const double area = dt[d]->w * dt[d]->h;
          if (area < lo || area > hi) ignored = true;
        }
        if (ignored) continue;
        MatchedDetection& out = work.detections[first + d];
        if (matched) {
          out.true_positive[a] |= static_cast<uint16_t>(1u << t);
        } else {
          out.false_positive[a] |= static_cast<uint16_t>(1u << t);
        }
      }
    }
  }
}

// Output arrays as in the reference: precision [T][R][K][A][M], recall [T][K][A][M].
struct Accumulated {
  int num_categories = 0;
  std::vector<double> precision;
  std::vector<double> recall;
  size_t PrecisionIndex(int t, int r, int k, int a, int m) const {
    return ((((static_cast<size_t>(t) * kNumRecallThresholds + r) * num_categories + k) *
                 kNumAreaRanges + a) * kNumMaxDets) + m;
  }
  size_t RecallIndex(int t, int k, int a, int m) const {
    return (((static_cast<size_t>(t) * num_categories + k) * kNumAreaRanges + a) *
            kNumMaxDets) + m;
  }
};

// accumulate() for one category.
void AccumulateCategory(int k, CategoryWork& work, Accumulated& out) {
  if (!work.any_image) return;
  const Thresholds& thresholds = GetThresholds();
  // One stable order by descending score serves every area and maxDet: the
  // reference's per-(area, maxDet) sort of a subset is this order, filtered.
  work.order.resize(work.detections.size());
  std::iota(work.order.begin(), work.order.end(), 0);
  std::stable_sort(work.order.begin(), work.order.end(), [&work](int a, int b) {
    return work.detections[a].score > work.detections[b].score;
  });
  for (int a = 0; a < kNumAreaRanges; ++a) {
    const int64_t num_positives = work.num_positives[a];
    if (num_positives == 0) continue;
    for (int m = 0; m < kNumMaxDets; ++m) {
      for (int t = 0; t < kNumIouThresholds; ++t) {
        const uint16_t bit = static_cast<uint16_t>(1u << t);
        work.recall_curve.clear();
        work.precision_curve.clear();
        double tp = 0, fp = 0;
        for (int i : work.order) {
          const MatchedDetection& det = work.detections[i];
          if (det.rank >= kMaxDets[m]) continue;
          if (det.true_positive[a] & bit) tp += 1;
          if (det.false_positive[a] & bit) fp += 1;
          work.recall_curve.push_back(tp / static_cast<double>(num_positives));
          work.precision_curve.push_back(tp / (fp + tp + kEpsilon));
        }
        const int nd = static_cast<int>(work.recall_curve.size());
        out.recall[out.RecallIndex(t, k, a, m)] = nd ? work.recall_curve[nd - 1] : 0;
        auto& pr = work.precision_curve;
        for (int i = nd - 1; i > 0; --i) {
          if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
        }
        // np.searchsorted(rc, recThrs, side='left'); past the end stays 0.
        int i = 0;
        for (int r = 0; r < kNumRecallThresholds; ++r) {
          while (i < nd && work.recall_curve[i] < thresholds.recall[r]) ++i;
          out.precision[out.PrecisionIndex(t, r, k, a, m)] = i < nd ? pr[i] : 0;
        }
      }
    }
  }
}

// Mean of the values > -1 (Neumaier summation; numpy sums pairwise), -1 if none.
class MeanOfDefined {
 public:
  void Add(double v) {
    if (!(v > -1)) return;
    const double t = sum_ + v;
    compensation_ += std::fabs(sum_) >= std::fabs(v) ? (sum_ - t) + v : (v - t) + sum_;
    sum_ = t;
    ++count_;
  }
  double Get() const { return count_ ? (sum_ + compensation_) / count_ : -1; }

 private:
  double sum_ = 0, compensation_ = 0;
  int64_t count_ = 0;
};

absl::Status Validate(const CocoEvalData& data) {
  const int num_categories = static_cast<int>(data.category_ids.size());
  for (const CocoImageData& image : data.images) {
    for (size_t i = 0; i < image.ground_truth.size(); ++i) {
      const CocoGroundTruthObject& g = image.ground_truth[i];
      if (g.category < 0 || g.category >= num_categories) {
        return absl::InvalidArgumentError(absl::StrCat(
            "image ", image.id, " ground truth #", i, ": category index ", g.category,
            " outside [0, ", num_categories, ")"));
      }
      if (!std::isfinite(g.x) || !std::isfinite(g.y) || !std::isfinite(g.w) ||
          !std::isfinite(g.h) || !std::isfinite(g.area)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "image ", image.id, " ground truth #", i, ": non-finite box or area"));
      }
    }
    for (size_t i = 0; i < image.detections.size(); ++i) {
      const CocoDetectionObject& d = image.detections[i];
      if (d.category < 0 || d.category >= num_categories) {
        return absl::InvalidArgumentError(absl::StrCat(
            "image ", image.id, " detection #", i, ": category index ", d.category,
            " outside [0, ", num_categories, ")"));
      }
      if (!std::isfinite(d.x) || !std::isfinite(d.y) || !std::isfinite(d.w) ||
          !std::isfinite(d.h) || !std::isfinite(d.score)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "image ", image.id, " detection #", i, ": expected a finite box and score, found [",
            d.x, ", ", d.y, ", ", d.w, ", ", d.h, "] score ", d.score));
      }
      if (d.w < 0 || d.h < 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "image ", image.id, " detection #", i, ": expected width and height >= 0, found ",
            d.w, " x ", d.h));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CocoSummary> EvaluateCoco(const CocoEvalData& data) {
  if (absl::Status status = Validate(data); !status.ok()) return status;
  const int num_categories = static_cast<int>(data.category_ids.size());
  const int num_images = static_cast<int>(data.images.size());

  // Images in ascending id: the reference concatenates them in that order, which
  // breaks score ties between images.
  std::vector<int> image_order(num_images);
  std::iota(image_order.begin(), image_order.end(), 0);
  std::stable_sort(image_order.begin(), image_order.end(), [&data](int a, int b) {
    return data.images[a].id < data.images[b].id;
  });
  for (int i = 1; i < num_images; ++i) {
    if (data.images[image_order[i]].id == data.images[image_order[i - 1]].id) {
      return absl::InvalidArgumentError(
          absl::StrCat("image id ", data.images[image_order[i]].id, " appears twice"));
    }
  }

  // Category-major index of the objects, (image order, file order) within a
  // category: two counting sorts, O(objects) memory.
  std::vector<int64_t> gt_start(num_categories + 1, 0), dt_start(num_categories + 1, 0);
  for (const CocoImageData& image : data.images) {
    for (const auto& g : image.ground_truth) ++gt_start[g.category + 1];
    for (const auto& d : image.detections) ++dt_start[d.category + 1];
  }
  for (int k = 0; k < num_categories; ++k) {
    gt_start[k + 1] += gt_start[k];
    dt_start[k + 1] += dt_start[k];
  }
  struct Ref {
    int image;  // position in image_order
    const void* object;
  };
  std::vector<Ref> gt_refs(gt_start[num_categories]), dt_refs(dt_start[num_categories]);
  {
    std::vector<int64_t> gt_next(gt_start.begin(), gt_start.end() - 1);
    std::vector<int64_t> dt_next(dt_start.begin(), dt_start.end() - 1);
    for (int i = 0; i < num_images; ++i) {
      const CocoImageData& image = data.images[image_order[i]];
      for (const auto& g : image.ground_truth) gt_refs[gt_next[g.category]++] = Ref{i, &g};
      for (const auto& d : image.detections) dt_refs[dt_next[d.category]++] = Ref{i, &d};
    }
  }

  Accumulated acc;
  acc.num_categories = num_categories;
  acc.precision.assign(static_cast<size_t>(kNumIouThresholds) * kNumRecallThresholds *
                           num_categories * kNumAreaRanges * kNumMaxDets, -1.0);
  acc.recall.assign(static_cast<size_t>(kNumIouThresholds) * num_categories *
                        kNumAreaRanges * kNumMaxDets, -1.0);
  CategoryWork work;
  for (int k = 0; k < num_categories; ++k) {
    work.Reset();
    int64_t gi = gt_start[k], di = dt_start[k];
    const int64_t gend = gt_start[k + 1], dend = dt_start[k + 1];
    while (gi < gend || di < dend) {
      const int image = std::min(gi < gend ? gt_refs[gi].image : num_images,
                                 di < dend ? dt_refs[di].image : num_images);
      work.gt.clear();
      work.dt.clear();
      for (; gi < gend && gt_refs[gi].image == image; ++gi) {
        work.gt.push_back(static_cast<const CocoGroundTruthObject*>(gt_refs[gi].object));
      }
      for (; di < dend && dt_refs[di].image == image; ++di) {
        work.dt.push_back(static_cast<const CocoDetectionObject*>(dt_refs[di].object));
      }
      EvaluateImage(work);
    }
    AccumulateCategory(k, work, acc);
  }

  // summarize()
  const Thresholds& thresholds = GetThresholds();
  auto average_precision = [&](int t_only, int a) {
    MeanOfDefined mean;
    for (int t = 0; t < kNumIouThresholds; ++t) {
      if (t_only >= 0 && t != t_only) continue;
      for (int r = 0; r < kNumRecallThresholds; ++r) {
        for (int k = 0; k < num_categories; ++k) {
          mean.Add(acc.precision[acc.PrecisionIndex(t, r, k, a, kNumMaxDets - 1)]);
        }
      }
    }
    return mean.Get();
  };
  auto average_recall = [&](int a, int m) {
    MeanOfDefined mean;
    for (int t = 0; t < kNumIouThresholds; ++t) {
      for (int k = 0; k < num_categories; ++k) mean.Add(acc.recall[acc.RecallIndex(t, k, a, m)]);
    }
    return mean.Get();
  };
  // np.where(iouThr == p.iouThrs): an exact comparison, as the reference makes.
  auto threshold_index = [&](double iou) {
    for (int t = 0; t < kNumIouThresholds; ++t) {
      if (thresholds.iou[t] == iou) return t;
    }
    return -2;  // matches nothing: the mean is -1
  };
  CocoSummary summary;
  summary.stats = {average_precision(-1, 0),
                   average_precision(threshold_index(.5), 0),
                   average_precision(threshold_index(.75), 0),
                   average_precision(-1, 1),
                   average_precision(-1, 2),
                   average_precision(-1, 3),
                   average_recall(0, 0),
                   average_recall(0, 1),
                   average_recall(0, 2),
                   average_recall(1, 2),
                   average_recall(2, 2),
                   average_recall(3, 2)};
  summary.per_category_ap.resize(num_categories);
  for (int k = 0; k < num_categories; ++k) {
    MeanOfDefined mean;
    for (int t = 0; t < kNumIouThresholds; ++t) {
      for (int r = 0; r < kNumRecallThresholds; ++r) {
        mean.Add(acc.precision[acc.PrecisionIndex(t, r, k, 0, kNumMaxDets - 1)]);
      }
    }
    summary.per_category_ap[k] = mean.Get();
  }
  return summary;
}

EvaluationResult ToEvaluationResult(const CocoEvalData& data, const CocoSummary& summary) {
  EvaluationResult result;
  result.primary_metric = "AP";
  for (size_t i = 0; i < kCocoMetricNames.size(); ++i) {
    result.metrics[kCocoMetricNames[i]] = summary.stats[i];
  }
  for (size_t k = 0; k < summary.per_category_ap.size(); ++k) {
    if (summary.per_category_ap[k] < 0) continue;
    const std::string name = k < data.category_names.size() && !data.category_names[k].empty()
                                 ? data.category_names[k]
                                 : absl::StrCat(data.category_ids[k]);
    result.per_class_ap[name] = summary.per_category_ap[k];
  }
  return result;
}

absl::StatusOr<CocoEvalData> MakeCocoEvalData(const Dataset& ground_truth,
                                              const std::vector<ImageDetections>& detections,
                                              double score_threshold) {
  CocoEvalData data;
  const int num_classes = static_cast<int>(ground_truth.class_names.size());
  data.category_names = ground_truth.class_names;
  for (int k = 0; k < num_classes; ++k) {
    data.category_ids.push_back(static_cast<size_t>(k) < ground_truth.category_ids.size()
                                    ? ground_truth.category_ids[k]
                                    : k + 1);
  }
  // COCO ids are integers and ordered as such; other ids keep string order.
  const int num_images = static_cast<int>(ground_truth.images.size());
  bool numeric = true;
  std::vector<int64_t> ids(num_images);
  for (int i = 0; i < num_images && numeric; ++i) {
    numeric = absl::SimpleAtoi(ground_truth.images[i].id, &ids[i]);
  }
  if (!numeric) {
    std::vector<int> order(num_images);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&ground_truth](int a, int b) {
      return ground_truth.images[a].id < ground_truth.images[b].id;
    });
    for (int rank = 0; rank < num_images; ++rank) ids[order[rank]] = rank;
  }
  std::map<std::string, int> index_of_image;
  int64_t next_gt_id = 1;
  data.images.resize(num_images);
  for (int i = 0; i < num_images; ++i) {
    const ImageRecord& record = ground_truth.images[i];
    if (!index_of_image.emplace(record.id, i).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("ground truth: image id '", record.id, "' appears twice"));
    }
    CocoImageData& image = data.images[i];
    image.id = ids[i];
    for (size_t j = 0; j < record.annotations.size(); ++j) {
      const Annotation& a = record.annotations[j];
      if (a.label < 0 || a.label >= num_classes) {
        return absl::InvalidArgumentError(
            absl::StrCat("ground truth: image '", record.id, "' annotation #", j, ": label ",
                         a.label, " outside [0, ", num_classes, ")"));
      }
      image.ground_truth.push_back(CocoGroundTruthObject{
          next_gt_id++, a.label, a.box.x1, a.box.y1, a.box.width(), a.box.height(), a.area,
          a.crowd});
    }
  }
  for (const ImageDetections& image_detections : detections) {
    auto it = index_of_image.find(image_detections.image_id);
    if (it == index_of_image.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "detections for image '", image_detections.image_id,
          "', which is not in the ground truth (", num_images, " images)"));
    }
    CocoImageData& image = data.images[it->second];
    for (size_t j = 0; j < image_detections.detections.size(); ++j) {
      const Detection& d = image_detections.detections[j];
      HUALE_RETURN_IF_ERROR(CheckDetection(d, image_detections.image_id, j, num_classes));
      if (d.score < score_threshold) continue;
      image.detections.push_back(CocoDetectionObject{
          d.label, d.box.x1, d.box.y1, d.box.width(), d.box.height(), d.score});
    }
  }
  return data;
}

namespace {

class CocoEvaluator : public Evaluator {
 public:
  explicit CocoEvaluator(double score_threshold) : score_threshold_(score_threshold) {}

  absl::StatusOr<EvaluationResult> Evaluate(
      const Dataset& ground_truth,
      const std::vector<ImageDetections>& detections) const override {
    absl::StatusOr<CocoEvalData> data =
        MakeCocoEvalData(ground_truth, detections, score_threshold_);
    if (!data.ok()) return data.status();
    absl::StatusOr<CocoSummary> summary = EvaluateCoco(*data);
    if (!summary.ok()) return summary.status();
    return ToEvaluationResult(*data, *summary);
  }

 private:
  double score_threshold_;
};

HUALE_REGISTER(EvaluatorRegistry, "coco",
               "COCO bbox AP@[.5:.95], AP50, AP75, APs/m/l, AR1/10/100, ARs/m/l "
               "(pycocotools' rules)",
               [](const EvaluationSpec& spec) -> absl::StatusOr<std::unique_ptr<Evaluator>> {
                 HUALE_RETURN_IF_ERROR(CheckEvaluationSpec(spec));
                 return std::make_unique<CocoEvaluator>(spec.score_threshold());
               });

}  // namespace
}  // namespace huale
