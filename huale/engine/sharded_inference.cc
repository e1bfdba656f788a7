#include "huale/engine/sharded_inference.h"

#include <chrono>
#include <string>

#include "absl/strings/str_cat.h"
#include "huale/engine/gathered_results.pb.h"

namespace huale {
namespace {

// Whole batches of the one-process order (see ShardRange).
std::vector<int64_t> MyShard(const Collectives& group, const std::vector<int64_t>& indices,
                             const InferenceOptions& options) {
  const auto [begin, end] = ShardRange(static_cast<int64_t>(indices.size()), group.rank(),
                                       group.world_size(), options.batch_size);
  return std::vector<int64_t>(indices.begin() + begin, indices.begin() + end);
}

template <typename T>
absl::StatusOr<std::vector<T>> GatherAll(
    Collectives& group, const std::vector<T>& mine, absl::string_view what,
    std::string (*encode)(const std::vector<T>&),
    absl::StatusOr<std::vector<T>> (*decode)(const std::string&)) {
  absl::StatusOr<std::vector<std::string>> parts = group.AllGather(encode(mine), what);
  if (!parts.ok()) return parts.status();
  std::vector<T> all;
  for (size_t r = 0; r < parts->size(); ++r) {
    absl::StatusOr<std::vector<T>> decoded = decode((*parts)[r]);
    if (!decoded.ok()) {
      return absl::DataLossError(
          absl::StrCat(what, ": rank ", r, " sent malformed results: ", decoded.status().message()));
    }
    for (T& item : *decoded) all.push_back(std::move(item));
  }
  return all;
}

}  // namespace

std::string EncodeDetections(const std::vector<ImageDetections>& images) {
  DetectedShard shard;
  for (const ImageDetections& image : images) {
    DetectedImage* out = shard.add_images();
    out->set_image_id(image.image_id);
    out->set_width(image.width);
    out->set_height(image.height);
    out->mutable_embedding()->Add(image.embedding.begin(), image.embedding.end());
    for (const Detection& d : image.detections) {
      DetectedBox* box = out->add_detections();
      box->set_x1(d.box.x1);
      box->set_y1(d.box.y1);
      box->set_x2(d.box.x2);
      box->set_y2(d.box.y2);
      box->set_score(d.score);
      box->set_label(d.label);
      box->mutable_class_probs()->Add(d.class_probs.begin(), d.class_probs.end());
      box->set_predicted_iou(d.predicted_iou);
      box->mutable_feature()->Add(d.feature.begin(), d.feature.end());
    }
  }
  return shard.SerializeAsString();
}

absl::StatusOr<std::vector<ImageDetections>> DecodeDetections(const std::string& bytes) {
  DetectedShard shard;
  if (!shard.ParseFromString(bytes)) return absl::DataLossError("not a DetectedShard");
  std::vector<ImageDetections> images;
  for (const DetectedImage& in : shard.images()) {
    ImageDetections image;
    image.image_id = in.image_id();
    image.width = in.width();
    image.height = in.height();
    image.embedding.assign(in.embedding().begin(), in.embedding().end());
    for (const DetectedBox& box : in.detections()) {
      Detection d;
      d.box = Box{box.x1(), box.y1(), box.x2(), box.y2()};
      d.score = box.score();
      d.label = box.label();
      d.class_probs.assign(box.class_probs().begin(), box.class_probs().end());
      d.predicted_iou = box.predicted_iou();
      d.feature.assign(box.feature().begin(), box.feature().end());
      image.detections.push_back(std::move(d));
    }
    images.push_back(std::move(image));
  }
  return images;
}

std::string EncodeScores(const std::vector<ImageScore>& scores) {
  ScoredShard shard;
  for (const ImageScore& score : scores) {
    ScoredImage* out = shard.add_images();
    out->set_image_id(score.image_id);
    out->set_in_zero_set(score.in_zero_set);
    out->mutable_metrics()->Add(score.metrics.begin(), score.metrics.end());
    out->set_max_score(score.max_score);
    out->mutable_embedding()->Add(score.embedding.begin(), score.embedding.end());
    for (const InstanceScore& instance : score.instances) {
      ScoredInstance* item = out->add_instances();
      item->set_label(instance.label);
      item->set_score(instance.score);
      item->set_uncertainty(instance.uncertainty);
      item->mutable_feature()->Add(instance.feature.begin(), instance.feature.end());
    }
  }
  return shard.SerializeAsString();
}

absl::StatusOr<std::vector<ImageScore>> DecodeScores(const std::string& bytes) {
  ScoredShard shard;
  if (!shard.ParseFromString(bytes)) return absl::DataLossError("not a ScoredShard");
  std::vector<ImageScore> scores;
  for (const ScoredImage& in : shard.images()) {
    ImageScore score;
    score.image_id = in.image_id();
    score.in_zero_set = in.in_zero_set();
    score.metrics.assign(in.metrics().begin(), in.metrics().end());
    score.max_score = in.max_score();
    score.embedding.assign(in.embedding().begin(), in.embedding().end());
    for (const ScoredInstance& item : in.instances()) {
      score.instances.push_back({item.label(), item.score(), item.uncertainty(),
                                 {item.feature().begin(), item.feature().end()}});
    }
    scores.push_back(std::move(score));
  }
  return scores;
}

absl::StatusOr<std::vector<ImageDetections>> DetectImagesSharded(
    Collectives& group, Detector& model, const Dataset& dataset,
    const std::vector<int64_t>& indices, const InferenceOptions& options,
    const DetectOptions& detect_options) {
  if (group.world_size() == 1) {
    return DetectImages(model, dataset, indices, options, detect_options);
  }
  absl::StatusOr<std::vector<ImageDetections>> mine =
      DetectImages(model, dataset, MyShard(group, indices, options), options, detect_options);
  if (!mine.ok()) return mine.status();
  return GatherAll<ImageDetections>(group, *mine, absl::StrCat(options.label, ": gather"),
                                    &EncodeDetections, &DecodeDetections);
}

absl::StatusOr<PoolScoringResult> ScorePoolSharded(Collectives& group, Detector* model,
                                                   const Dataset& dataset,
                                                   const std::vector<int64_t>& indices,
                                                   const AcquisitionFunction& acquisition,
                                                   const ScoringContext& context,
                                                   const InferenceOptions& options) {
  if (group.world_size() == 1) {
    return ScorePool(model, dataset, indices, acquisition, context, options);
  }
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<PoolScoringResult> mine =
      ScorePool(model, dataset, MyShard(group, indices, options), acquisition, context, options);
  if (!mine.ok()) return mine.status();
  absl::StatusOr<std::vector<ImageScore>> all = GatherAll<ImageScore>(
      group, mine->scores, absl::StrCat(options.label, ": gather"), &EncodeScores, &DecodeScores);
  if (!all.ok()) return all.status();
  PoolScoringResult result;
  result.scores = std::move(*all);
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.images_per_second = result.seconds > 0 ? indices.size() / result.seconds : 0;
  return result;
}

}  // namespace huale
