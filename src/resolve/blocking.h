// Blocking: which pairs of records are worth comparing at all.
//
// Each rule makes a key from a few attributes of a record ("date of birth + first initial");
// records with equal keys under any rule are candidate pairs. The rules are unioned: a pair
// found by several rules is compared once, and is counted for the first rule that found it.
// A block larger than the cap (a key shared by thousands of records, usually a value nobody
// caught as a placeholder) is skipped and reported rather than exploding into millions of pairs.
//
// The index is in memory and incremental: records are added one at a time, and the candidates
// of one record are its block-mates, so the batch run and the live resolver use one mechanism.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "resolve/comparisons.h"
#include "resolve/records.h"

namespace tessera::resolve {

enum class KeyPart : uint8_t {
  kNhsNumber,
  kDob,
  kBirthYear,
  kGiven,
  kGivenInitial,
  kGivenMetaphone,
  kFamily,
  kFamilyMetaphone,
  kPostcode,
  kPostcodeSector,
  kPostcodeDistrict,
  kPhone,
  kEmail,
  kIdentifier,  // PNC ID, CRO, NI or shared id: one key per identifier the record has
  kSex,
  kInitials,  // the initials of the given and the family name: two keys, so swapped names meet
  kAddress,   // the normalised address text
  kUprn,
  kHouseNumber,  // the address's leading number ("57" of "57 BIRCH GROVE")
  // Each identifier with one character deleted, once per position: two ids a single mistyped
  // character apart share a key (the one without that character).
  kIdentifierTypo,
};
std::string_view KeyPartName(KeyPart part);
Result<KeyPart> KeyPartFromName(std::string_view name);
std::string KeyPartNames();
// The comparison a key part draws on (training does not estimate it from that rule's pairs).
ComparisonKind KeyPartComparison(KeyPart part);

struct BlockingRule {
  std::string name;
  std::vector<KeyPart> parts;
};

// The defaults: NHS number; date of birth + either initial; family-name sound + birth year;
// given + family name; postcode + given initial; address + birth year; UPRN + birth year;
// house number + family-name sound; phone; email; identifiers; identifiers one typo apart.
std::vector<BlockingRule> DefaultBlockingRules();

// What blocking did, per rule.
struct RuleStats {
  std::string name;
  int64_t pairs = 0;             // candidate pairs this rule contributed (not found earlier)
  int64_t blocks = 0;            // distinct keys
  int64_t oversized_blocks = 0;  // blocks over the cap, skipped
  int64_t oversized_records = 0;
  std::string largest_oversized_key;  // readable, e.g. "dob=1900-01-01 given_initial=J"
  int64_t largest_block = 0;
};

class BlockingIndex {
 public:
  BlockingIndex(std::vector<BlockingRule> rules, int max_block_size);
  ~BlockingIndex();
  BlockingIndex(const BlockingIndex&) = delete;
  BlockingIndex& operator=(const BlockingIndex&) = delete;

  const std::vector<BlockingRule>& rules() const { return rules_; }
  int max_block_size() const { return max_block_size_; }

  // Adds table record `index` (indexes must be added in increasing order).
  void Add(const RecordTable& table, uint32_t index);
  // Marks a record gone: it is no longer a candidate for anyone.
  void Remove(uint32_t index);
  bool removed(uint32_t index) const { return index < removed_.size() && removed_[index]; }
  int64_t removed_count() const { return removed_count_; }

  // The candidates of record `index` among the other (not removed) records, sorted, distinct.
  // Blocks over the cap are skipped.
  void Candidates(uint32_t index, std::vector<uint32_t>* out) const;

  // Every candidate pair (a < b) once, in parallel over `threads` threads: calls
  // `visit(thread, rule, a, b)` from the threads, `rule` being the first rule that found the
  // pair. Returns per-rule statistics.
  std::vector<RuleStats> ForEachPair(
      int threads,
      const std::function<void(int thread, size_t rule, uint32_t a, uint32_t b)>& visit) const;

  // True when rule `rule` puts both records in one block (the pair is one of its candidates).
  bool SharesBlock(size_t rule, uint32_t a, uint32_t b) const;

 private:
  struct RuleIndex;
  uint32_t SharedKey(size_t rule, uint32_t a, uint32_t b) const;
  std::vector<BlockingRule> rules_;
  int max_block_size_;
  std::vector<RuleIndex*> index_;
  std::vector<bool> removed_;
  int64_t removed_count_ = 0;
  const RecordTable* table_ = nullptr;
};

}  // namespace tessera::resolve
