#include "resolve/similarity.h"

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace tessera::resolve {
namespace {

constexpr size_t kWordBits = 64;

inline unsigned char Byte(char c) { return static_cast<unsigned char>(c); }

// For each byte value, the set of positions of `pattern` (at most 64 bytes) holding it.
// Clearing all 256 entries would cost more than the comparison of two names, so only the
// entries that will be read (the bytes of `pattern` and `other`) are set; the rest of the table
// is never touched.
class PositionMasks {
 public:
  PositionMasks(std::string_view pattern, std::string_view other) {
    for (char c : pattern) masks_[Byte(c)] = 0;
    for (char c : other) masks_[Byte(c)] = 0;
    uint64_t bit = 1;
    for (char c : pattern) {
      masks_[Byte(c)] |= bit;
      bit <<= 1;
    }
  }
  uint64_t operator[](char c) const { return masks_[Byte(c)]; }

 private:
  uint64_t masks_[256];  // deliberately not zeroed, see above
};

// Bits lo..hi (inclusive) set; 0 <= lo <= hi < 64.
inline uint64_t BitRange(size_t lo, size_t hi) {
  return ((uint64_t{2} << hi) - 1) & ~((uint64_t{1} << lo) - 1);
}

// The Jaro score from its parts: m matches, of which `out_of_order` are out of order.
inline double JaroScore(size_t a_size, size_t b_size, size_t m, size_t out_of_order) {
  if (m == 0) return 0.0;
  const double md = static_cast<double>(m);
  return (md / static_cast<double>(a_size) + md / static_cast<double>(b_size) +
          (md - static_cast<double>(out_of_order) / 2.0) / md) /
         3.0;
}

inline size_t JaroWindow(size_t a_size, size_t b_size) {
  const size_t longer = std::max(a_size, b_size);
  return longer / 2 > 0 ? longer / 2 - 1 : 0;
}

// Both strings 1..64 bytes. Each character of `a` takes the first unmatched equal character
// of `b` inside its window: one AND of bit masks and one count-trailing-zeros per character.
double JaroShort(std::string_view a, std::string_view b) {
  const PositionMasks in_b(b, a);
  const size_t window = JaroWindow(a.size(), b.size());
  uint64_t a_matched = 0;
  uint64_t b_matched = 0;
  size_t m = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const size_t lo = i > window ? i - window : 0;
    const size_t hi = std::min(b.size() - 1, i + window);
    if (lo > hi) break;  // i only grows, so later windows are empty too
    const uint64_t candidates = in_b[a[i]] & ~b_matched & BitRange(lo, hi);
    if (candidates != 0) {
      b_matched |= candidates & (~candidates + 1);  // lowest set bit
      a_matched |= uint64_t{1} << i;
      ++m;
    }
  }
  size_t out_of_order = 0;
  while (a_matched != 0) {
    const int i = std::countr_zero(a_matched);
    const int j = std::countr_zero(b_matched);
    out_of_order += a[static_cast<size_t>(i)] != b[static_cast<size_t>(j)];
    a_matched &= a_matched - 1;
    b_matched &= b_matched - 1;
  }
  return JaroScore(a.size(), b.size(), m, out_of_order);
}

// The same algorithm with flag arrays, for strings longer than 64 bytes.
double JaroLong(std::string_view a, std::string_view b) {
  const size_t window = JaroWindow(a.size(), b.size());
  std::vector<char> a_matched(a.size(), 0);
  std::vector<char> b_matched(b.size(), 0);
  size_t m = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const size_t lo = i > window ? i - window : 0;
    const size_t hi = std::min(b.size(), i + window + 1);
    for (size_t j = lo; j < hi; ++j) {
      if (!b_matched[j] && a[i] == b[j]) {
        a_matched[i] = b_matched[j] = 1;
        ++m;
        break;
      }
    }
  }
  size_t out_of_order = 0;
  size_t j = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a_matched[i]) continue;
    while (!b_matched[j]) ++j;
    out_of_order += a[i] != b[j];
    ++j;
  }
  return JaroScore(a.size(), b.size(), m, out_of_order);
}

