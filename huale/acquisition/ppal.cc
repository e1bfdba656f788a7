// "ppal": a PPAL-style acquisition (Yang, Huang & Crowley, "Plug and Play
// Active Learning for Object Detection", CVPR 2024), the two-stage
// uncertainty-then-diversity baseline the literature finds above random. The
// formulas and defaults follow the authors' code (mmdet/ppal: the DCUS sampler,
// the quality-EMA head, the diversity sampler); where it is adapted to a
// softmax Faster R-CNN or to this engine, the tag says so.
//
// Stage 1, Difficulty Calibrated Uncertainty Sampling (DCUS):
//   Q_c  = mean over positive detections of class c of p_c^xi * IoU^(1 - xi)
//          (xi = quality_score_exponent, 0.6)
//   w_c  = 1 + alpha * ub * ln(b * (1 - Q_c) + 1),  b = e^(1/alpha) - 1
//          (alpha 0.3, ub 0.2: w from 1 for an easy class to 1.2 for a hard one)
//   U(x) = sum over the image's instances i of w_{c_i} * H(s_i),
//          H(s) = -(s ln s + (1 - s) ln(1 - s)), the binary entropy of the score
// The instances are the original view's detections with s >= box_min_score,
// sqrt(w h) > min_box_side and aspect ratio < max_aspect_ratio. The
// candidate_ratio * budget images of highest U go on to stage 2.
//   [inferred] The authors keep Q_c as a moving average (momentum 0.99) of the
//   training positives' quality. Here it is measured once per cycle on the
//   labelled set by the trained model that scores the pool
//   (needs_labelled_detections): a detection is positive for the truth box it
//   overlaps most at IoU >= 0.5, p_c its softmax entry for that box's class.
//
// Stage 2, Category Conditioned Matching Similarity (CCMS) and k-medoids:
//   d(a, B)  = min over instances b of B with c_b = c_a of 1 - cos(f_a, f_b)
//              (unmatched_distance, 2, when B has none of class c_a)
//   D(A -> B) = sum_a s_a d(a, B) / sum_a s_a,   D(A, B) = (D(A->B) + D(B->A)) / 2
// with f the instance's L2-normalised feature.
//   [inferred] The authors sample RetinaNet's classification-branch feature at
//   the box centre; a two-stage detector's analogue is the box head's
//   representation of the box's proposal (Detection::feature, fc7).
// The budget images are the medoids of k-medoids over the candidates: k-centre
// greedy initialisation (the first centre a seeded draw, then each time the
// candidate farthest from every centre), then up to kmedoids_iterations rounds
// of "assign each candidate to its nearest centre, move each centre to the
// member with the smallest summed distance to its cluster" (the authors run 100
// rounds; a round that changes nothing ends it here, as every later round
// would repeat it). A centre always belongs to its own cluster.
//
// Images without any instance (the zero set) fill the budget last, in seeded
// random order. Ties keep the seeded order (stage 1) or the candidate order
// (stage 2).
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "huale/acquisition/acquisition_function.h"
#include "huale/acquisition/ppal.h"
#include "huale/acquisition/selection.h"
#include "huale/core/option_checks.h"
#include "huale/core/status_macros.h"

