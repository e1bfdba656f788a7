// Builds the embedded Fashion-MNIST detection benchmark (huale/data/fmnist_det.h):
//
//   bazel run //tools:make_fmnist_det -- --profile=small
//
// writes data/fmnist_det/small (VOC layout + COCO JSON) under the directory the
// command was started from, prints the class histogram, and does nothing when
// that folder already holds the same settings. Benchmark v2 (--profile=v2a or
// v2b) reserves Fashion-MNIST train [0, 20000) for //tools:pretrain_backbone and
// writes the range into <out>/pretrain_split.txt.
#include <cstdlib>
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "huale/data/fmnist_det.h"

ABSL_FLAG(std::string, profile, "small", "smoke, small (the default experiment), full (v1) or v2a, v2b "
          "(benchmark v2: pretraining split reserved, 4000-image pool)");
ABSL_FLAG(std::string, output_dir, "",
          "Output folder; default data/fmnist_det/<profile>. Relative paths resolve "
          "against the directory `bazel run` was started from.");
ABSL_FLAG(std::string, source_dir, "/usr/share/datasets/fashion-mnist",
          "Fashion-MNIST idx files (Debian's dataset-fashion-mnist)");
ABSL_FLAG(uint64_t, seed, 0, "Generator seed");
ABSL_FLAG(double, imbalance, 0,
          "Pool: object count of the most / least frequent class (0 = profile's)");
ABSL_FLAG(int, pool_images, 0, "Override the profile's pool size (0 = profile's)");
ABSL_FLAG(int, test_images, 0, "Override the profile's test size (0 = profile's)");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Generates the Fashion-MNIST detection benchmark in VOC layout and COCO JSON.");
  absl::ParseCommandLine(argc, argv);
  absl::StatusOr<huale::FmnistDetOptions> options =
      huale::FmnistDetProfile(absl::GetFlag(FLAGS_profile));
  if (!options.ok()) {
    std::cerr << "error: " << options.status().message() << "\n";
    return 2;
  }
  options->source_dir = absl::GetFlag(FLAGS_source_dir);
  options->seed = absl::GetFlag(FLAGS_seed);
  if (absl::GetFlag(FLAGS_imbalance) > 0) options->imbalance = absl::GetFlag(FLAGS_imbalance);
  if (absl::GetFlag(FLAGS_pool_images) > 0) options->pool_images = absl::GetFlag(FLAGS_pool_images);
  if (absl::GetFlag(FLAGS_test_images) > 0) options->test_images = absl::GetFlag(FLAGS_test_images);
  std::string output = absl::GetFlag(FLAGS_output_dir);
  if (output.empty()) output = absl::StrCat("data/fmnist_det/", options->profile);
  const char* working_dir = std::getenv("BUILD_WORKING_DIRECTORY");
  if (output.front() != '/' && working_dir != nullptr) {
    output = absl::StrCat(working_dir, "/", output);
  }
  options->output_dir = output;
  absl::StatusOr<huale::FmnistDetResult> result = huale::MakeFmnistDet(*options);
  if (!result.ok()) {
    std::cerr << "error: " << result.status().message() << "\n";
    return 1;
  }
  std::cout << (result->reused ? "already generated: " : "generated: ") << output << "\n"
            << result->histogram;
  return 0;
}
