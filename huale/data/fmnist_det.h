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
#ifndef HUALE_DATA_FMNIST_DET_H_
#define HUALE_DATA_FMNIST_DET_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace huale {

// The ten Fashion-MNIST classes, label order, as written in the annotations.
const std::vector<std::string>& FmnistClassNames();

struct FmnistDetOptions {
  std::string profile = "small";
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
  uint64_t seed = 0;
  int jpeg_quality = 92;
};

// "smoke" (~60 pool / 30 test images, seconds), "small" (the default
// experiment: 3000 / 500) or "full" (20000 / 2000); InvalidArgument otherwise.
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

}  // namespace huale

#endif  // HUALE_DATA_FMNIST_DET_H_