namespace huale {

std::vector<double> PpalClassQuality(const std::vector<LabelledImageDetections>& labelled,
                                     int num_classes, double score_exponent) {
  std::vector<double> sum(num_classes, 0.0);
  std::vector<int> positives(num_classes, 0);
  for (const LabelledImageDetections& image : labelled) {
    for (const Detection& d : image.detections.detections) {
      double best_iou = 0;
      int best = -1;
      for (size_t g = 0; g < image.truth_boxes.size(); ++g) {
        const double iou = Iou(d.box, image.truth_boxes[g]);
        if (iou > best_iou) {
          best_iou = iou;
          best = static_cast<int>(g);
        }
      }
      if (best < 0 || best_iou < 0.5) continue;
      const int c = image.truth_labels[best];
      if (c < 0 || c >= num_classes) continue;
      double p = 0;
      if (static_cast<int>(d.class_probs.size()) > c + 1) {
        p = d.class_probs[c + 1];  // background first
      } else if (d.class_probs.empty() && d.label == c) {
        p = d.score;
      }
      sum[c] += std::pow(std::max(p, 0.0), score_exponent) *
                std::pow(best_iou, 1.0 - score_exponent);
      ++positives[c];
    }
  }
  std::vector<double> quality(num_classes, 0.0);
  for (int c = 0; c < num_classes; ++c) {
    if (positives[c] > 0) quality[c] = sum[c] / positives[c];
  }
  return quality;
}

double PpalDifficultyWeight(double quality, double alpha, double upper_bound) {
  const double b = std::exp(1.0 / alpha) - 1.0;
  return 1.0 + alpha * upper_bound * std::log(b * (1.0 - quality) + 1.0);
}

double PpalDistance(const std::vector<InstanceScore>& a, const std::vector<InstanceScore>& b,
                    double unmatched_distance) {
  if (a.empty() && b.empty()) return 0.0;
  if (a.empty() || b.empty()) return unmatched_distance;
  const auto directed = [unmatched_distance](const std::vector<InstanceScore>& from,
                                             const std::vector<InstanceScore>& to) {
    double weighted = 0, weights = 0;
    for (const InstanceScore& x : from) {
      double best = unmatched_distance;
      for (const InstanceScore& y : to) {
        if (y.label != x.label || y.feature.size() != x.feature.size()) continue;
        double dot = 0;
        for (size_t k = 0; k < x.feature.size(); ++k) {
          dot += static_cast<double>(x.feature[k]) * y.feature[k];
        }
        best = std::min(best, 1.0 - dot);
      }
      weighted += x.score * best;
      weights += x.score;
    }
    return weights > 0 ? weighted / weights : unmatched_distance;
  };
  return 0.5 * (directed(a, b) + directed(b, a));
}

namespace {

constexpr int kUncertaintyMetric = 0;

double BinaryEntropy(double s) {
  double h = 0;
  if (s > 0 && s < 1) h = -(s * std::log(s) + (1 - s) * std::log(1 - s));
  return h;
}

class PpalAcquisition : public AcquisitionFunction {
 public:
  explicit PpalAcquisition(PpalOptions options) : options_(std::move(options)) {}

  bool needs_instance_features() const override { return true; }
  bool needs_labelled_detections() const override { return true; }
  // U(x) before the class calibration (every w_c = 1), for the audit trail.
  std::vector<std::string> metric_names() const override {
    return {"uncalibrated_uncertainty"};
  }

  ImageScore Score(const ImageDetections& original, const ImageDetections& flipped,
                   const ScoringContext&) const override {
    ImageScore score{original.image_id, /*in_zero_set=*/true, {0.0}};
    std::vector<const Detection*> kept;
    for (const Detection& d : original.detections) {
      const double w = d.box.width(), h = d.box.height();
      if (d.score < options_.box_min_score() || w <= 0 || h <= 0) continue;
      if (std::sqrt(w * h) <= options_.min_box_side()) continue;
      if (std::max(w / h, h / w) >= options_.max_aspect_ratio()) continue;
      kept.push_back(&d);
    }
    // The highest scores first; equal scores keep the detector's order.
    std::stable_sort(kept.begin(), kept.end(),
                     [](const Detection* a, const Detection* b) { return a->score > b->score; });
    if (static_cast<int>(kept.size()) > options_.max_instances()) {
      kept.resize(options_.max_instances());
    }
    for (const Detection* d : kept) {
      InstanceScore instance;
      instance.label = d->label;
      instance.score = d->score;
      instance.uncertainty = BinaryEntropy(d->score);
      double norm = 0;
      for (float v : d->feature) norm += static_cast<double>(v) * v;
      norm = std::sqrt(norm);
      for (float v : d->feature) {
        instance.feature.push_back(norm > 0 ? static_cast<float>(v / norm) : 0.0f);
      }
      score.metrics[kUncertaintyMetric] += instance.uncertainty;
      score.instances.push_back(std::move(instance));
    }
    score.in_zero_set = score.instances.empty();
    for (const ImageDetections* view : {&original, &flipped}) {
      for (const Detection& d : view->detections) {
        score.max_score = std::max(score.max_score, static_cast<double>(d.score));
      }
    }
    return score;
  }

