// Fuzzes the COCO results parser (detections JSON given to //tools:evaluate):
// any input is a list of results or an error naming the element, never a crash.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "huale/eval/coco_results.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)huale::ParseCocoResults(absl::string_view(reinterpret_cast<const char*>(data), size),
                                "fuzz.json");
  return 0;
}