// Removes the common prefix and suffix, which never change a Levenshtein or Damerau-Levenshtein
// distance; names that differ by a typo shrink to a byte or two.
void TrimCommonAffixes(std::string_view& a, std::string_view& b) {
  size_t prefix = 0;
  const size_t shorter = std::min(a.size(), b.size());
  while (prefix < shorter && a[prefix] == b[prefix]) ++prefix;
  a.remove_prefix(prefix);
  b.remove_prefix(prefix);
  size_t suffix = 0;
  const size_t rest = std::min(a.size(), b.size());
  while (suffix < rest && a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) ++suffix;
  a.remove_suffix(suffix);
  b.remove_suffix(suffix);
}

// Myers' bit-vector algorithm (1999) in Hyyrö's formulation for the global edit distance.
// `pattern` is 1..64 bytes; the columns of the dynamic-programming matrix are held as
// vertical +1/-1 delta bit vectors, so each byte of `text` costs a dozen word operations.
// Returns max + 1 as soon as the distance must exceed `max`.
int MyersLevenshtein(std::string_view pattern, std::string_view text, int max) {
  const PositionMasks peq(pattern, text);
  uint64_t pv = ~uint64_t{0};
  uint64_t mv = 0;
  const uint64_t last = uint64_t{1} << (pattern.size() - 1);
  int score = static_cast<int>(pattern.size());
  int remaining = static_cast<int>(text.size());
  for (char c : text) {
    const uint64_t eq = peq[c];
    const uint64_t xv = eq | mv;
    const uint64_t xh = (((eq & pv) + pv) ^ pv) | eq;
    uint64_t ph = mv | ~(xh | pv);
    uint64_t mh = pv & xh;
    if (ph & last) {
      ++score;
    } else if (mh & last) {
      --score;
    }
    // Each remaining byte of text lowers the last row by at most one.
    --remaining;
    if (score - remaining > max) return max + 1;
    ph = (ph << 1) | 1;  // row 0 of the matrix grows by one per column
    mh <<= 1;
    pv = mh | ~(xv | ph);
    mv = ph & xv;
  }
  return std::min(score, max + 1);
}

// Ukkonen's band for strings both longer than 64 bytes: only cells within `max` of the
// diagonal can lead to a distance <= max, and a row whose every cell exceeds `max` ends it.
int BandedLevenshtein(std::string_view a, std::string_view b, int max) {
  const int n = static_cast<int>(b.size());
  const int over = max + 1;
  std::vector<int> previous(b.size() + 1);
  std::vector<int> current(b.size() + 1);
  for (int j = 0; j <= n; ++j) previous[static_cast<size_t>(j)] = std::min(j, over);
  for (int i = 1; i <= static_cast<int>(a.size()); ++i) {
    const int lo = std::max(1, i - max);
    const int hi = std::min(n, i + max);
    current[0] = std::min(i, over);
    if (lo > 1) current[static_cast<size_t>(lo - 1)] = over;
    int row_min = current[0];
    for (int j = lo; j <= hi; ++j) {
      const auto uj = static_cast<size_t>(j);
      const int substitution = previous[uj - 1] + (a[static_cast<size_t>(i - 1)] != b[uj - 1]);
      const int cell = std::min({substitution, previous[uj] + 1, current[uj - 1] + 1, over});
      current[uj] = cell;
      row_min = std::min(row_min, cell);
    }
    if (hi < n) current[static_cast<size_t>(hi + 1)] = over;
    if (row_min > max) return over;
    std::swap(previous, current);
  }
  return std::min(previous[static_cast<size_t>(n)], over);
}

// Row storage for the dynamic-programming distances: on the stack for names, on the heap for
// long strings.
template <size_t kInline>
class ScratchInts {
 public:
  ScratchInts(const ScratchInts&) = delete;
  ScratchInts& operator=(const ScratchInts&) = delete;
  explicit ScratchInts(size_t size) {
    if (size > kInline) {
      heap_.resize(size);
      data_ = heap_.data();
    }
  }
  int& operator[](size_t i) { return data_[i]; }

 private:
  int inline_[kInline];  // not zeroed: every cell is written before it is read
  std::vector<int> heap_;
  int* data_ = inline_;
};

}  // namespace

double JaroSimilarity(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return 0.0;
  if (a == b) return 1.0;
  if (a.size() <= kWordBits && b.size() <= kWordBits) return JaroShort(a, b);
  return JaroLong(a, b);
}

