// COCO instances loading time on a generated file of instances_train2017.json's
// size (≈450 MB: 118k images, 860k annotations with polygons), written once to
// /tmp (not committed), against Python's json.load on the same file in the
// same run (coco_reader_benchmark.py, the pinned Python prefix's /opt/huale/py/bin/python).
//
//   bazel run -c opt //huale/data:coco_reader_benchmark
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "huale/data/coco_reader.h"
#include "huale/data/reader_util.h"
#include "huale/data/seeded_random.h"

namespace huale {
namespace {

// COCO train2017's size; CI's smoke run (HUALE_BENCHMARK_SMOKE: it only keeps
// the benchmark working) reads a 1/20 file.
bool Smoke() { return std::getenv("HUALE_BENCHMARK_SMOKE") != nullptr; }
const std::string kPath = Smoke() ? "/tmp/huale_coco_benchmark/instances_smoke.json"
                                  : "/tmp/huale_coco_benchmark/instances_big.json";

// Streams the file so the generator itself needs little memory.
void GenerateIfMissing() {
  if (FileExists(kPath)) return;
  std::system("mkdir -p /tmp/huale_coco_benchmark");
  const std::string tmp = absl::StrCat(kPath, ".tmp");
  FILE* f = std::fopen(tmp.c_str(), "w");
  SeededRandom random(2017);
  const int kImages = Smoke() ? 5914 : 118287, kAnnotations = Smoke() ? 43000 : 860001,
            kCategories = 80;
  std::fprintf(f, "{\"info\": {\"description\": \"huale synthetic COCO-sized file\"}, "
                  "\"licenses\": [{\"id\": 1, \"name\": \"none\"}], \"images\": [");
  for (int i = 1; i <= kImages; ++i) {
    std::fprintf(f,
                 "%s{\"license\": 1, \"file_name\": \"%012d.jpg\", \"coco_url\": "
                 "\"http://images.cocodataset.org/train2017/%012d.jpg\", \"height\": %d, "
                 "\"width\": %d, \"date_captured\": \"2013-11-14 16:28:13\", \"id\": %d}",
                 i > 1 ? ", " : "", i, i, static_cast<int>(random.UniformInt(240, 640)), 640, i);
  }
  std::fprintf(f, "], \"annotations\": [");
  for (int a = 1; a <= kAnnotations; ++a) {
    const double x = random.Uniform(0, 500), y = random.Uniform(0, 200);
    const double w = random.Uniform(1, 140), h = random.Uniform(1, 40);
    std::fprintf(f, "%s{\"segmentation\": [[", a > 1 ? ", " : "");
    const int points = static_cast<int>(random.UniformInt(8, 40));
    for (int p = 0; p < points; ++p) {
      std::fprintf(f, "%s%.2f, %.2f", p ? ", " : "", x + random.Uniform(0, w),
                   y + random.Uniform(0, h));
    }
    std::fprintf(f,
                 "]], \"area\": %.4f, \"iscrowd\": 0, \"image_id\": %d, \"bbox\": [%.2f, %.2f, "
                 "%.2f, %.2f], \"category_id\": %d, \"id\": %d}",
                 w * h * 0.6, static_cast<int>(random.UniformInt(1, kImages)), x, y, w, h,
                 static_cast<int>(random.UniformInt(1, kCategories)), a);
  }
  std::fprintf(f, "], \"categories\": [");
  for (int c = 1; c <= kCategories; ++c) {
    std::fprintf(f, "%s{\"supercategory\": \"thing\", \"id\": %d, \"name\": \"class%d\"}",
                 c > 1 ? ", " : "", c, c);
  }
  std::fprintf(f, "]}\n");
  std::fclose(f);
  std::rename(tmp.c_str(), kPath.c_str());
}

void BM_ReadCocoInstances(benchmark::State& state) {
  DatasetSpec spec;
  spec.set_verify_image_files(false);  // the images do not exist
  int64_t annotations = 0;
  for (auto _ : state) {
    absl::StatusOr<Dataset> dataset = ReadCocoInstances(kPath, "/tmp", spec);
    if (!dataset.ok()) {
      state.SkipWithError(std::string(dataset.status().message()).c_str());
      return;
    }
    annotations = 0;
    for (const ImageRecord& image : dataset->images) annotations += image.annotations.size();
    benchmark::DoNotOptimize(annotations);
  }
  state.counters["annotations"] = annotations;
  FILE* f = std::fopen(kPath.c_str(), "r");
  std::fseek(f, 0, SEEK_END);
  const double bytes = std::ftell(f);
  std::fclose(f);
  state.SetBytesProcessed(static_cast<int64_t>(bytes) * state.iterations());
}
BENCHMARK(BM_ReadCocoInstances)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace huale

int main(int argc, char** argv) {
  huale::GenerateIfMissing();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  std::printf("huale_peak_rss_mb %.0f\n", usage.ru_maxrss / 1024.0);
  std::fflush(stdout);
  const std::string command =
      absl::StrCat("/opt/huale/py/bin/python huale/data/coco_reader_benchmark.py ", huale::kPath);
  return std::system(command.c_str()) == 0 ? 0 : 1;
}