  absl::StatusOr<Selection> Select(std::vector<ImageScore> pool, int budget,
                                   const ScoringContext& context, uint64_t seed) const override {
    HUALE_RETURN_IF_ERROR(CanonicalizePool(pool, budget, metric_names()));
    HUALE_RETURN_IF_ERROR(context.Validate());
    // C unknown (0): as many classes as the instances show.
    int num_classes = context.num_classes;
    for (const ImageScore& image : pool) {
      for (const InstanceScore& instance : image.instances) {
        const bool known = context.num_classes == 0 || instance.label < context.num_classes;
        if (instance.label < 0 || !known || !std::isfinite(instance.uncertainty) ||
            !std::isfinite(instance.score)) {
          return absl::InvalidArgumentError(absl::StrCat(
              "ppal: image '", image.image_id, "' has an instance of class ", instance.label,
              " (expected [0, ", context.num_classes, ")) or a non-finite score"));
        }
        num_classes = std::max(num_classes, instance.label + 1);
      }
    }
    const std::vector<double> quality = PpalClassQuality(
        context.labelled_detections, num_classes, options_.quality_score_exponent());
    std::vector<double> weight(num_classes);
    for (int c = 0; c < num_classes; ++c) {
      weight[c] = PpalDifficultyWeight(quality[c], options_.difficulty_alpha(),
                                       options_.difficulty_upper_bound());
    }

    // Stage 1: DCUS over the images with instances, from the seeded order.
    std::vector<size_t> ranked = InSeededOrder(ZeroSetIndices(pool, false), seed);
    std::vector<double> calibrated(pool.size(), 0.0);
    for (size_t i : ranked) {
      for (const InstanceScore& instance : pool[i].instances) {
        calibrated[i] += weight[instance.label] * instance.uncertainty;
      }
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [&](size_t a, size_t b) { return calibrated[a] > calibrated[b]; });
    const size_t take = std::min(pool.size(), static_cast<size_t>(std::max(budget, 0)));
    const size_t n = std::min(
        ranked.size(),
        std::max(take, static_cast<size_t>(std::ceil(options_.candidate_ratio() * take))));
    const std::vector<size_t> candidates(ranked.begin(), ranked.begin() + n);

    SelectionBuilder builder(pool, metric_names(), {"dcus", "ccms_kmedoids", "zero_set_draw"});
    builder.RecordRanks(0, ranked);
    const std::vector<size_t> medoids = KMedoids(pool, candidates, std::min(take, n), seed);
    // The medoids in their stage-1 order.
    std::vector<size_t> picked;
    for (size_t j = 0; j < n; ++j) {
      if (std::find(medoids.begin(), medoids.end(), j) != medoids.end()) {
        picked.push_back(candidates[j]);
        builder.Add(candidates[j], calibrated[candidates[j]], /*from_zero_set=*/false);
      }
    }
    builder.RecordRanks(1, picked);
    if (picked.size() < take) {
      DrawFromZeroSet(ZeroSetIndices(pool, true), take - picked.size(), seed, 2, builder);
    }
    return std::move(builder).Finish();
  }

