// The embedded benchmark: detection scenes composed from Debian's real
// Fashion-MNIST images (dataset-fashion-mnist, idx format), written both in the
// VOC devkit layout and as COCO instances JSON so both readers load it.
//
//   <out>/JPEGImages/NNNNNN.jpg, Annotations/NNNNNN.xml, ImageSets/Main/{trainval,test}.txt
//   <out>/annotations/instances_{trainval,test}.json   (coco_image_dir: "JPEGImages")
//   <out>/classes.txt, generator_settings.txt, class_histogram.txt
//
// Pool (trainval) scenes take objects from the train split, test scenes from
// t10k. Each scene has 1..8 objects of 16..96 px (bilinear upscaling, log-uniform
// size, mild aspect jitter), boxes tight around the object's nonzero pixels,
// overlaps allowed up to an IoU cap, over a cluttered background (low-frequency
// texture, faint shapes, pixel noise). Pool classes are long-tailed (Zipf-like,
// most/least frequent = `imbalance`, class ranks shuffled by the seed); the test
// set is balanced. Everything follows from the seed.
//
// Benchmark v2 (profiles v2a, v2b; method doc §5, the paper's regime: a
// pretrained backbone and a large pool) reserves Fashion-MNIST train indices
// [0, kFmnistPretrainReserved) = [0, 20000) for backbone pre-training
// (//tools:pretrain_backbone, the benchmark's "ImageNet"): pool scenes take
// objects only from train [20000, 60000), test scenes from t10k. A v2 folder
// also holds pretrain_split.txt (the reserved range) and object_sources.txt (each
// object's source split and index). v1 profiles (smoke, small, full) reserve
// nothing and generate what they always did.
#ifndef HUALE_DATA_FMNIST_DET_H_
#define HUALE_DATA_FMNIST_DET_H_

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"

namespace huale {

// The ten Fashion-MNIST classes, label order, as written in the annotations.
const std::vector<std::string>& FmnistClassNames();

// Benchmark v2: Fashion-MNIST train indices [0, this) are for backbone
// pre-training only; of those, [kFmnistPretrainHeldOut, this) are its held-out
// accuracy check.
inline constexpr int kFmnistPretrainReserved = 20000;
inline constexpr int kFmnistPretrainHeldOut = 18000;

struct FmnistDetOptions {
  std::string profile = "small";
  // 1: smoke/small/full; 2: v2a/v2b (writes pretrain_split.txt, object_sources.txt).
  int format_version = 1;
  std::string source_dir = "/usr/share/datasets/fashion-mnist";
  std::string output_dir;  // required
  int pool_images = 3000;
  int test_images = 500;
  int scene_size = 160;  // square scenes
  int min_objects = 1;
  int max_objects = 8;
  int min_object_size = 16;
  int max_object_size = 96;
  // Pool: most / least frequent class object count.
  double imbalance = 20;
  // A new object may overlap an earlier one up to this IoU (and cover at most
  // 80% of it), so every object stays visible.
  double max_overlap_iou = 0.5;
  // Background clutter: 0..max_clutter_shapes faint rectangles, ellipses, lines.
  int max_clutter_shapes = 6;
  // Pool scenes never use train indices [0, pretrain_reserved) (v2: 20000).
  int pretrain_reserved = 0;
  uint64_t seed = 0;
  int jpeg_quality = 92;
};

// v1: "smoke" (~60 pool / 30 test images, seconds), "small" (the default
// experiment: 3000 / 500) or "full" (20000 / 2000).
// v2 (4000 pool / 1000 balanced test images; train [0, 20000) reserved for
// pre-training, see above):
//   "v2a": 160 px scenes, 1..6 objects of 24..96 px, light clutter (0..4
//          shapes), mild skew (most / least frequent class 4);
//   "v2b": 224 px scenes, 3..10 objects of 16..64 px, heavy clutter (0..14
//          shapes), strong skew (20).
// InvalidArgument otherwise.
absl::StatusOr<FmnistDetOptions> FmnistDetProfile(const std::string& profile);

struct FmnistDetResult {
  bool reused = false;  // the output already existed with the same settings
  std::vector<int64_t> pool_objects_per_class;
  std::vector<int64_t> test_objects_per_class;
  int64_t pool_images = 0, test_images = 0;
  std::string histogram;  // human-readable table (also in class_histogram.txt)
};

// Generates into a temporary folder beside output_dir and renames it into place.
// If output_dir exists with the same settings, nothing is done (reused); with
// other settings, FailedPrecondition (delete it or pick another folder).
absl::StatusOr<FmnistDetResult> MakeFmnistDet(const FmnistDetOptions& options);

// The settings text stored in generator_settings.txt (one key: value a line).
std::string FmnistDetSettingsText(const FmnistDetOptions& options);

// One Fashion-MNIST image (28 x 28 bytes) rendered as the scenes render an
// object: scaled to side/2..side px, tinted, on a `side`-px cluttered
// background with the scenes' pixel noise; 8-bit BGR. Backbone pre-training
// (tools/pretrain_backbone) sees the objects as the detector will.
cv::Mat RenderFmnistObject(const uint8_t* pixels, int side, uint64_t seed);

}  // namespace huale

#endif  // HUALE_DATA_FMNIST_DET_H_
