#include "resolve/similarity.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace tessera::resolve {
namespace {

// ---- Textbook reference implementations, written for clarity, not speed. ----

double ReferenceJaro(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return 0.0;
  const int window = std::max(0, static_cast<int>(std::max(a.size(), b.size())) / 2 - 1);
  std::vector<bool> a_used(a.size()), b_used(b.size());
  int m = 0;
  for (int i = 0; i < static_cast<int>(a.size()); ++i) {
    for (int j = std::max(0, i - window); j <= std::min<int>(b.size() - 1, i + window); ++j) {
      if (!b_used[j] && a[i] == b[j]) {
        a_used[i] = b_used[j] = true;
        ++m;
        break;
      }
    }
  }
  if (m == 0) return 0.0;
  std::string a_matched, b_matched;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a_used[i]) a_matched += a[i];
  }
  for (size_t j = 0; j < b.size(); ++j) {
    if (b_used[j]) b_matched += b[j];
  }
  int half = 0;
  for (size_t k = 0; k < a_matched.size(); ++k) half += a_matched[k] != b_matched[k];
  const double t = half / 2.0;
  return (static_cast<double>(m) / a.size() + static_cast<double>(m) / b.size() + (m - t) / m) /
         3.0;
}

int ReferenceLevenshtein(const std::string& a, const std::string& b) {
  std::vector<std::vector<int>> d(a.size() + 1, std::vector<int>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min(
          {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
  }
  return d[a.size()][b.size()];
}

int ReferenceOsa(const std::string& a, const std::string& b) {
  std::vector<std::vector<int>> d(a.size() + 1, std::vector<int>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min(
          {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// The true Damerau-Levenshtein distance by its definition: the length of the shortest path
// from `a` to `b` where each step inserts, deletes or substitutes one letter of `alphabet`, or
// swaps two adjacent letters. Breadth-first search; for short strings only.
int GraphDamerauLevenshtein(const std::string& a, const std::string& b,
                            const std::string& alphabet) {
  const size_t max_length = a.size() + b.size();
  std::unordered_map<std::string, int> distance{{a, 0}};
  std::deque<std::string> queue{a};
  while (!queue.empty()) {
    const std::string s = queue.front();
    queue.pop_front();
    const int d = distance[s];
    if (s == b) return d;
    std::vector<std::string> next;
    for (size_t i = 0; i < s.size(); ++i) {
      next.push_back(s.substr(0, i) + s.substr(i + 1));
      for (char c : alphabet) {
        std::string t = s;
        t[i] = c;
        next.push_back(t);
      }
      if (i + 1 < s.size()) {
        std::string t = s;
        std::swap(t[i], t[i + 1]);
        next.push_back(t);
      }
    }
    if (s.size() < max_length) {
      for (size_t i = 0; i <= s.size(); ++i) {
        for (char c : alphabet) next.push_back(s.substr(0, i) + c + s.substr(i));
      }
    }
    for (auto& t : next) {
      if (distance.emplace(t, d + 1).second) queue.push_back(std::move(t));
    }
  }
  return -1;
}

std::string RandomString(std::mt19937& rng, const std::string& alphabet, size_t min_length,
                         size_t max_length) {
  std::uniform_int_distribution<size_t> length(min_length, max_length);
  std::uniform_int_distribution<size_t> letter(0, alphabet.size() - 1);
  std::string s(length(rng), ' ');
  for (char& c : s) c = alphabet[letter(rng)];
  return s;
}

// ---- Published values. ----

TEST(Jaro, PublishedValues) {
  // Winkler (1990) and the US Census Bureau's comparator tables.
  EXPECT_NEAR(JaroSimilarity("MARTHA", "MARHTA"), 0.944, 0.0005);
  EXPECT_NEAR(JaroSimilarity("DWAYNE", "DUANE"), 0.822, 0.0005);
  EXPECT_NEAR(JaroSimilarity("DIXON", "DICKSONX"), 0.767, 0.0005);
  // Exact fractions: MARTHA/MARHTA has m = 6, t = 1; DWAYNE/DUANE m = 4, t = 0.
  EXPECT_DOUBLE_EQ(JaroSimilarity("MARTHA", "MARHTA"), (1.0 + 1.0 + 5.0 / 6.0) / 3.0);
  EXPECT_DOUBLE_EQ(JaroSimilarity("DWAYNE", "DUANE"), (4.0 / 6.0 + 4.0 / 5.0 + 1.0) / 3.0);
  EXPECT_DOUBLE_EQ(JaroSimilarity("DIXON", "DICKSONX"), (4.0 / 5.0 + 4.0 / 8.0 + 1.0) / 3.0);
}

TEST(JaroWinkler, PublishedValues) {
  EXPECT_NEAR(JaroWinklerSimilarity("MARTHA", "MARHTA"), 0.961, 0.0005);
  EXPECT_NEAR(JaroWinklerSimilarity("DWAYNE", "DUANE"), 0.840, 0.0005);
  EXPECT_NEAR(JaroWinklerSimilarity("DIXON", "DICKSONX"), 0.813, 0.0005);
}

TEST(JaroWinkler, PrefixBonusIsCappedAtFourAndAppliedToLowScores) {
  const double jaro = JaroSimilarity("ABCDEFGHXYZ", "ABCDEFGHPQR");
  EXPECT_DOUBLE_EQ(JaroWinklerSimilarity("ABCDEFGHXYZ", "ABCDEFGHPQR"),
                   jaro + 4 * 0.1 * (1 - jaro));
  // Below 0.7 the bonus still applies (no boost threshold).
  const double low = JaroSimilarity("ABXYZQ", "ABPQRSTU");
  ASSERT_LT(low, 0.7);
  EXPECT_DOUBLE_EQ(JaroWinklerSimilarity("ABXYZQ", "ABPQRSTU"), low + 2 * 0.1 * (1 - low));
}

TEST(Jaro, EdgeCases) {
  EXPECT_EQ(JaroSimilarity("", ""), 0.0);
  EXPECT_EQ(JaroSimilarity("", "SMITH"), 0.0);
  EXPECT_EQ(JaroSimilarity("SMITH", ""), 0.0);
  EXPECT_EQ(JaroWinklerSimilarity("", ""), 0.0);
  EXPECT_EQ(JaroWinklerSimilarity("SMITH", ""), 0.0);
  EXPECT_EQ(JaroSimilarity("A", "A"), 1.0);
  EXPECT_EQ(JaroSimilarity("A", "B"), 0.0);
  EXPECT_EQ(JaroSimilarity("SMITH", "SMITH"), 1.0);
  EXPECT_EQ(JaroWinklerSimilarity("SMITH", "SMITH"), 1.0);
  EXPECT_EQ(JaroSimilarity("ABC", "XYZ"), 0.0);
  // Matches must fall within the window: for length 4 it is 1, so "ABCD"/"DABC" match
  // A, B, C but not D.
  EXPECT_DOUBLE_EQ(JaroSimilarity("ABCD", "DABC"), (3.0 / 4 + 3.0 / 4 + 1.0) / 3.0);
}

TEST(Jaro, IsSymmetric) {
  EXPECT_DOUBLE_EQ(JaroSimilarity("DIXON", "DICKSONX"), JaroSimilarity("DICKSONX", "DIXON"));
  EXPECT_DOUBLE_EQ(JaroWinklerSimilarity("DWAYNE", "DUANE"),
                   JaroWinklerSimilarity("DUANE", "DWAYNE"));
}

TEST(Jaro, AgreesWithTextbookAlgorithmOnRandomStrings) {
  std::mt19937 rng(42);
  for (int k = 0; k < 20000; ++k) {
    // Mostly name-length strings; some long ones exercise the path beyond 64 bytes and the
    // full-width window masks at exactly 64.
    const size_t max_length = k % 10 == 0 ? 140 : (k % 10 == 1 ? 64 : 14);
    const std::string a = RandomString(rng, "ABCDE", 1, max_length);
    const std::string b = RandomString(rng, "ABCDE", 1, max_length);
    ASSERT_DOUBLE_EQ(JaroSimilarity(a, b), ReferenceJaro(a, b)) << a << " / " << b;
  }
}

TEST(Levenshtein, ClassicValues) {
  EXPECT_EQ(LevenshteinDistance("KITTEN", "SITTING"), 3);
  EXPECT_EQ(LevenshteinDistance("kitten", "sitting"), 3);
  EXPECT_EQ(LevenshteinDistance("SATURDAY", "SUNDAY"), 3);
  EXPECT_EQ(LevenshteinDistance("FLAW", "LAWN"), 2);
  EXPECT_EQ(LevenshteinDistance("GUMBO", "GAMBOL"), 2);
  EXPECT_EQ(LevenshteinDistance("", ""), 0);
  EXPECT_EQ(LevenshteinDistance("", "ABC"), 3);
  EXPECT_EQ(LevenshteinDistance("ABC", ""), 3);
  EXPECT_EQ(LevenshteinDistance("SMITH", "SMITH"), 0);
  EXPECT_EQ(LevenshteinDistance("MARTHA", "MARHTA"), 2);  // a transposition costs two
  EXPECT_EQ(LevenshteinDistance("CA", "ABC"), 3);
}

TEST(Levenshtein, AgreesWithDynamicProgrammingOnRandomStrings) {
  std::mt19937 rng(7);
  for (int k = 0; k < 20000; ++k) {
    const size_t max_length = k % 10 == 0 ? 150 : (k % 10 == 1 ? 66 : 12);
    const std::string a = RandomString(rng, "ABCD", 0, max_length);
    const std::string b = RandomString(rng, "ABCD", 0, max_length);
    const int expected = ReferenceLevenshtein(a, b);
    ASSERT_EQ(LevenshteinDistance(a, b), expected) << a << " / " << b;
    for (int max : {0, 1, 2, 3, 5, 40}) {
      ASSERT_EQ(LevenshteinDistanceAtMost(a, b, max), std::min(expected, max + 1))
          << a << " / " << b << " max " << max;
    }
  }
}

TEST(Levenshtein, BoundedReturnsMaxPlusOneWhenFarther) {
  EXPECT_EQ(LevenshteinDistanceAtMost("KITTEN", "SITTING", 3), 3);
  EXPECT_EQ(LevenshteinDistanceAtMost("KITTEN", "SITTING", 2), 3);
  EXPECT_EQ(LevenshteinDistanceAtMost("KITTEN", "SITTING", 1), 2);
  EXPECT_EQ(LevenshteinDistanceAtMost("A", "ABCDEFGH", 2), 3);  // length difference alone
  EXPECT_EQ(LevenshteinDistanceAtMost("SMITH", "SMITH", 0), 0);
  EXPECT_EQ(LevenshteinDistanceAtMost("SMITH", "SMYTH", 0), 1);
  EXPECT_EQ(LevenshteinDistanceAtMost("SMITH", "SMYTH", -5), 1);  // negative max is 0
  EXPECT_EQ(LevenshteinDistanceAtMost("", "", 0), 0);
}

TEST(OptimalStringAlignment, ClassicValues) {
  EXPECT_EQ(OptimalStringAlignmentDistance("CA", "ABC"), 3);
  EXPECT_EQ(OptimalStringAlignmentDistance("MARTHA", "MARHTA"), 1);
  EXPECT_EQ(OptimalStringAlignmentDistance("KITTEN", "SITTING"), 3);
  EXPECT_EQ(OptimalStringAlignmentDistance("", "AB"), 2);
  EXPECT_EQ(OptimalStringAlignmentDistance("AB", "BA"), 1);
}

TEST(OptimalStringAlignment, AgreesWithDynamicProgrammingOnRandomStrings) {
  std::mt19937 rng(11);
  for (int k = 0; k < 5000; ++k) {
    const size_t max_length = k % 10 == 0 ? 100 : 10;
    const std::string a = RandomString(rng, "ABC", 0, max_length);
    const std::string b = RandomString(rng, "ABC", 0, max_length);
    ASSERT_EQ(OptimalStringAlignmentDistance(a, b), ReferenceOsa(a, b)) << a << " / " << b;
  }
}

TEST(DamerauLevenshtein, ClassicValues) {
  EXPECT_EQ(DamerauLevenshteinDistance("KITTEN", "SITTING"), 3);
  EXPECT_EQ(DamerauLevenshteinDistance("MARTHA", "MARHTA"), 1);
  EXPECT_EQ(DamerauLevenshteinDistance("AB", "BA"), 1);
  EXPECT_EQ(DamerauLevenshteinDistance("ABCDEF", "BADCFE"), 3);
  EXPECT_EQ(DamerauLevenshteinDistance("", ""), 0);
  EXPECT_EQ(DamerauLevenshteinDistance("", "ABC"), 3);
  EXPECT_EQ(DamerauLevenshteinDistance("SMITH", "SMITH"), 0);
}

TEST(DamerauLevenshtein, DiffersFromOptimalStringAlignment) {
  // CA -> AC (transpose) -> ABC (insert B between the transposed letters): 2. OSA may not edit
  // a transposed pair again, so it needs 3.
  EXPECT_EQ(DamerauLevenshteinDistance("CA", "ABC"), 2);
  EXPECT_EQ(OptimalStringAlignmentDistance("CA", "ABC"), 3);
  EXPECT_EQ(DamerauLevenshteinDistance("ABC", "CA"), 2);
  // The triangle inequality holds for the true distance and fails for OSA.
  EXPECT_LE(DamerauLevenshteinDistance("CA", "ABC"),
            DamerauLevenshteinDistance("CA", "AC") + DamerauLevenshteinDistance("AC", "ABC"));
  EXPECT_GT(
      OptimalStringAlignmentDistance("CA", "ABC"),
      OptimalStringAlignmentDistance("CA", "AC") + OptimalStringAlignmentDistance("AC", "ABC"));
}

TEST(DamerauLevenshtein, EqualsShortestEditPathOnRandomStrings) {
  std::mt19937 rng(3);
  for (int k = 0; k < 400; ++k) {
    const std::string a = RandomString(rng, "ABC", 0, 4);
    const std::string b = RandomString(rng, "ABC", 0, 4);
    ASSERT_EQ(DamerauLevenshteinDistance(a, b), GraphDamerauLevenshtein(a, b, "ABC"))
        << a << " / " << b;
  }
}

TEST(DamerauLevenshtein, BoundsOnLongStrings) {
  // Bounds that hold for any strings, here on strings longer than the 64-byte stack buffers.
  std::mt19937 rng(5);
  for (int k = 0; k < 200; ++k) {
    const std::string a = RandomString(rng, "ABCD", 60, 90);
    const std::string b = RandomString(rng, "ABCD", 60, 90);
    const int dl = DamerauLevenshteinDistance(a, b);
    EXPECT_LE(dl, OptimalStringAlignmentDistance(a, b));
    EXPECT_LE(dl, LevenshteinDistance(a, b));
    EXPECT_GE(2 * dl, LevenshteinDistance(a, b));  // a transposition is at most two edits
    EXPECT_EQ(dl, DamerauLevenshteinDistance(b, a));
  }
  const std::string long_a(100, 'A');
  std::string long_b = long_a;
  std::swap(long_b[40], long_b[41]);
  long_b[40] = 'B';
  EXPECT_EQ(DamerauLevenshteinDistance(long_a, long_b), 1);
  EXPECT_EQ(DamerauLevenshteinDistance(long_a + "XY", long_a + "YX"), 1);
}

}  // namespace
}  // namespace tessera::resolve
