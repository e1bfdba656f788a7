// Fuzzes the class-list reader (ReadVocClassList, classes.txt) with arbitrary
// file contents: a class list or an error, never a crash.
#include <cstddef>
#include <cstdint>

#include "huale/data/voc_classes.h"
#include "third_party/fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)huale::ReadVocClassList(FuzzInputFile("classes.txt", data, size));
  return 0;
}