double JaroWinklerSimilarity(std::string_view a, std::string_view b) {
  const double jaro = JaroSimilarity(a, b);
  size_t prefix = 0;
  const size_t limit = std::min<size_t>({4, a.size(), b.size()});
  while (prefix < limit && a[prefix] == b[prefix]) ++prefix;
  return jaro + static_cast<double>(prefix) * 0.1 * (1.0 - jaro);
}

int LevenshteinDistance(std::string_view a, std::string_view b) {
  return LevenshteinDistanceAtMost(a, b, static_cast<int>(std::max(a.size(), b.size())));
}

int LevenshteinDistanceAtMost(std::string_view a, std::string_view b, int max) {
  max = std::max(max, 0);
  TrimCommonAffixes(a, b);
  if (a.size() > b.size()) std::swap(a, b);
  if (b.size() - a.size() > static_cast<size_t>(max)) return max + 1;
  if (a.empty()) return static_cast<int>(b.size());
  if (a.size() <= kWordBits) return MyersLevenshtein(a, b, max);
  return BandedLevenshtein(a, b, max);
}

int OptimalStringAlignmentDistance(std::string_view a, std::string_view b) {
  TrimCommonAffixes(a, b);
  if (a.empty()) return static_cast<int>(b.size());
  if (b.empty()) return static_cast<int>(a.size());
  // Three rows of the matrix: i - 2, i - 1 and i.
  const size_t width = b.size() + 1;
  ScratchInts<3 * (kWordBits + 1)> rows(3 * width);
  size_t before = 0;
  size_t previous = width;
  size_t current = 2 * width;
  for (size_t j = 0; j < width; ++j) rows[previous + j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    rows[current] = static_cast<int>(i);
    for (size_t j = 1; j < width; ++j) {
      const int substitution = rows[previous + j - 1] + (a[i - 1] != b[j - 1]);
      int cell = std::min({substitution, rows[previous + j] + 1, rows[current + j - 1] + 1});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        cell = std::min(cell, rows[before + j - 2] + 1);
      }
      rows[current + j] = cell;
    }
    const size_t oldest = before;
    before = previous;
    previous = current;
    current = oldest;
  }
  return rows[previous + width - 1];
}

int DamerauLevenshteinDistance(std::string_view a, std::string_view b) {
  TrimCommonAffixes(a, b);
  if (a.empty()) return static_cast<int>(b.size());
  if (b.empty()) return static_cast<int>(a.size());
  // Lowrance-Wagner: d(i, j) may also come from the last row i1 < i where a holds b[j-1] and
  // the last column j1 < j where b holds a[i-1], paying for everything between them
  // (deleted from a, inserted from b) plus one transposition. The matrix has a border row and
  // column of "infinity" so that i1 = 0 or j1 = 0 never wins.
  const size_t rows = a.size() + 2;
  const size_t cols = b.size() + 2;
  ScratchInts<(kWordBits + 2) * (kWordBits + 2)> d(rows * cols);
  auto at = [&](size_t i, size_t j) -> int& { return d[i * cols + j]; };
  const int infinity = static_cast<int>(a.size() + b.size());
  at(0, 0) = infinity;
  for (size_t i = 0; i <= a.size(); ++i) {
    at(i + 1, 0) = infinity;
    at(i + 1, 1) = static_cast<int>(i);
  }
  for (size_t j = 0; j <= b.size(); ++j) {
    at(0, j + 1) = infinity;
    at(1, j + 1) = static_cast<int>(j);
  }
  // Last row (1-based) of `a` in which each byte was seen; only bytes of a and b are read.
  size_t last_row[256];
  for (char c : a) last_row[Byte(c)] = 0;
  for (char c : b) last_row[Byte(c)] = 0;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t last_match_col = 0;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t i1 = last_row[Byte(b[j - 1])];
      const size_t j1 = last_match_col;
      int cost = 1;
      if (a[i - 1] == b[j - 1]) {
        cost = 0;
        last_match_col = j;
      }
      const int transposition = at(i1, j1) + static_cast<int>((i - i1 - 1) + 1 + (j - j1 - 1));
      at(i + 1, j + 1) =
          std::min({at(i, j) + cost, at(i + 1, j) + 1, at(i, j + 1) + 1, transposition});
    }
    last_row[Byte(a[i - 1])] = i;
  }
  return at(a.size() + 1, b.size() + 1);
}

}  // namespace tessera::resolve
