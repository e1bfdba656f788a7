#include "huale/data/fmnist_det.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <utility>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "huale/core/box.h"
#include "huale/core/atomic_file.h"
#include "huale/data/bad_samples.h"
#include "huale/data/idx_file.h"
#include "huale/data/seeded_random.h"
#include "nlohmann/json.hpp"

namespace huale {
namespace {

namespace fs = std::filesystem;

constexpr int kNumClasses = 10;
constexpr int kSide = 28;

struct SourceSplit {
  IdxArray images;                                 // [n, 28, 28]
  std::vector<std::vector<int>> indices_of_class;  // class -> image indices
};

absl::StatusOr<SourceSplit> LoadSource(const std::string& dir, const std::string& prefix) {
  SourceSplit split;
  const std::string images_path = absl::StrCat(dir, "/", prefix, "-images-idx3-ubyte.gz");
  const std::string labels_path = absl::StrCat(dir, "/", prefix, "-labels-idx1-ubyte.gz");
  absl::StatusOr<IdxArray> images = ReadIdxFile(images_path);
  if (!images.ok()) {
    return absl::Status(images.status().code(),
                        absl::StrCat(images.status().message(),
                                     " (install Debian's dataset-fashion-mnist: tools/setup.sh)"));
  }
  absl::StatusOr<IdxArray> labels = ReadIdxFile(labels_path);
  if (!labels.ok()) return labels.status();
  if (images->dims.size() != 3 || images->dims[1] != kSide || images->dims[2] != kSide) {
    return absl::InvalidArgumentError(
        absl::StrCat(images_path, ": expected [n, 28, 28] images"));
  }
  if (labels->dims.size() != 1 || labels->dims[0] != images->dims[0]) {
    return absl::InvalidArgumentError(
        absl::StrCat(labels_path, ": expected one label per image of ", images_path));
  }
  split.indices_of_class.resize(kNumClasses);
  for (int i = 0; i < labels->dims[0]; ++i) {
    const int label = labels->data[i];
    if (label >= kNumClasses) {
      return absl::InvalidArgumentError(
          absl::StrCat(labels_path, ": label ", label, " at ", i, " is not in 0..9"));
    }
    split.indices_of_class[label].push_back(i);
  }
  split.images = std::move(*images);
  return split;
}

// Object counts per class summing to `total`: weights (rank+1)^-alpha with
// alpha = ln(imbalance)/ln(10), so rank 0 / rank 9 = imbalance; largest
// remainder rounding. imbalance 1 gives a balanced set.
std::vector<int64_t> ClassCounts(int64_t total, double imbalance, uint64_t seed) {
  std::vector<int> class_of_rank(kNumClasses);
  std::iota(class_of_rank.begin(), class_of_rank.end(), 0);
  if (imbalance > 1) SeededShuffle(class_of_rank, MixSeed(seed, 77));
  const double alpha = std::log(std::max(1.0, imbalance)) / std::log(10.0);
  std::vector<double> weights(kNumClasses);
  for (int r = 0; r < kNumClasses; ++r) weights[r] = std::pow(r + 1.0, -alpha);
  const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
  std::vector<int64_t> counts(kNumClasses, 0);
  std::vector<std::pair<double, int>> remainders;
  int64_t assigned = 0;
  for (int r = 0; r < kNumClasses; ++r) {
    const double exact = total * weights[r] / sum;
    counts[class_of_rank[r]] = static_cast<int64_t>(std::floor(exact));
    assigned += counts[class_of_rank[r]];
    remainders.push_back({-(exact - std::floor(exact)), r});
  }
  std::sort(remainders.begin(), remainders.end());
  for (int i = 0; assigned < total; ++i, ++assigned) {
    ++counts[class_of_rank[remainders[i % kNumClasses].second]];
  }
  return counts;
}

struct SceneObject {
  int label;
  Box box;           // tight, continuous pixels
  int64_t area = 0;  // nonzero pixels
  int source_index = 0;  // Fashion-MNIST image index in its split
};

struct Scene {
  cv::Mat image;  // 8-bit BGR
  std::vector<SceneObject> objects;
};

// Cluttered background: tinted base, low-frequency texture, faint shapes.
cv::Mat MakeBackground(int side, int max_shapes, SeededRandom& random) {
  const double base = random.Uniform(0.05, 0.4);
  cv::Mat background(side, side, CV_32FC3,
                     cv::Scalar(base + random.Uniform(-0.04, 0.04),
                                base + random.Uniform(-0.04, 0.04),
                                base + random.Uniform(-0.04, 0.04)));
  const int grid = static_cast<int>(random.UniformInt(3, 8));
  cv::Mat coarse(grid, grid, CV_32FC3);
  for (int y = 0; y < grid; ++y) {
    for (int x = 0; x < grid; ++x) {
      const double v = random.Uniform(-0.12, 0.12);
      coarse.at<cv::Vec3f>(y, x) = cv::Vec3f(v + random.Uniform(-0.02, 0.02),
                                             v + random.Uniform(-0.02, 0.02),
                                             v + random.Uniform(-0.02, 0.02));
    }
  }
  cv::Mat texture;
  cv::resize(coarse, texture, cv::Size(side, side), 0, 0, cv::INTER_CUBIC);
  background += texture;
  const int shapes = static_cast<int>(random.UniformInt(0, max_shapes));
  for (int s = 0; s < shapes; ++s) {
    const double shade = base + random.Uniform(-0.15, 0.15);
    const cv::Scalar color(shade, shade + random.Uniform(-0.03, 0.03),
                           shade + random.Uniform(-0.03, 0.03));
    const cv::Point a(static_cast<int>(random.UniformInt(0, side - 1)),
                      static_cast<int>(random.UniformInt(0, side - 1)));
    const cv::Point b(static_cast<int>(random.UniformInt(0, side - 1)),
                      static_cast<int>(random.UniformInt(0, side - 1)));
    const int thickness = random.Uniform01() < 0.4 ? cv::FILLED
                                                   : static_cast<int>(random.UniformInt(1, 3));
    switch (random.UniformInt(0, 2)) {
      case 0: cv::rectangle(background, a, b, color, thickness); break;
      case 1:
        cv::ellipse(background, a,
                    cv::Size(static_cast<int>(random.UniformInt(4, side / 4)),
                             static_cast<int>(random.UniformInt(4, side / 4))),
                    random.Uniform(0, 180), 0, 360, color, thickness);
        break;
      default: cv::line(background, a, b, color, std::max(1, thickness)); break;
    }
  }
  return background;
}

// The 28 x 28 image at `pixels` scaled to a log-uniform size in
// [min_size, max_size] with mild aspect jitter, mirrored half of the time.
cv::Mat ScaleObject(const uint8_t* pixels, int min_size, int max_size, SeededRandom& random) {
  const cv::Mat digit(kSide, kSide, CV_8UC1, const_cast<uint8_t*>(pixels));
  const double size =
      std::exp(random.Uniform(std::log(min_size), std::log(max_size + 1.0)));
  const double aspect = std::exp(random.Uniform(std::log(0.8), std::log(1.25)));
  const int width = std::clamp(static_cast<int>(std::lround(size * std::sqrt(aspect))),
                               min_size, max_size);
  const int height = std::clamp(static_cast<int>(std::lround(size / std::sqrt(aspect))),
                                min_size, max_size);
  cv::Mat scaled;
  cv::resize(digit, scaled, cv::Size(width, height), 0, 0, cv::INTER_LINEAR);
  if (random.Uniform01() < 0.5) cv::flip(scaled, scaled, 1);
  return scaled;
}

// Alpha-blends `scaled` (its `nonzero` pixels) in a random tint into `canvas` [float
// BGR] with its top-left at (x0, y0); pixels outside the canvas are dropped.
void BlendTinted(const cv::Mat& scaled, const std::vector<cv::Point>& nonzero, int x0, int y0,
                 SeededRandom& random, cv::Mat& canvas) {
  const cv::Vec3f tint(static_cast<float>(random.Uniform(0.5, 1.0)),
                       static_cast<float>(random.Uniform(0.5, 1.0)),
                       static_cast<float>(random.Uniform(0.5, 1.0)));
  for (const cv::Point& p : nonzero) {
    const int x = x0 + p.x, y = y0 + p.y;
    if (x < 0 || y < 0 || x >= canvas.cols || y >= canvas.rows) continue;
    const float alpha = scaled.at<uint8_t>(p) / 255.0f;
    cv::Vec3f& pixel = canvas.at<cv::Vec3f>(y, x);
    pixel = pixel * (1 - alpha) + tint * alpha;
  }
}

// Gaussian pixel noise of a random sigma, then 8-bit (saturating).
cv::Mat AddNoiseTo8Bit(cv::Mat& canvas, SeededRandom& random) {
  cv::Mat noise(canvas.size(), CV_32FC3);
  const double sigma = random.Uniform(0.01, 0.05);
  for (int y = 0; y < noise.rows; ++y) {
    for (int x = 0; x < noise.cols; ++x) {
      noise.at<cv::Vec3f>(y, x) = cv::Vec3f(static_cast<float>(sigma * random.Normal()),
                                            static_cast<float>(sigma * random.Normal()),
                                            static_cast<float>(sigma * random.Normal()));
    }
  }
  canvas += noise;
  cv::Mat image;
  canvas.convertTo(image, CV_8UC3, 255.0);  // saturates to [0, 255]
  return image;
}

// Places one object of `label` (source image `source`) into `canvas` if a
// position keeps every earlier object visible; false when none was found.
bool PlaceObject(const SourceSplit& source, int label, const FmnistDetOptions& options,
                 SeededRandom& random, cv::Mat& canvas, std::vector<SceneObject>& objects) {
  const auto& candidates = source.indices_of_class[label];
  const int index = candidates[random.Below(candidates.size())];
  const cv::Mat scaled = ScaleObject(
      source.images.data.data() + static_cast<size_t>(index) * kSide * kSide,
      options.min_object_size, options.max_object_size, random);
  std::vector<cv::Point> nonzero;
  cv::findNonZero(scaled, nonzero);
  if (nonzero.empty()) return false;
  const cv::Rect tight = cv::boundingRect(nonzero);
  const int side = options.scene_size;
  for (int attempt = 0; attempt < 30; ++attempt) {
    // Top-left of the scaled patch such that the tight box lies in the scene.
    const int x0 = static_cast<int>(random.UniformInt(-tight.x, side - tight.x - tight.width));
    const int y0 = static_cast<int>(random.UniformInt(-tight.y, side - tight.y - tight.height));
    const Box box{static_cast<double>(x0 + tight.x), static_cast<double>(y0 + tight.y),
                  static_cast<double>(x0 + tight.x + tight.width),
                  static_cast<double>(y0 + tight.y + tight.height)};
    bool fits = true;
    for (const SceneObject& other : objects) {
      const double inter = IntersectionArea(box, other.box);
      if (Iou(box, other.box) > options.max_overlap_iou || inter > 0.8 * other.box.area() ||
          inter > 0.8 * box.area()) {
        fits = false;
        break;
      }
    }
    if (!fits) continue;
    BlendTinted(scaled, nonzero, x0, y0, random, canvas);
    objects.push_back(SceneObject{label, box, static_cast<int64_t>(nonzero.size()), index});
    return true;
  }
  return false;
}

Scene MakeScene(const SourceSplit& source, const std::vector<int>& labels,
                const FmnistDetOptions& options, SeededRandom& random) {
  Scene scene;
  cv::Mat canvas = MakeBackground(options.scene_size, options.max_clutter_shapes, random);
  for (const int label : labels) {
    PlaceObject(source, label, options, random, canvas, scene.objects);
  }
  scene.image = AddNoiseTo8Bit(canvas, random);
  return scene;
}

std::string VocXml(const std::string& id, const Scene& scene, int side) {
  std::string xml = absl::StrCat(
      "<annotation>\n  <folder>fmnist_det</folder>\n  <filename>", id,
      ".jpg</filename>\n  <size>\n    <width>", side, "</width>\n    <height>", side,
      "</height>\n    <depth>3</depth>\n  </size>\n  <segmented>0</segmented>\n");
  for (const SceneObject& object : scene.objects) {
    // The devkit's 1-based inclusive pixel coordinates: pixel columns c0..c1
    // (our continuous box [c0, c1 + 1)) are xmin = c0 + 1, xmax = c1 + 1.
    absl::StrAppend(&xml, "  <object>\n    <name>", FmnistClassNames()[object.label],
                    "</name>\n    <pose>Unspecified</pose>\n    <truncated>0</truncated>\n"
                    "    <difficult>0</difficult>\n    <bndbox>\n");
    absl::StrAppend(&xml, "      <xmin>", static_cast<int>(object.box.x1) + 1, "</xmin>\n",
                    "      <ymin>", static_cast<int>(object.box.y1) + 1, "</ymin>\n",
                    "      <xmax>", static_cast<int>(object.box.x2), "</xmax>\n",
                    "      <ymax>", static_cast<int>(object.box.y2), "</ymax>\n");
    absl::StrAppend(&xml, "    </bndbox>\n  </object>\n");
  }
  absl::StrAppend(&xml, "</annotation>\n");
  return xml;
}

struct SplitOutput {
  std::vector<std::string> ids;
  nlohmann::ordered_json coco_images = nlohmann::ordered_json::array();
  nlohmann::ordered_json coco_annotations = nlohmann::ordered_json::array();
  std::vector<int64_t> objects_per_class = std::vector<int64_t>(kNumClasses, 0);
  std::string source_name;     // the Fashion-MNIST split: "train" or "t10k"
  std::string object_sources;  // object_sources.txt lines
};

absl::Status WriteSplit(const SourceSplit& source, int num_images, int first_number,
                        double imbalance, uint64_t split_seed, const FmnistDetOptions& options,
                        const fs::path& root, int64_t& next_annotation_id, SplitOutput& out) {
  SeededRandom plan(split_seed);
  std::vector<int> objects_in_scene(num_images);
  int64_t total = 0;
  for (int& n : objects_in_scene) {
    n = static_cast<int>(plan.UniformInt(options.min_objects, options.max_objects));
    total += n;
  }
  const std::vector<int64_t> counts = ClassCounts(total, imbalance, options.seed);
  std::vector<int> deck;
  for (int c = 0; c < kNumClasses; ++c) deck.insert(deck.end(), counts[c], c);
  SeededShuffle(deck, MixSeed(split_seed, 1));
  const std::vector<int> params = {cv::IMWRITE_JPEG_QUALITY, options.jpeg_quality};
  size_t next_card = 0;
  for (int i = 0; i < num_images; ++i) {
    const int number = first_number + i;
    const std::string id = absl::StrFormat("%06d", number);
    std::vector<int> labels(deck.begin() + next_card,
                            deck.begin() + next_card + objects_in_scene[i]);
    next_card += objects_in_scene[i];
    SeededRandom random(MixSeed(split_seed, 1000 + i));
    const Scene scene = MakeScene(source, labels, options, random);
    const fs::path image_path = root / "JPEGImages" / (id + ".jpg");
    if (!cv::imwrite(image_path.string(), scene.image, params)) {
      return absl::UnavailableError(absl::StrCat("cannot write ", image_path.string()));
    }
    if (absl::Status s = WriteFileAtomically((root / "Annotations" / (id + ".xml")).string(),
                                             VocXml(id, scene, options.scene_size));
        !s.ok()) {
      return s;
    }
    out.ids.push_back(id);
    out.coco_images.push_back({{"id", number},
                               {"file_name", id + ".jpg"},
                               {"width", options.scene_size},
                               {"height", options.scene_size}});
    for (const SceneObject& object : scene.objects) {
      ++out.objects_per_class[object.label];
      absl::StrAppend(&out.object_sources, id, " ", out.source_name, " ", object.source_index,
                      " ", FmnistClassNames()[object.label], "\n");
      out.coco_annotations.push_back(
          {{"id", next_annotation_id++},
           {"image_id", number},
           {"category_id", object.label + 1},
           {"bbox", {object.box.x1, object.box.y1, object.box.width(), object.box.height()}},
           {"area", object.area},
           {"iscrowd", 0}});
    }
  }
  return absl::OkStatus();
}

std::string CocoJson(const SplitOutput& split) {
  nlohmann::ordered_json categories = nlohmann::ordered_json::array();
  for (int c = 0; c < kNumClasses; ++c) {
    categories.push_back(
        {{"id", c + 1}, {"name", FmnistClassNames()[c]}, {"supercategory", "fashion"}});
  }
  const nlohmann::ordered_json json = {
      {"info", {{"description", "huale Fashion-MNIST detection benchmark"}}},
      {"images", split.coco_images},
      {"annotations", split.coco_annotations},
      {"categories", std::move(categories)}};
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string HistogramText(const FmnistDetResult& result) {
  std::string text = absl::StrFormat("%-12s %8s %8s\n", "class", "pool", "test");
  for (int c = 0; c < kNumClasses; ++c) {
    absl::StrAppend(&text, absl::StrFormat("%-12s %8d %8d\n", FmnistClassNames()[c],
                                           result.pool_objects_per_class[c],
                                           result.test_objects_per_class[c]));
  }
  const auto [pool_min, pool_max] = std::minmax_element(result.pool_objects_per_class.begin(),
                                                        result.pool_objects_per_class.end());
  const int64_t pool_total = std::accumulate(result.pool_objects_per_class.begin(),
                                             result.pool_objects_per_class.end(), int64_t{0});
  const int64_t test_total = std::accumulate(result.test_objects_per_class.begin(),
                                             result.test_objects_per_class.end(), int64_t{0});
  absl::StrAppend(&text, absl::StrFormat("%-12s %8d %8d\n", "objects", pool_total, test_total),
                  absl::StrFormat("%-12s %8d %8d\n", "images", result.pool_images,
                                  result.test_images),
                  absl::StrFormat("pool most/least frequent class: %.2f\n",
                                  *pool_min > 0 ? static_cast<double>(*pool_max) / *pool_min
                                                : 0.0));
  return text;
}

std::string PretrainSplitText(const FmnistDetOptions& options, int64_t train_size) {
  return absl::StrCat(
      "# Fashion-MNIST train images reserved for backbone pre-training\n"
      "# (//tools:pretrain_backbone); no pool (trainval) scene uses them, test scenes\n"
      "# come from t10k. Half-open index ranges into train-images-idx3-ubyte.gz.\n"
      "reserved_train_indices: [0, ", options.pretrain_reserved, ")\n",
      "pretrain_fit_indices: [0, ", kFmnistPretrainHeldOut, ")\n",
      "pretrain_held_out_indices: [", kFmnistPretrainHeldOut, ", ", options.pretrain_reserved,
      ")\npool_train_indices: [", options.pretrain_reserved, ", ", train_size, ")\n");
}

}  // namespace

const std::vector<std::string>& FmnistClassNames() {
  static const std::vector<std::string>* const names = new std::vector<std::string>{
      "tshirt_top", "trouser", "pullover", "dress", "coat",
      "sandal",     "shirt",   "sneaker",  "bag",   "ankle_boot"};
  return *names;
}

absl::StatusOr<FmnistDetOptions> FmnistDetProfile(const std::string& profile) {
  FmnistDetOptions options;
  options.profile = profile;
  if (profile == "smoke") {
    options.pool_images = 60;
    options.test_images = 30;
  } else if (profile == "small") {
    options.pool_images = 3000;
    options.test_images = 500;
  } else if (profile == "full") {
    options.pool_images = 20000;
    options.test_images = 2000;
  } else if (profile == "v2a" || profile == "v2b") {
    options.format_version = 2;
    options.pretrain_reserved = kFmnistPretrainReserved;
    options.pool_images = 4000;
    options.test_images = 1000;
    const bool a = profile == "v2a";
    options.scene_size = a ? 160 : 224;
    options.min_objects = a ? 1 : 3;
    options.max_objects = a ? 6 : 10;
    options.min_object_size = a ? 24 : 16;
    options.max_object_size = a ? 96 : 64;
    options.max_clutter_shapes = a ? 4 : 14;
    options.imbalance = a ? 4 : 20;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "--profile: expected smoke, small, full, v2a or v2b, found '", profile, "'"));
  }
  return options;
}

