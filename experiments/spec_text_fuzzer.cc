// Fuzzes the spec parser (ParseSpecText: protobuf text format with huale's
// file:line:column messages and "did you mean" hints): a spec or an error,
// never a crash. Validation (which builds the model with LibTorch) is covered
// by spec_validation_test's table of every numeric field, not here.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "experiments/spec_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)huale::ParseSpecText(absl::string_view(reinterpret_cast<const char*>(data), size),
                             "fuzz.pbtxt");
  return 0;
}
