// A 64-bit FNV-1a digest of bytes: for cache keys and for the integrity check
// of files huale reads back (checkpoints). Not cryptographic. Every change of a
// single byte changes it (each step is a bijection of the running state), and
// its length is recorded wherever truncation must be caught too.
#ifndef HUALE_CORE_DIGEST_H_
#define HUALE_CORE_DIGEST_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace huale {

inline constexpr uint64_t kFnv1a64Offset = 0xcbf29ce484222325ull;

// Continues from `hash` (kFnv1a64Offset to start), so a digest can span pieces.
inline uint64_t Fnv1a64(absl::string_view bytes, uint64_t hash = kFnv1a64Offset) {
  for (const unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ull;
  }
  return hash;
}

}  // namespace huale

#endif  // HUALE_CORE_DIGEST_H_
