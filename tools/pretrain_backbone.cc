// Pre-trains fasterrcnn_small_fpn's ResNet body as a 10-class Fashion-MNIST
// classifier: benchmark v2's "ImageNet" (method doc §5: the paper's detector
// starts from an ImageNet backbone, pre-trained on images disjoint from the pool).
//
//   bazel run -c opt //tools:pretrain_backbone
//
// Data: Fashion-MNIST train indices [0, 18000) to fit, [18000, 20000) held out,
// both inside the range the v2 generator reserves (huale/data/fmnist_det.h,
// pretrain_split.txt); each image rendered as the scenes render objects
// (RenderFmnistObject: tinted, on clutter, with noise; a new rendering every
// epoch) and normalised as the detector normalises. Model: the body as the
// detector builds it (SmallFpnConfig), a linear head on the globally averaged
// last stage. SGD with momentum, cosine learning rate. Deterministic for a given
// --seed and --threads.
//
// Writes <output> (the body's tensors as "backbone.body.*", for
// model.backbone_weights) and <output minus .pt>.json (settings, time, held-out
// top-1 per epoch).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <numeric>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "experiments/process_setup.h"
#include "glog/logging.h"
#include "huale/core/atomic_file.h"
#include "huale/data/fmnist_det.h"
#include "huale/data/idx_file.h"
#include "huale/data/seeded_random.h"
#include "huale/models/faster_rcnn.h"
#include "huale/models/resnet.h"
#include "huale/models/transform.h"
#include "huale/models/weights.h"
#include "nlohmann/json.hpp"

ABSL_FLAG(std::string, source_dir, "/usr/share/datasets/fashion-mnist",
          "Fashion-MNIST idx files (Debian's dataset-fashion-mnist)");
ABSL_FLAG(std::string, output, "data/fmnist_det/pretrain/small_fpn_body.pt",
          "Body weights file; the JSON report goes beside it. Relative paths resolve "
          "against the directory `bazel run` was started from.");
ABSL_FLAG(int, epochs, 10, "Passes over the fit images");
ABSL_FLAG(int, batch_size, 64, "Images per SGD step");
ABSL_FLAG(double, lr, 0.1, "Peak learning rate (cosine decay to 0)");
ABSL_FLAG(double, weight_decay, 5e-4, "SGD weight decay");
ABSL_FLAG(int, image_size, 64, "Side of the rendered square images");
ABSL_FLAG(int, fit_images, 0, "Use only the first N fit images (0 = all 18000)");
ABSL_FLAG(int, held_out_images, 0, "Use only the first N held-out images (0 = all 2000)");
ABSL_FLAG(uint64_t, seed, 0, "Initialisation, order and rendering seed");
ABSL_FLAG(int, threads, 0, "Intra-op threads (0 = $HUALE_THREADS, else every core)");

