// The resolver's view of a person record: every attribute it compares, reduced to small integers.
//
// A partner's person record (model::PersonRecord plus its location) is turned into one
// LinkageRecord when it enters the resolver. Strings are interned once into a StringPool, so
// that comparing two records is mostly integer equality: the string comparators (Jaro-Winkler,
// Double Metaphone codes, name variants) run only when two values differ, and their per-value
// work (phonetic codes, variant ids, address tokens) is done once per distinct value.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/model.h"

namespace tessera::resolve {

// Interns strings as dense ids. Id 0 is the empty string and stands for "missing" everywhere.
// Views returned by View() stay valid for the pool's lifetime. The characters live in 1 MiB
// blocks that never move, and the lookup table is open addressing over ids, so a string costs
// its characters plus about 22 bytes (a std::string and a hash-map node cost ~80).
class StringPool {
 public:
  StringPool();
  StringPool(const StringPool&) = delete;
  StringPool& operator=(const StringPool&) = delete;

  uint32_t Intern(std::string_view s);
  // The id of `s` if it was interned, else 0.
  uint32_t Find(std::string_view s) const;
  std::string_view View(uint32_t id) const { return views_[id]; }
  uint32_t size() const { return static_cast<uint32_t>(views_.size()); }

 private:
  size_t SlotOf(std::string_view s) const;  // where `s` is in table_, or the empty slot for it
  std::string_view Copy(std::string_view s);
  void Grow();

  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t block_used_ = 0;
  size_t block_size_ = 0;
  std::vector<std::string_view> views_;
  std::vector<uint32_t> table_;  // ids; 0 is an empty slot (the empty string is never looked up)
};

inline constexpr int32_t kNoDate = INT32_MIN;

// One person record as the resolver compares it. Every uint32_t is a StringPool id (0 when
// missing). Placeholders never get here: ingest has already turned them into missing values.
struct LinkageRecord {
  model::PersonRecordId id = 0;
  uint32_t source = 0;  // the source id
  uint32_t given = 0;
  uint32_t middle = 0;
  uint32_t family = 0;
  uint32_t given_metaphone = 0;  // Double Metaphone codes of the given and family names
  uint32_t given_metaphone_alt = 0;
  uint32_t family_metaphone = 0;
  uint32_t family_metaphone_alt = 0;
  int32_t given_variant = -1;  // NameVariants ids (-1: not in the variant tables)
  int32_t family_variant = -1;
  int32_t dob = kNoDate;  // days since 1970-01-01
  int16_t dob_year = 0;   // the same date as year, month, day (comparisons need both forms)
  int8_t dob_month = 0;
  int8_t dob_day = 0;
  uint8_t sex = 0;   // 0 unknown, 1 male, 2 female
  uint32_t nhs = 0;  // a valid NHS number (invalid ones are not evidence)
  uint32_t pnc = 0;
  uint32_t cro = 0;
  uint32_t ni = 0;
  uint32_t other_id = 0;
  uint32_t local_id = 0;      // compared only between records of the same source
  uint32_t postcode = 0;      // "SW1A 1AA"
  uint32_t sector = 0;        // "SW1A 1"
  uint32_t district = 0;      // "SW1A"
  uint32_t area = 0;          // "SW"
  uint32_t address = 0;       // normalised address text
  uint32_t address_slot = 0;  // where its words are (RecordTable::AddressTokens); 0: none
  uint32_t uprn = 0;
  uint32_t phones[2] = {0, 0};
  uint32_t emails[2] = {0, 0};
};

// Everything the resolver holds about the records it resolves: the records, the pool their
// values live in, and the per-value facts computed once (address tokens).
class RecordTable {
 public:
  RecordTable() = default;
  RecordTable(const RecordTable&) = delete;
  RecordTable& operator=(const RecordTable&) = delete;

  // Keeps what the comparisons need of a location (its values interned, ~28 bytes), so that
  // records naming it by id can be added without the location itself.
  void AddLocation(const model::Location& location);

  // Adds a record (`source_id` is the mapping's source) and returns its index. Indexes are dense
  // and never reused. Its location is `location` if given, else the one AddLocation kept under
  // record.location_id, if any.
  uint32_t Add(const model::PersonRecord& record, const model::Location* location,
               std::string_view source_id);

  const LinkageRecord& at(uint32_t index) const {
    return chunks_[index >> kChunkBits][index & (kChunkSize - 1)];
  }
  uint32_t size() const { return size_; }
  const StringPool& pool() const { return pool_; }
  StringPool& pool() { return pool_; }
  // Sorted, distinct word ids of an address, by LinkageRecord::address_slot (empty for 0).
  const std::vector<uint32_t>& AddressTokens(uint32_t slot) const { return address_tokens_[slot]; }
  // The index of a person record, or -1.
  int64_t IndexOf(model::PersonRecordId id) const;

  // Fills a LinkageRecord without adding it (for explaining a record that is not in the table).
  LinkageRecord Build(const model::PersonRecord& record, const model::Location* location,
                      std::string_view source_id);

 private:
  uint32_t InternName(std::string_view name);
  // Interns the normalised address; sets its pool id and word-list slot.
  void InternAddress(std::string_view text, uint32_t* id, uint32_t* slot);

  StringPool pool_;
  // Records in fixed chunks that never move: adding one never copies the others (a vector's
  // doubling would copy ~150 MB at a million records, a pause in the middle of a live run, and
  // leave up to half its capacity unused).
  static constexpr uint32_t kChunkBits = 16;
  static constexpr uint32_t kChunkSize = uint32_t{1} << kChunkBits;
  std::vector<std::unique_ptr<LinkageRecord[]>> chunks_;
  uint32_t size_ = 0;
  // Records usually arrive in person record id order (the store's paging order), so IndexOf
  // is a binary search over the records with no map at all; the map holds only the records that
  // arrived out of order (the few of an explanation).
  model::PersonRecordId last_id_ = 0;
  std::unordered_map<model::PersonRecordId, uint32_t> out_of_order_;
  std::vector<std::vector<uint32_t>> address_tokens_ = {{}};  // by slot; slot 0 is empty
  std::unordered_map<uint32_t, uint32_t> address_slot_;       // address pool id -> slot
  struct LocationFacts {
    uint32_t postcode = 0;
    uint32_t sector = 0;
    uint32_t district = 0;
    uint32_t area = 0;
    uint32_t address = 0;
    uint32_t address_slot = 0;
    uint32_t uprn = 0;
  };
  LocationFacts FactsOf(const model::Location& location);
  std::unordered_map<model::LocationId, LocationFacts> locations_;
  // Per interned name: its metaphone codes and variant ids, computed once.
  struct NameFacts {
    uint32_t metaphone = 0;
    uint32_t metaphone_alt = 0;
    int32_t first_variant = -1;
    int32_t last_variant = -1;
  };
  std::unordered_map<uint32_t, NameFacts> name_facts_;
  const NameFacts& FactsFor(uint32_t name);
};

}  // namespace tessera::resolve
