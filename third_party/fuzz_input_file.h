// For fuzz targets whose code under test reads a file: writes the input to a
// file of this process (in memory under /dev/shm when it can) and returns its
// path, the same for every call with the same `name`.
#ifndef THIRD_PARTY_FUZZ_INPUT_FILE_H_
#define THIRD_PARTY_FUZZ_INPUT_FILE_H_

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <map>
#include <string>

inline const std::string& FuzzInputFile(const std::string& name, const uint8_t* data,
                                        size_t size) {
  static auto* paths = new std::map<std::string, std::string>();
  auto [it, added] = paths->emplace(name, "");
  if (added) {
    it->second = std::string(access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp") +
                 "/huale_fuzz." + std::to_string(getpid()) + "." + name;
  }
  std::ofstream out(it->second, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return it->second;
}

#endif  // THIRD_PARTY_FUZZ_INPUT_FILE_H_