 private:
  // k medoids among `candidates` (positions into it, distinct), as the file
  // comment says.
  std::vector<size_t> KMedoids(const std::vector<ImageScore>& pool,
                               const std::vector<size_t>& candidates, size_t k,
                               uint64_t seed) const {
    const size_t n = candidates.size();
    if (k == 0 || n == 0) return {};
    std::vector<double> distance(n * n, 0.0);
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = i + 1; j < n; ++j) {
        distance[i * n + j] = distance[j * n + i] =
            PpalDistance(pool[candidates[i]].instances, pool[candidates[j]].instances,
                         options_.unmatched_distance());
      }
    }
    const auto d = [&](size_t i, size_t j) { return distance[i * n + j]; };
    // k-centre greedy initialisation.
    std::vector<size_t> centres = {SeededPermutation(n, seed ^ 0x6b6d65646f696473ULL).front()};
    std::vector<double> nearest(n, std::numeric_limits<double>::infinity());
    std::vector<bool> is_centre(n, false);
    is_centre[centres[0]] = true;
    while (centres.size() < k) {
      size_t farthest = n;
      for (size_t j = 0; j < n; ++j) {
        nearest[j] = std::min(nearest[j], d(j, centres.back()));
        if (!is_centre[j] && (farthest == n || nearest[j] > nearest[farthest])) farthest = j;
      }
      centres.push_back(farthest);
      is_centre[farthest] = true;
    }
    // k-medoids.
    std::vector<size_t> cluster(n, 0);
    for (int round = 0; round < options_.kmedoids_iterations(); ++round) {
      for (size_t j = 0; j < n; ++j) {
        size_t best = 0;
        for (size_t c = 0; c < k; ++c) {
          if (centres[c] == j) {  // a centre belongs to its own cluster
            best = c;
            break;
          }
          if (d(j, centres[c]) < d(j, centres[best])) best = c;
        }
        cluster[j] = best;
      }
      bool moved = false;
      for (size_t c = 0; c < k; ++c) {
        const auto summed = [&](size_t m) {
          double sum = 0;
          for (size_t j = 0; j < n; ++j) {
            if (cluster[j] == c) sum += d(m, j);
          }
          return sum;
        };
        // Strictly smaller sums only: ties keep the centre, then the first.
        size_t medoid = centres[c];
        double best = summed(medoid);
        for (size_t m = 0; m < n; ++m) {
          if (cluster[m] != c || m == centres[c]) continue;
          const double sum = summed(m);
          if (sum < best) {
            best = sum;
            medoid = m;
          }
        }
        if (medoid != centres[c]) {
          centres[c] = medoid;
          moved = true;
        }
      }
      if (!moved) break;
    }
    return centres;
  }

  const PpalOptions options_;
};

absl::Status CheckPpalOptions(const PpalOptions& options) {
  return OptionChecks(options)
      .InRange("box_min_score", options.box_min_score(), 0, 1)
      .AtLeast("min_box_side", options.min_box_side(), 0)
      .InRange("max_aspect_ratio", options.max_aspect_ratio(), 1, 1e6)
      .InRange("max_instances", options.max_instances(), 1, 1000)
      .InRange("candidate_ratio", options.candidate_ratio(), 1, 1000)
      .InRange("quality_score_exponent", options.quality_score_exponent(), 0, 1)
      .InRange("difficulty_alpha", options.difficulty_alpha(), 0.01, 100)
      .InRange("difficulty_upper_bound", options.difficulty_upper_bound(), 0, 100)
      .InRange("unmatched_distance", options.unmatched_distance(), 0, 2)
      .InRange("kmedoids_iterations", options.kmedoids_iterations(), 0, 100000)
      .status();
}

HUALE_REGISTER(AcquisitionRegistry, "ppal",
               "PPAL-style (Yang et al.): difficulty-calibrated uncertainty, then "
               "category-conditioned matching similarity with k-Means++",
               [](const AcquisitionSpec& spec)
                   -> absl::StatusOr<std::unique_ptr<AcquisitionFunction>> {
                 HUALE_RETURN_IF_ERROR(CheckOptionsCase(spec, AcquisitionSpec::kPpal));
                 HUALE_RETURN_IF_ERROR(CheckPpalOptions(spec.ppal()));
                 return std::make_unique<PpalAcquisition>(spec.ppal());
               });

}  // namespace
}  // namespace huale
