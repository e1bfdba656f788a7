// Fuzzes the VOC annotation reader (ReadVocXml) with arbitrary file contents:
// any input is an annotation or an error, never a crash, hang or leak.
#include <cstddef>
#include <cstdint>

#include "huale/data/voc_xml.h"
#include "third_party/fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)huale::ReadVocXml(FuzzInputFile("annotation.xml", data, size));
  return 0;
}
