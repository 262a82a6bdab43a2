#include "core/random.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <vector>

namespace tessera {
namespace {

std::vector<uint64_t> Draws(uint64_t seed, int n) {
  Rng rng(seed);
  std::vector<uint64_t> out;
  for (int i = 0; i < n; ++i) out.push_back(rng.Next());
  return out;
}

TEST(RngTest, SameSeedSameSequence) { EXPECT_EQ(Draws(2025, 1000), Draws(2025, 1000)); }

TEST(RngTest, DifferentSeedsDiffer) { EXPECT_NE(Draws(1, 16), Draws(2, 16)); }

TEST(RngTest, SequenceIsPinnedAcrossPlatforms) {
  // The synthetic world's byte-identical output depends on this sequence never changing.
  // These values are SplitMix64-seeded xoshiro256** for seed 0, computed independently.
  uint64_t s = 0;
  const uint64_t s0 = SplitMix64(s);
  const uint64_t s1 = SplitMix64(s);
  EXPECT_EQ(s0, 0xe220a8397b1dcdafULL);
  EXPECT_EQ(s1, 0x6e789e6aa1b965f4ULL);
  Rng rng(0);
  // xoshiro256**: rotl(s1 * 5, 7) * 9 with the first state word s1 above.
  const uint64_t x = s1 * 5;
  EXPECT_EQ(rng.Next(), ((x << 7) | (x >> 57)) * 9);
}

TEST(RngTest, BelowStaysInRange) {
  Rng rng(7);
  for (const uint64_t n : {1ULL, 2ULL, 3ULL, 10ULL, 1000ULL, 1ULL << 40}) {
    for (int i = 0; i < 10000; ++i) ASSERT_LT(rng.Below(n), n);
  }
}

TEST(RngTest, BelowHitsEveryValueOfASmallRange) {
  Rng rng(11);
  std::set<uint64_t> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(rng.Below(6));
  EXPECT_EQ(seen.size(), 6u);
}

TEST(RngTest, BetweenIsInclusive) {
  Rng rng(3);
  std::set<int64_t> seen;
  for (int i = 0; i < 2000; ++i) {
    const int64_t v = rng.Between(-2, 2);
    ASSERT_GE(v, -2);
    ASSERT_LE(v, 2);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 5u);
}

TEST(RngTest, UniformIsInHalfOpenUnitInterval) {
  Rng rng(99);
  for (int i = 0; i < 100000; ++i) {
    const double u = rng.Uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
}

TEST(RngTest, UniformMeanIsAboutOneHalf) {
  Rng rng(12345);
  constexpr int kDraws = 100000;
  double sum = 0;
  for (int i = 0; i < kDraws; ++i) sum += rng.Uniform();
  // The standard error of the mean is sqrt(1/12 / n) ~ 0.0009; allow about 5 of them.
  EXPECT_NEAR(sum / kDraws, 0.5, 0.005);
}

TEST(RngTest, ChanceMatchesItsProbability) {
  Rng rng(5);
  int hits = 0;
  for (int i = 0; i < 100000; ++i) hits += rng.Chance(0.2) ? 1 : 0;
  EXPECT_NEAR(hits / 100000.0, 0.2, 0.01);
  EXPECT_FALSE(Rng(5).Chance(0.0));
}

TEST(RngTest, NormalHasTheRequestedMeanAndSpread) {
  Rng rng(8);
  constexpr int kDraws = 100000;
  double sum = 0;
  double sum_sq = 0;
  for (int i = 0; i < kDraws; ++i) {
    const double v = rng.Normal(10.0, 2.0);
    sum += v;
    sum_sq += v * v;
  }
  const double mean = sum / kDraws;
  const double variance = sum_sq / kDraws - mean * mean;
  EXPECT_NEAR(mean, 10.0, 0.05);
  EXPECT_NEAR(variance, 4.0, 0.1);
}

TEST(RngTest, PoissonMeanAndEdgeCases) {
  Rng rng(13);
  EXPECT_EQ(rng.Poisson(0.0), 0);
  EXPECT_EQ(rng.Poisson(-1.0), 0);
  double sum = 0;
  for (int i = 0; i < 50000; ++i) sum += rng.Poisson(3.0);
  EXPECT_NEAR(sum / 50000, 3.0, 0.05);
}

TEST(DeriveSeedTest, IsDeterministic) {
  EXPECT_EQ(DeriveSeed(1, 2, 3), DeriveSeed(1, 2, 3));
  EXPECT_EQ(DeriveSeed(1, 2), DeriveSeed(1, 2, 0));
}

TEST(DeriveSeedTest, DiffersForDifferentInputs) {
  std::set<uint64_t> seeds;
  for (uint64_t a = 0; a < 4; ++a) {
    for (uint64_t b = 0; b < 4; ++b) {
      for (uint64_t c = 0; c < 4; ++c) seeds.insert(DeriveSeed(a, b, c));
    }
  }
  EXPECT_EQ(seeds.size(), 64u);
  // Argument order matters: (world, household) is not (household, world).
  EXPECT_NE(DeriveSeed(1, 2), DeriveSeed(2, 1));
}

TEST(DeriveSeedTest, ChildStreamsAreIndependent) {
  EXPECT_NE(Draws(DeriveSeed(42, 0), 8), Draws(DeriveSeed(42, 1), 8));
}

}  // namespace
}  // namespace tessera
