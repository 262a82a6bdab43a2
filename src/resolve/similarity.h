// String comparators for record linkage: Jaro, Jaro-Winkler, Levenshtein, optimal string
// alignment and Damerau-Levenshtein. They compare bytes, so callers pass names already
// standardised (upper-case ASCII, as ingest writes them); "é" and "e" are different bytes.
//
// The resolver calls these for every candidate pair, so they are written for short strings: for
// strings of up to 64 bytes they keep everything on the stack and use bit-parallel algorithms
// (one 64-bit word per string); longer strings take a slower path that allocates.
#pragma once

#include <string_view>

namespace tessera::resolve {

// Jaro similarity in [0, 1] (Jaro 1989): characters match when equal and no further apart than
// max(|a|, |b|) / 2 - 1 positions; t is half the number of matched characters out of order, and
// the score is (m / |a| + m / |b| + (m - t) / m) / 3. MARTHA/MARHTA 0.944, DWAYNE/DUANE 0.822.
// If either string is empty the result is 0.0 (two empty strings included): a missing value is
// the caller's to handle, never evidence of agreement.
double JaroSimilarity(std::string_view a, std::string_view b);

// Jaro-Winkler similarity (Winkler 1990): jaro + l * 0.1 * (1 - jaro), where l is the length of
// the common prefix, at most 4. The prefix bonus is applied whatever the Jaro score (there is no
// 0.7 "boost threshold"). MARTHA/MARHTA 0.961, DWAYNE/DUANE 0.840, DIXON/DICKSONX 0.813.
// Empty strings as for JaroSimilarity.
double JaroWinklerSimilarity(std::string_view a, std::string_view b);

// Levenshtein distance: the fewest single-byte insertions, deletions and substitutions that
// turn `a` into `b`. kitten/sitting 3.
int LevenshteinDistance(std::string_view a, std::string_view b);

// min(LevenshteinDistance(a, b), max + 1), computed with early exits: it returns as soon as the
// distance is known to exceed `max` (length difference, or a running lower bound). A negative
// `max` is taken as 0.
int LevenshteinDistanceAtMost(std::string_view a, std::string_view b, int max);

// Optimal string alignment distance ("restricted" Damerau-Levenshtein): Levenshtein plus the
// transposition of two adjacent bytes, where no substring may be edited twice. Not a metric:
// OSA(CA, ABC) = 3 although OSA(CA, AC) + OSA(AC, ABC) = 2.
int OptimalStringAlignmentDistance(std::string_view a, std::string_view b);

// The true (unrestricted) Damerau-Levenshtein distance (Lowrance and Wagner 1975): the fewest
// insertions, deletions, substitutions and adjacent transpositions, with later edits allowed
// between transposed bytes. It is a metric. It differs from OSA when an edit falls between two
// transposed bytes: DamerauLevenshtein(CA, ABC) = 2 (CA -> AC -> ABC), OSA 3.
int DamerauLevenshteinDistance(std::string_view a, std::string_view b);

}  // namespace tessera::resolve
