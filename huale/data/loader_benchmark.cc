// Loader throughput (decode + resize + flip + tensors, images/s) with 1 and 2
// threads on the Fashion-MNIST benchmark's scenes (smoke profile generated
// into /tmp, 160x160 JPEG), at the scenes' own size and resized to 600 (a VOC
// image size), against a PIL + NumPy reference (loader_benchmark.py, Debian's
// /opt/huale/py/bin/python) on the same files in the same run.
//
//   bazel run -c opt //huale/data:loader_benchmark
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "glog/logging.h"
#include "huale/data/fmnist_det.h"
#include "huale/data/loader.h"
#include "huale/data/voc_reader.h"

namespace huale {
namespace {

const char kRoot[] = "/tmp/huale_loader_benchmark/fmnist_smoke";
const char kList[] = "/tmp/huale_loader_benchmark/images.txt";

const Dataset& BenchmarkDataset() {
  static const Dataset* const dataset = [] {
    absl::StatusOr<FmnistDetOptions> options = FmnistDetProfile("smoke");
    CHECK(options.ok());
    options->output_dir = kRoot;
    absl::StatusOr<FmnistDetResult> made = MakeFmnistDet(*options);
    CHECK(made.ok()) << made.status();
    DatasetSpec spec;
    spec.set_root(kRoot);
    for (const std::string& name : FmnistClassNames()) spec.add_classes(name);
    absl::StatusOr<Dataset> read = ReadVocDataset(spec, "trainval");
    CHECK(read.ok()) << read.status();
    std::ofstream list(kList);
    for (const ImageRecord& image : read->images) list << image.path << "\n";
    return new Dataset(std::move(*read));
  }();
  return *dataset;
}

// range(0): threads; range(1): min_size (max_size = 1000).
void BM_Loader(benchmark::State& state) {
  const Dataset& dataset = BenchmarkDataset();
  LoaderOptions options;
  options.num_threads = static_cast<int>(state.range(0));
  options.transform.min_size = static_cast<int>(state.range(1));
  options.transform.max_size = 1000;
  options.batch_size = 4;
  options.prefetch_batches = 4;
  options.shuffle = true;
  options.flip_probability = 0.5;
  std::vector<int64_t> indices(dataset.images.size());
  for (size_t i = 0; i < indices.size(); ++i) indices[i] = i;
  DataLoader loader(dataset, indices, options);
  int64_t images = 0, epoch = 0;
  for (auto _ : state) {
    loader.StartEpoch(epoch++);
    while (true) {
      absl::StatusOr<std::optional<Batch>> batch = loader.Next();
      if (!batch.ok() || !batch->has_value()) break;
      images += (*batch)->size();
    }
  }
  state.counters["images_per_s"] = benchmark::Counter(images, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Loader)
    ->ArgsProduct({{1, 2}, {160, 600}})
    ->ArgNames({"threads", "min_size"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);

// The stages alone, one thread, for where the time goes.
void BM_Decode(benchmark::State& state) {
  const Dataset& dataset = BenchmarkDataset();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(DecodeImageFile(dataset.images[i++ % dataset.images.size()].path));
  }
  state.counters["images_per_s"] = benchmark::Counter(state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Decode)->Unit(benchmark::kMicrosecond);

void BM_TransformAndTensor(benchmark::State& state) {
  const Dataset& dataset = BenchmarkDataset();
  TransformOptions options;
  options.min_size = static_cast<int>(state.range(0));
  options.max_size = 1000;
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(LoadImage(dataset, i % dataset.images.size(), options, i % 2));
    ++i;
  }
  state.counters["images_per_s"] = benchmark::Counter(state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TransformAndTensor)->Arg(160)->Arg(600)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace huale

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  huale::BenchmarkDataset();
  benchmark::RunSpecifiedBenchmarks();
  std::fflush(stdout);
  int status = 0;
  for (const int min_size : {160, 600}) {
    status |= std::system(absl::StrCat("/opt/huale/py/bin/python huale/data/loader_benchmark.py ",
                                       huale::kList, " ", min_size, " 1000 ",
                                       min_size == 160 ? 20 : 5)
                              .c_str());
  }
  return status == 0 ? 0 : 1;
}
