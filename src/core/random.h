// Deterministic pseudo-random numbers, as an injectable dependency.
//
// Rng is xoshiro256** seeded through splitmix64: fast, small, and the same sequence on every
// platform and compiler for the same seed, which the synthetic world's byte-identical output
// depends on. It is not for secrets: security code uses libsodium.
#pragma once

#include <cmath>
#include <cstdint>

namespace tessera {

// splitmix64: a one-step mixer, also used to derive independent child seeds.
inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Mixes several values into one seed, e.g. DeriveSeed(world_seed, household_index).
inline uint64_t DeriveSeed(uint64_t a, uint64_t b, uint64_t c = 0) {
  uint64_t s = a ^ 0x6a09e667f3bcc909ULL;
  uint64_t x = SplitMix64(s);
  s = x ^ b;
  x = SplitMix64(s);
  s = x ^ c;
  return SplitMix64(s);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t s = seed;
    for (auto& word : s_) word = SplitMix64(s);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  // Uniform integer in [0, n); n > 0. Lemire's multiply-shift, unbiased enough for n << 2^64.
  uint64_t Below(uint64_t n) {
    __extension__ using Wide = unsigned __int128;
    return static_cast<uint64_t>((static_cast<Wide>(Next()) * n) >> 64);
  }

  // Uniform integer in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo + 1)));
  }

  bool Chance(double p) { return Uniform() < p; }

  // Standard normal by Box-Muller (one of the pair; simplicity beats speed here).
  double Normal(double mean = 0.0, double sd = 1.0) {
    double u1 = Uniform();
    if (u1 < 1e-300) u1 = 1e-300;
    const double u2 = Uniform();
    return mean + sd * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

  // Poisson by inversion; fine for the small means the generator uses.
  int Poisson(double mean) {
    if (mean <= 0) return 0;
    const double l = std::exp(-mean);
    int k = 0;
    double p = Uniform();
    while (p > l && k < 1000) {
      ++k;
      p *= Uniform();
    }
    return k;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace tessera
