// Seeded randomness whose results do not depend on the standard library's
// implementation (std::shuffle and the std distributions differ between
// libstdc++ and libc++): SplitMix64 for seed mixing, a 64-bit Mersenne Twister
// for the stream, rejection sampling for bounded integers, Fisher-Yates for
// permutations. Pools, the loader and the generator all draw from here, so a
// seed names the same selection on every machine.
#ifndef HUALE_DATA_SEEDED_RANDOM_H_
#define HUALE_DATA_SEEDED_RANDOM_H_

#include <cstdint>
#include <cmath>
#include <random>
#include <utility>
#include <vector>

namespace huale {

// SplitMix64 finaliser of seed ^ salt: independent streams from one seed.
inline uint64_t MixSeed(uint64_t seed, uint64_t salt) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (salt + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// The seed of stream (a, b) of `seed` (e.g. cycle and epoch): SplitMix64 steps
// over the parts. Not MixSeed: the two give different values and both are used.
inline uint64_t StreamSeed(uint64_t seed, uint64_t a, uint64_t b = 0) {
  uint64_t x = seed;
  for (uint64_t part : {a, b}) {
    x += 0x9E3779B97F4A7C15ull + part;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    x ^= x >> 31;
  }
  return x;
}

class SeededRandom {
 public:
  explicit SeededRandom(uint64_t seed) : engine_(seed) {}

  uint64_t Next() { return engine_(); }

  // Uniform in [0, n), n > 0, without modulo bias.
  uint64_t Below(uint64_t n) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do {
      x = engine_();
    } while (x >= limit);
    return x % n;
  }

  // Uniform integer in [lo, hi].
  int64_t UniformInt(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }

  // Uniform in [0, 1), 53 bits.
  double Uniform01() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform01(); }

  // Standard normal (Box-Muller; one draw per call for reproducibility).
  double Normal() {
    double u1 = Uniform01();
    while (u1 <= 0) u1 = Uniform01();
    const double u2 = Uniform01();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  std::mt19937_64 engine_;
};

// Fisher-Yates with SeededRandom.
template <typename T>
void SeededShuffle(std::vector<T>& values, uint64_t seed) {
  SeededRandom random(seed);
  for (size_t i = values.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(random.Below(i));
    std::swap(values[i - 1], values[j]);
  }
}

}  // namespace huale

#endif  // HUALE_DATA_SEEDED_RANDOM_H_