std::string FmnistDetSettingsText(const FmnistDetOptions& o) {
  // v1's text is unchanged, so v1 folders generated before v2 are reused.
  const std::string v2_settings =
      o.format_version < 2
          ? ""
          : absl::StrCat("clutter_shapes: 0..", o.max_clutter_shapes,
                         "\npretrain_reserved_train_indices: [0, ", o.pretrain_reserved, ")\n");
  return absl::StrCat("generator: huale fmnist_det v", o.format_version, "\nprofile: ", o.profile,
                      "\npool_images: ", o.pool_images, "\ntest_images: ", o.test_images,
                      "\nscene_size: ", o.scene_size, "\nobjects: ", o.min_objects, "..",
                      o.max_objects, "\nobject_size: ", o.min_object_size, "..",
                      o.max_object_size, "\nimbalance: ", o.imbalance,
                      "\nmax_overlap_iou: ", o.max_overlap_iou, "\nseed: ", o.seed,
                      "\njpeg_quality: ", o.jpeg_quality, "\n", v2_settings);
}

absl::StatusOr<FmnistDetResult> MakeFmnistDet(const FmnistDetOptions& options) {
  if (options.output_dir.empty()) {
    return absl::InvalidArgumentError("--output_dir: required");
  }
  if (options.pool_images < 1 || options.test_images < 1 || options.min_objects < 1 ||
      options.max_objects < options.min_objects || options.min_object_size < 4 ||
      options.max_object_size < options.min_object_size ||
      options.max_object_size > options.scene_size || options.imbalance < 1 ||
      options.max_clutter_shapes < 0 || options.pretrain_reserved < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid generator settings:\n", FmnistDetSettingsText(options)));
  }
  fs::path out = fs::path(options.output_dir).lexically_normal();
  if (out.filename().empty()) out = out.parent_path();
  const std::string settings = FmnistDetSettingsText(options);
  std::error_code error;
  if (fs::exists(out, error)) {
    absl::StatusOr<std::string> existing =
        ReadFile((out / "generator_settings.txt").string());
    if (existing.ok() && *existing == settings) {
      FmnistDetResult result;
      result.reused = true;
      absl::StatusOr<std::string> histogram =
          ReadFile((out / "class_histogram.txt").string());
      if (histogram.ok()) result.histogram = *histogram;
      return result;
    }
    return absl::FailedPreconditionError(absl::StrCat(
        options.output_dir, " exists but was not generated with these settings (see its "
                            "generator_settings.txt); delete it or choose another --output_dir"));
  }

  absl::StatusOr<SourceSplit> train = LoadSource(options.source_dir, "train");
  if (!train.ok()) return train.status();
  absl::StatusOr<SourceSplit> test = LoadSource(options.source_dir, "t10k");
  if (!test.ok()) return test.status();
  for (std::vector<int>& indices : train->indices_of_class) {
    indices.erase(std::remove_if(indices.begin(), indices.end(),
                                 [&](int i) { return i < options.pretrain_reserved; }),
                  indices.end());
    if (indices.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "pretrain_reserved ", options.pretrain_reserved,
          " leaves a class without train images for the pool"));
    }
  }

  const fs::path tmp = out.parent_path() / absl::StrCat(out.filename().string(), ".tmp-", getpid());
  fs::remove_all(tmp, error);
  for (const char* sub : {"JPEGImages", "Annotations", "ImageSets/Main", "annotations"}) {
    fs::create_directories(tmp / sub, error);
    if (error) {
      return absl::UnavailableError(
          absl::StrCat("cannot create ", (tmp / sub).string(), ": ", error.message()));
    }
  }
  FmnistDetResult result;
  SplitOutput pool, test_split;
  pool.source_name = "train";
  test_split.source_name = "t10k";
  int64_t annotation_id = 1;
  absl::Status status = WriteSplit(*train, options.pool_images, 1, options.imbalance,
                                   MixSeed(options.seed, 101), options, tmp, annotation_id, pool);
  if (status.ok()) {
    status = WriteSplit(*test, options.test_images, options.pool_images + 1, /*imbalance=*/1,
                        MixSeed(options.seed, 202), options, tmp, annotation_id, test_split);
  }
  result.pool_objects_per_class = pool.objects_per_class;
  result.test_objects_per_class = test_split.objects_per_class;
  result.pool_images = options.pool_images;
  result.test_images = options.test_images;
  result.histogram = HistogramText(result);
  std::vector<std::pair<std::string, std::string>> files;
  if (options.format_version >= 2) {
    files = {{"pretrain_split.txt", PretrainSplitText(options, train->images.dims[0])},
             {"object_sources.txt",
              absl::StrCat("# image_id split index class\n", pool.object_sources,
                           test_split.object_sources)}};
  }
  files.insert(files.end(), {
      {"ImageSets/Main/trainval.txt", absl::StrCat(absl::StrJoin(pool.ids, "\n"), "\n")},
      {"ImageSets/Main/test.txt", absl::StrCat(absl::StrJoin(test_split.ids, "\n"), "\n")},
      {"annotations/instances_trainval.json", CocoJson(pool)},
      {"annotations/instances_test.json", CocoJson(test_split)},
      {"classes.txt", absl::StrCat(absl::StrJoin(FmnistClassNames(), "\n"), "\n")},
      {"class_histogram.txt", result.histogram},
      {"generator_settings.txt", settings},  // last: marks a complete tree
  });
  for (const auto& [name, contents] : files) {
    if (!status.ok()) break;
    status = WriteFileAtomically((tmp / name).string(), contents);
  }
  if (status.ok()) {
    fs::rename(tmp, out, error);
    if (error) {
      status = absl::UnavailableError(absl::StrCat("cannot rename ", tmp.string(), " to ",
                                                   out.string(), ": ", error.message()));
    }
  }
  if (!status.ok()) {
    fs::remove_all(tmp, error);
    return status;
  }
  return result;
}

cv::Mat RenderFmnistObject(const uint8_t* pixels, int side, uint64_t seed) {
  SeededRandom random(seed);
  cv::Mat canvas = MakeBackground(side, /*max_shapes=*/6, random);
  const cv::Mat scaled = ScaleObject(pixels, side / 2, side, random);
  std::vector<cv::Point> nonzero;
  cv::findNonZero(scaled, nonzero);
  if (!nonzero.empty()) {
    const cv::Rect tight = cv::boundingRect(nonzero);
    const int x0 = static_cast<int>(random.UniformInt(-tight.x, side - tight.x - tight.width));
    const int y0 = static_cast<int>(random.UniformInt(-tight.y, side - tight.y - tight.height));
    BlendTinted(scaled, nonzero, x0, y0, random, canvas);
  }
  return AddNoiseTo8Bit(canvas, random);
}

}  // namespace huale
