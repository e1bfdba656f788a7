// For fuzz targets whose code under test reads files: writes the input into a
// folder of this process (in memory under /dev/shm when it can) under the name
// the code expects, and returns its path.
#ifndef THIRD_PARTY_FUZZ_INPUT_FILE_H_
#define THIRD_PARTY_FUZZ_INPUT_FILE_H_

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

// The same folder for every call of this process.
inline const std::string& FuzzInputFolder() {
  static const std::string* folder = [] {
    auto* made = new std::string(std::string(access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp") +
                                 "/huale_fuzz." + std::to_string(getpid()));
    std::filesystem::create_directories(*made);
    return made;
  }();
  return *folder;
}

// FuzzInputFolder()/name, holding `size` bytes of `data`.
inline std::string FuzzInputFile(const std::string& name, const uint8_t* data, size_t size) {
  const std::string path = FuzzInputFolder() + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

#endif  // THIRD_PARTY_FUZZ_INPUT_FILE_H_
