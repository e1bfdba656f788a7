// Fuzzes the reader of a run folder's pools (cycle_NN/labelled.txt and
// unlabelled.txt, read back on --resume) against a small dataset: the input up
// to its first NUL byte is labelled.txt, the rest unlabelled.txt. Pools or an
// error naming the file and line, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "huale/data/dataset.h"
#include "huale/data/pools.h"
#include "third_party/fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const huale::Dataset* dataset = [] {
    auto* made = new huale::Dataset;
    for (const char* id : {"000001", "000002", "000003", "a b", "img_7", "x"}) {
      huale::ImageRecord image;
      image.id = id;
      made->images.push_back(image);
    }
    return made;
  }();
  const void* nul = std::memchr(data, 0, size);
  const size_t split = nul != nullptr ? static_cast<size_t>(static_cast<const uint8_t*>(nul) - data)
                                      : size;
  const size_t rest = split < size ? split + 1 : size;
  FuzzInputFile(huale::Pools::kLabelledFile, data, split);
  FuzzInputFile(huale::Pools::kUnlabelledFile, data + rest, size - rest);
  (void)huale::Pools::Load(*dataset, FuzzInputFolder());
  return 0;
}
