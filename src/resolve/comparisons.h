// The comparisons: how two person records are compared, attribute by attribute, into graded
// levels. This is the one place where "do these two records agree on X" is decided.
//
// Each comparison puts a pair into one of its levels, best first, or into the null level when
// either record lacks the attribute (missing is not evidence either way). The Fellegi-Sunter
// model (linkage_model.h) gives each level a weight. The levels are fixed here so that a model
// file can name them; their thresholds are settings in the model file.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "resolve/records.h"

namespace tessera::resolve {

enum class ComparisonKind : uint8_t {
  kGivenName,
  kFamilyName,
  kDateOfBirth,
  kSex,
  kLocation,  // address (UPRN, address text) and postcode, as one: they are not independent
  kNhsNumber,
  kIdentifiers,  // PNC ID, CRO number, NI number, shared ids, local ids within a source
  kContact,      // phone numbers and email addresses
};
inline constexpr int kComparisonCount = 8;
inline constexpr uint8_t kNullLevel = 15;

struct LevelInfo {
  std::string_view name;         // "exact", "jaro_winkler_high", ...
  std::string_view description;  // for `tessera linkage show` and waterfalls
  bool term_frequency = false;   // weighted by how common the shared value is
};

std::string_view ComparisonName(ComparisonKind kind);  // "given_name", ...
// The levels of a comparison, best first; the last is "else" (disagreement).
std::span<const LevelInfo> ComparisonLevels(ComparisonKind kind);
inline ComparisonKind KindAt(int i) { return static_cast<ComparisonKind>(i); }

// Thresholds the levels use. Stored in the model file.
struct ComparisonSettings {
  double name_similar_high = 0.92;    // Jaro-Winkler at or above: a likely typo
  double name_similar_low = 0.80;     // Jaro-Winkler at or above (or same phonetic code): similar
  double address_overlap_high = 0.7;  // share of address words in common (Jaccard)
  double address_overlap_low = 0.4;
};

// The level of each comparison for one pair, and the values whose frequency adjusts the
// term-frequency levels.
struct LevelVector {
  std::array<uint8_t, kComparisonCount> level{};
  // 4 bits per comparison: identical vectors share a pattern (training counts patterns).
  uint64_t Pattern() const {
    uint64_t p = 0;
    for (int i = 0; i < kComparisonCount; ++i) p |= static_cast<uint64_t>(level[i]) << (4 * i);
    return p;
  }
  static LevelVector FromPattern(uint64_t p) {
    LevelVector v;
    for (int i = 0; i < kComparisonCount; ++i)
      v.level[i] = static_cast<uint8_t>((p >> (4 * i)) & 15);
    return v;
  }
};

// Compares records of one RecordTable. Thread-safe for concurrent Compare calls while the
// table is not being added to.
class Comparer {
 public:
  Comparer(const RecordTable& table, ComparisonSettings settings)
      : table_(table), settings_(settings) {}

  LevelVector Compare(const LinkageRecord& a, const LinkageRecord& b) const;
  const ComparisonSettings& settings() const { return settings_; }
  const RecordTable& table() const { return table_; }
  // True when both records have given names and they plainly differ: the given-name
  // comparison's "else" level.
  bool GivenNamesDiffer(const LinkageRecord& a, const LinkageRecord& b) const;
  // True when one record's given name is the other's family name (or the other way round),
  // exactly or within a typo, without the full swap: FEBRL-style field shuffles, and a given
  // name recorded as a surname.
  bool PartlySwapped(const LinkageRecord& a, const LinkageRecord& b) const;
  // True when the records share a person-level identifier: the same valid NHS number, or an
  // identifier of one kind that agrees (the identifier comparison's "agree" level).
  bool ShareIdentifier(const LinkageRecord& a, const LinkageRecord& b) const;

  // The value a term-frequency level is adjusted by (a pool id): the shared given or family
  // name. 0 for comparisons without term frequencies.
  static uint32_t TermValue(ComparisonKind kind, const LinkageRecord& a);

 private:
  // True when the records' names are the same two names the other way round (given <->
  // family), each exactly or within a typo (Jaro-Winkler at or above the high threshold).
  bool NamesSwapped(const LinkageRecord& a, const LinkageRecord& b) const;
  uint8_t GivenName(const LinkageRecord& a, const LinkageRecord& b, bool swapped) const;
  uint8_t FamilyName(const LinkageRecord& a, const LinkageRecord& b, bool swapped) const;
  uint8_t DateOfBirth(const LinkageRecord& a, const LinkageRecord& b) const;
  uint8_t Location(const LinkageRecord& a, const LinkageRecord& b) const;
  static uint8_t Identifiers(const LinkageRecord& a, const LinkageRecord& b,
                             const StringPool& pool);

  const RecordTable& table_;
  ComparisonSettings settings_;
};

}  // namespace tessera::resolve