namespace huale {
namespace {

constexpr int kSide = 28;
constexpr int kNumClasses = 10;

struct Images {
  IdxArray pixels;
  IdxArray labels;
};

// The rendered images of `indices` as a normalised batch [B, 3, S, S] and their
// labels [B]; image i's rendering is seeded by (seed, indices[i]).
std::pair<torch::Tensor, torch::Tensor> Batch(const Images& data, const std::vector<int>& indices,
                                              int side, uint64_t seed) {
  const DetectorTransformOptions normalisation;
  torch::Tensor batch = torch::empty({static_cast<int64_t>(indices.size()), 3, side, side});
  torch::Tensor labels = torch::empty({static_cast<int64_t>(indices.size())}, torch::kLong);
  for (size_t i = 0; i < indices.size(); ++i) {
    const cv::Mat bgr = RenderFmnistObject(
        data.pixels.data.data() + static_cast<size_t>(indices[i]) * kSide * kSide, side,
        MixSeed(seed, indices[i]));
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    rgb.convertTo(rgb, CV_32FC3, 1.0 / 255.0);
    batch[i] = torch::from_blob(rgb.data, {side, side, 3}, torch::kFloat).permute({2, 0, 1});
    labels[i] = static_cast<int64_t>(data.labels.data[indices[i]]);
  }
  const torch::Tensor mean = torch::tensor(normalisation.mean, torch::kFloat).view({1, 3, 1, 1});
  const torch::Tensor std = torch::tensor(normalisation.std, torch::kFloat).view({1, 3, 1, 1});
  return {(batch - mean) / std, labels};
}

struct ClassifierImpl : torch::nn::Module {
  explicit ClassifierImpl(const ResNetOptions& options) {
    body = register_module("body", ResNetBody(options));
    head = register_module("head", torch::nn::Linear(body->out_channels().back(), kNumClasses));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    return head->forward(body->forward(x).back().mean({2, 3}));
  }
  ResNetBody body{nullptr};
  torch::nn::Linear head{nullptr};
};
TORCH_MODULE(Classifier);

double Top1(Classifier& model, const Images& data, const std::vector<int>& indices, int side,
            int batch_size, uint64_t seed) {
  torch::NoGradGuard no_grad;
  model->eval();
  int64_t correct = 0;
  for (size_t start = 0; start < indices.size(); start += batch_size) {
    const std::vector<int> part(indices.begin() + start,
                                indices.begin() + std::min(indices.size(), start + batch_size));
    auto [images, labels] = Batch(data, part, side, seed);
    correct += model->forward(images).argmax(1).eq(labels).sum().item<int64_t>();
  }
  model->train();
  return static_cast<double>(correct) / indices.size();
}

absl::StatusOr<Images> ReadTrainSplit(const std::string& dir) {
  Images data;
  absl::StatusOr<IdxArray> pixels = ReadIdxFile(dir + "/train-images-idx3-ubyte.gz");
  if (!pixels.ok()) return pixels.status();
  absl::StatusOr<IdxArray> labels = ReadIdxFile(dir + "/train-labels-idx1-ubyte.gz");
  if (!labels.ok()) return labels.status();
  if (pixels->dims.size() != 3 || pixels->dims[0] < kFmnistPretrainReserved ||
      pixels->dims[1] != kSide || pixels->dims[2] != kSide ||
      labels->dims != std::vector<int>{pixels->dims[0]}) {
    return absl::InvalidArgumentError(absl::StrCat(
        dir, ": expected >= ", kFmnistPretrainReserved, " train images of 28 x 28 with labels"));
  }
  data.pixels = std::move(*pixels);
  data.labels = std::move(*labels);
  return data;
}

std::vector<int> Range(int begin, int end, int limit) {
  if (limit > 0) end = std::min(end, begin + limit);
  std::vector<int> out(end - begin);
  std::iota(out.begin(), out.end(), begin);
  return out;
}

int Main(const std::string& output) {
  const uint64_t seed = absl::GetFlag(FLAGS_seed);
  const int side = absl::GetFlag(FLAGS_image_size);
  const int batch_size = absl::GetFlag(FLAGS_batch_size);
  const int epochs = absl::GetFlag(FLAGS_epochs);
  const int threads = ChooseThreadCount(absl::GetFlag(FLAGS_threads), 0);
  torch::set_num_threads(threads);
  absl::StatusOr<Images> data = ReadTrainSplit(absl::GetFlag(FLAGS_source_dir));
  if (!data.ok()) {
    std::cerr << "error: " << data.status().message() << "\n";
    return 1;
  }
  const std::vector<int> fit = Range(0, kFmnistPretrainHeldOut, absl::GetFlag(FLAGS_fit_images));
  const std::vector<int> held_out = Range(kFmnistPretrainHeldOut, kFmnistPretrainReserved,
                                          absl::GetFlag(FLAGS_held_out_images));
  absl::StatusOr<FasterRcnnConfig> config = SmallFpnConfig(FasterRcnnOptions());
  CHECK(config.ok()) << config.status();
  torch::manual_seed(seed);
  Classifier model(config->body);
  torch::optim::SGD sgd(model->parameters(),
                        torch::optim::SGDOptions(absl::GetFlag(FLAGS_lr))
                            .momentum(0.9)
                            .weight_decay(absl::GetFlag(FLAGS_weight_decay)));
  const int64_t steps_per_epoch = (fit.size() + batch_size - 1) / batch_size;
  const int64_t total_steps = steps_per_epoch * epochs;
  const uint64_t held_out_seed = MixSeed(seed, 999);
  nlohmann::ordered_json per_epoch = nlohmann::ordered_json::array();
  const auto start = std::chrono::steady_clock::now();
  int64_t step = 0;
  double top1 = 0;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    std::vector<int> order = fit;
    SeededShuffle(order, MixSeed(seed, epoch));
    double loss_sum = 0;
    for (size_t first = 0; first < order.size(); first += batch_size, ++step) {
      const double lr = 0.5 * absl::GetFlag(FLAGS_lr) * (1 + std::cos(M_PI * step / total_steps));
      for (auto& group : sgd.param_groups()) group.options().set_lr(lr);
      const std::vector<int> part(order.begin() + first,
                                  order.begin() + std::min(order.size(), first + batch_size));
      auto [images, labels] = Batch(*data, part, side, MixSeed(seed, 100 + epoch));
      const torch::Tensor loss = torch::cross_entropy_loss(model->forward(images), labels);
      sgd.zero_grad();
      loss.backward();
      sgd.step();
      loss_sum += loss.item<double>();
    }
    top1 = Top1(model, *data, held_out, side, 256, held_out_seed);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << absl::StrFormat("epoch %d: loss %.4f, held-out top-1 %.4f, %.0f s\n", epoch + 1,
                                 loss_sum / steps_per_epoch, top1, seconds)
              << std::flush;
    per_epoch.push_back({{"epoch", epoch + 1},
                         {"train_loss", loss_sum / steps_per_epoch},
                         {"held_out_top1", top1},
                         {"seconds", seconds}});
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  NamedTensors body;
  for (const auto& p : model->body->named_parameters()) {
    body.emplace_back(absl::StrCat(kBackboneBodyPrefix, p.key()), p.value());
  }
  for (const auto& b : model->body->named_buffers()) {
    body.emplace_back(absl::StrCat(kBackboneBodyPrefix, b.key()), b.value());
  }
  std::error_code error;
  std::filesystem::create_directories(std::filesystem::path(output).parent_path(), error);
  if (absl::Status s = WriteWeightsFile(output, body); !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 1;
  }
  const nlohmann::ordered_json report = {
      {"model", "fasterrcnn_small_fpn body"},
      {"weights", std::filesystem::path(output).filename().string()},
      {"fit_train_indices", absl::StrCat("[0, ", fit.size(), ")")},
      {"held_out_train_indices",
       absl::StrCat("[", kFmnistPretrainHeldOut, ", ", kFmnistPretrainHeldOut + held_out.size(),
                    ")")},
      {"reserved_train_indices", absl::StrCat("[0, ", kFmnistPretrainReserved, ")")},
      {"image_size", side},
      {"epochs", epochs},
      {"batch_size", batch_size},
      {"lr", absl::GetFlag(FLAGS_lr)},
      {"weight_decay", absl::GetFlag(FLAGS_weight_decay)},
      {"seed", seed},
      {"threads", threads},
      {"held_out_top1", top1},
      {"train_seconds", seconds},
      {"per_epoch", per_epoch}};
  const std::string json_path =
      std::filesystem::path(output).replace_extension(".json").string();
  if (absl::Status s = WriteFileAtomically(json_path, report.dump(2) + "\n"); !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 1;
  }
  std::cout << absl::StrFormat("wrote %s and %s: held-out top-1 %.4f in %.0f s (%d threads)\n",
                               output, json_path, top1, seconds, threads);
  return 0;
}

}  // namespace
}  // namespace huale

int main(int argc, char** argv) {
  huale::ReexecWithPassiveOpenMpWait(argv);
  absl::SetProgramUsageMessage(
      "Pre-trains fasterrcnn_small_fpn's body on Fashion-MNIST train [0, 20000) (benchmark "
      "v2's ImageNet analogue) and writes its weights for model.backbone_weights.");
  absl::ParseCommandLine(argc, argv);
  std::string output = absl::GetFlag(FLAGS_output);
  const char* working_dir = std::getenv("BUILD_WORKING_DIRECTORY");
  if (!output.empty() && output.front() != '/' && working_dir != nullptr) {
    output = absl::StrCat(working_dir, "/", output);
  }
  return huale::Main(output);
}
