// Fuzzes the COCO instances parser (instances_<split>.json): any input is a
// parsed file (entries with problems named) or an error, never a crash.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "huale/data/coco_instances.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)huale::ParseCocoInstances(
      absl::string_view(reinterpret_cast<const char*>(data), size), "fuzz.json");
  return 0;
}
