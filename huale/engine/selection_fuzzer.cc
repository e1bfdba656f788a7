// Fuzzes the check --resume makes of a finished selection stage
// (RunFolder::VerifySelection): the input up to its first NUL byte is
// cycle_00/selection.json, up to the second selected_ids.txt, the rest
// selection.csv. OK or an error naming the file, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>

#include "huale/engine/run_folder.h"
#include "third_party/fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const huale::RunFolder* folder = [] {
    auto* made = new huale::RunFolder(FuzzInputFolder());
    std::filesystem::create_directories(made->CycleDirectory(0));
    return made;
  }();
  size_t start = 0;
  for (const char* name : {"selection.json", "selected_ids.txt", "selection.csv"}) {
    const void* nul = std::memchr(data + start, 0, size - start);
    const size_t end =
        nul != nullptr ? static_cast<size_t>(static_cast<const uint8_t*>(nul) - data) : size;
    FuzzInputFile(std::string("cycle_00/") + name, data + start, end - start);
    start = end < size ? end + 1 : size;
  }
  (void)folder->VerifySelection(0);
  return 0;
}
