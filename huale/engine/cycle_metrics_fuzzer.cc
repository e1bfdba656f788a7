// Fuzzes the reader of a run folder's cycle_NN/metrics.json, read back on
// --resume and by sweep reports: metrics or an error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "huale/engine/run_folder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)huale::CycleMetricsFromJson(std::string(reinterpret_cast<const char*>(data), size),
                                    "metrics.json");
  return 0;
}
