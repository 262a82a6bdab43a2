// The live search index: the resolver's view of every current person record, inverted indexes
// from values to records, and the two-phase search over them (candidates from the postings,
// then the resolver's comparators on each candidate nominal's visible records). See search.h
// and docs/design/0011-search.md.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "resolve/double_metaphone.h"
#include "resolve/field_compare.h"
#include "resolve/name_variants.h"
#include "resolve/records.h"
#include "resolve/similarity.h"
#include "search/posting_map.h"
#include "search/search.h"

namespace tessera::search {

namespace {

using govern::Field;
using govern::FieldMask;
using resolve::LinkageRecord;
using resolve::NameVariants;

constexpr int kPage = 50'000;
constexpr uint32_t kNoRecord = UINT32_MAX;

// --- keys -----------------------------------------------------------------------------------

enum class KeyKind : uint8_t {
  kGiven = 1,
  kFamily,
  kDob,
  kYear,
  kPostcode,
  kSector,
  kDistrict,
  kAddressWord,
  kNhs,
  kIdentifier,
  kPhone,
  kEmail,
  kRecordKey,
  kNameCode,      // a Double Metaphone code -> the distinct names that have it
  kNameDeletion,  // a name, or a name less one letter (hashed) -> the distinct names
};

constexpr uint64_t kValueMask = (uint64_t{1} << 56) - 1;
uint64_t MakeKey(KeyKind kind, uint64_t value) {
  return (static_cast<uint64_t>(kind) << 56) | (value & kValueMask);
}
uint64_t DayValue(int64_t days) { return static_cast<uint64_t>(days + (int64_t{1} << 40)); }
uint64_t TextHash(std::string_view s) { return std::hash<std::string_view>()(s) & kValueMask; }

// The keys a name is found by when a query's name is mistyped: the name itself and the name
// less each one of its letters (a symmetric deletion neighbourhood: two names one insertion,
// deletion, substitution or transposition apart share a key).
template <typename F>
void ForEachDeletion(std::string_view name, F&& f) {
  f(TextHash(name));
  if (name.size() < 3 || name.size() > 24) return;
  std::string shorter(name.substr(1));
  for (size_t i = 0; i < name.size(); ++i) {
    // `shorter` is `name` without its letter i.
    if (i > 0) shorter[i - 1] = name[i - 1];
    if (i > 0 && name[i] == name[i - 1]) continue;  // the same string as the one before
    f(TextHash(shorter));
  }
}

// --- evidence groups: which field of the visibility mask a match draws on ---------------------

enum Group : uint8_t {
  kGName,
  kGDob,
  kGSex,
  kGAddress,
  kGNhs,
  kGIdent,
  kGPhone,
  kGEmail,
  kGKey,  // the source's record key: usable whenever the record is visible
  kGroups
};
constexpr FieldMask kGroupField[kGroups] = {
    govern::Bit(Field::kPersonName),
    govern::Bit(Field::kPersonDob),
    govern::Bit(Field::kPersonSex),
    govern::Bit(Field::kPersonAddress),
    govern::Bit(Field::kPersonNhsNumber),
    govern::Bit(Field::kPersonIdentifiers),
    govern::Bit(Field::kPersonPhone),
    govern::Bit(Field::kPersonEmail),
    0,
};
bool GroupVisible(FieldMask mask, int group) {
  return group == kGKey || (mask & kGroupField[group]) != 0;
}

// --- grades -----------------------------------------------------------------------------------

enum class How : uint8_t {
  kNone,
  kExact,
  kVariant,
  kTypo,        // Jaro-Winkler >= 0.92
  kSoundsLike,  // same Double Metaphone code
  kSimilar,     // Jaro-Winkler >= 0.88
  kInitial,
  kDaySwap,
  kDigitTypo,
  kWithinYear,
  kYearOnly,
  kYearOff,
  kInRange,
  kSector,
  kDistrict,
  kWords,
  kRecordKey,
  kIdentifier,
};

constexpr float kGradeExact = 1.0f;
constexpr float kGradeVariant = 0.85f;
constexpr float kGradeTypo = 0.8f;
constexpr float kGradeSoundsLike = 0.7f;
constexpr float kGradeSimilar = 0.6f;
constexpr float kGradeInitial = 0.4f;
constexpr double kJaroWinklerHigh = 0.92;
constexpr double kJaroWinklerLow = 0.88;

enum NameField : uint8_t { kFieldGiven, kFieldFamily, kFieldMiddle };

// A name in a field other than the one it was typed as counts a little less (it is still the
// person: swapped given and family names are common in partner data).
float RolePenalty(NameRole role, NameField field) {
  switch (role) {
    case NameRole::kAny:
      return field == kFieldMiddle ? 0.8f : 1.0f;
    case NameRole::kGiven:
      return field == kFieldGiven ? 1.0f : field == kFieldFamily ? 0.9f : 0.8f;
    case NameRole::kFamily:
      return field == kFieldFamily ? 1.0f : field == kFieldGiven ? 0.9f : 0.8f;
    case NameRole::kMiddle:
      return field == kFieldMiddle ? 1.0f : 0.8f;
  }
  return 1.0f;
}

float TermWeight(const QueryTerm& t) {
  switch (t.kind) {
    case TermKind::kName:
      return t.role == NameRole::kFamily ? 1.2f : t.role == NameRole::kMiddle ? 0.4f : 1.0f;
    case TermKind::kInitial:
      return 0.3f;
    case TermKind::kDob:
      return 1.5f;
    case TermKind::kBirthMonth:
      return 0.8f;
    case TermKind::kBirthYear:
      return 0.5f;
    case TermKind::kDobRange:
      return 0.5f;
    case TermKind::kPostcode:
      return 1.0f;
    case TermKind::kPostcodeSector:
      return 0.8f;
    case TermKind::kPostcodeDistrict:
      return 0.5f;
    case TermKind::kAddressWords:
      return 0.8f;
    case TermKind::kNhsNumber:
      return 3.0f;
    case TermKind::kPhone:
    case TermKind::kEmail:
      return 2.0f;
    case TermKind::kIdentifier:
      return 3.0f;
  }
  return 1.0f;
}

// One match of a term against one record: how good, how, where, and the record's value.
struct Match {
  int32_t days = 0;  // dates: the record's date of birth
  float grade = 0;
  How how = How::kNone;
  uint8_t group = kGName;
  NameField field = kFieldGiven;
  uint32_t value = 0;  // the record's matching value (pool id), for the reason
};

// A small open-addressing map from nonzero 64-bit keys to values, for per-query tables (a
// term's candidate names, its memo of graded names): no node allocations, and Clear keeps the
// capacity, so a thread's scratch stops allocating after its first few queries.
template <typename V>
class SmallMap {
 public:
  void Clear() {
    if (keys_.size() > 4096) {
      std::vector<uint64_t>().swap(keys_);
      std::vector<V>().swap(values_);
    }
    if (keys_.empty()) {
      keys_.assign(64, 0);
      values_.assign(64, V{});
    } else if (size_ > 0) {
      std::fill(keys_.begin(), keys_.end(), 0);
    }
    size_ = 0;
  }
  // The value under `key`, default-constructed and inserted if missing.
  V& operator[](uint64_t key) {
    size_t slot = SlotOf(key);
    if (keys_[slot] == 0) {
      if ((size_ + 1) * 4 > keys_.size() * 3) {
        Grow();
        slot = SlotOf(key);
      }
      keys_[slot] = key;
      values_[slot] = V{};
      ++size_;
    }
    return values_[slot];
  }
  const V* Find(uint64_t key) const {
    if (size_ == 0) return nullptr;
    size_t slot = SlotOf(key);
    return keys_[slot] == 0 ? nullptr : &values_[slot];
  }
  template <typename F>
  void ForEach(F&& f) const {
    for (size_t i = 0; i < keys_.size(); ++i) {
      if (keys_[i] != 0) f(keys_[i], values_[i]);
    }
  }
  size_t size() const { return size_; }

 private:
  size_t SlotOf(uint64_t key) const {
    const size_t mask = keys_.size() - 1;
    size_t i = static_cast<size_t>((key * 0x9E3779B97F4A7C15ULL) >> 32) & mask;
    while (keys_[i] != 0 && keys_[i] != key) i = (i + 1) & mask;
    return i;
  }
  void Grow() {
    std::vector<uint64_t> old_keys = std::move(keys_);
    std::vector<V> old_values = std::move(values_);
    keys_.assign(old_keys.size() * 2, 0);
    values_.assign(old_keys.size() * 2, V{});
    for (size_t i = 0; i < old_keys.size(); ++i) {
      if (old_keys[i] == 0) continue;
      const size_t slot = SlotOf(old_keys[i]);
      keys_[slot] = old_keys[i];
      values_[slot] = old_values[i];
    }
  }
  std::vector<uint64_t> keys_;
  std::vector<V> values_;
  size_t size_ = 0;
};

// A name's grade against a query name before the field's penalty, worked out once per query
// for each distinct (name, field kind) phase 2 meets: how, and how good.
struct NameGrade {
  float grade = 0;
  How how = How::kNone;
};

// A query name word, prepared once per search.
struct NameQuery {
  std::string text;
  uint32_t id = 0;  // its pool id, 0 if no record has it
  int32_t first_variant = -1;
  int32_t last_variant = -1;
  uint32_t code = 0;  // pool ids of its Double Metaphone codes (0: no record has them)
  uint32_t code_alt = 0;
  // Candidate names (pool id -> phase-1 grade) by field, from the variant tables, the
  // phonetic codes and the deletion neighbourhood.
  SmallMap<float> given;
  SmallMap<float> family;
  // Phase 2's memo: (pool id << 2 | NameField) -> the comparators' verdict. Searches share
  // nothing: the plan and its memo belong to one search on one thread.
  mutable SmallMap<NameGrade> graded;
};

// --- per-search scratch: candidate records and their accumulated evidence ----------------------

struct Candidate {
  uint32_t rec = 0;
  uint32_t terms = 0;  // the terms that contributed (bit per term)
  int16_t last_term = -1;
  uint8_t last_group = 0;
  float last = 0;
  float total = 0;  // with the dataset masks: an upper bound of the visible evidence
  float group[kGroups] = {};
  // Set when a narrowed read took it: it matched that term (narrowed_on) and was in the
  // postings of one of these (bit per term). Postings hold values the request may not see, so
  // both matches are checked against the record's exact mask before it is scored.
  uint32_t narrowed_by = 0;
  int8_t narrowed_on = -1;
};

class Accumulator {
 public:
  void Reset() {
    if (slots_.size() > (size_t{1} << 18)) {
      // Do not keep a broad query's memory for the life of the thread.
      std::vector<uint32_t>().swap(slots_);
      std::vector<Candidate>().swap(entries_);
    }
    entries_.clear();
    if (slots_.empty()) slots_.assign(4096, 0);
    std::fill(slots_.begin(), slots_.end(), 0);
  }
  // Adds a term's contribution to a record; a term counts once per record, at its best.
  void Add(uint32_t rec, int term, float contribution, int group) {
    size_t slot = SlotOf(rec);
    if (slots_[slot] == 0) {
      entries_.push_back({});
      entries_.back().rec = rec;
      slots_[slot] = static_cast<uint32_t>(entries_.size());
      if (entries_.size() * 2 > slots_.size()) Grow();
      slot = SlotOf(rec);
    }
    AddTo(entries_[slots_[slot] - 1], term, contribution, group);
  }
  static void AddTo(Candidate& c, int term, float contribution, int group) {
    const uint32_t bit = uint32_t{1} << term;
    if ((c.terms & bit) != 0) {
      // Terms are added one after another, so only the last one can still improve.
      if (c.last_term != term || contribution <= c.last) return;
      c.total -= c.last;
      c.group[c.last_group] -= c.last;
    }
    c.terms |= bit;
    c.last_term = static_cast<int16_t>(term);
    c.last_group = static_cast<uint8_t>(group);
    c.last = contribution;
    c.total += contribution;
    c.group[group] += contribution;
  }
  std::vector<Candidate>& entries() { return entries_; }

 private:
  size_t SlotOf(uint32_t rec) const {
    const size_t mask = slots_.size() - 1;
    size_t i = (static_cast<size_t>(rec) * 0x9E3779B97F4A7C15ULL >> 20) & mask;
    while (slots_[i] != 0 && entries_[slots_[i] - 1].rec != rec) i = (i + 1) & mask;
    return i;
  }
  void Grow() {
    slots_.assign(slots_.size() * 2, 0);
    for (size_t e = 0; e < entries_.size(); ++e) slots_[SlotOf(entries_[e].rec)] = e + 1;
  }
  std::vector<uint32_t> slots_;  // entry index + 1; 0 empty
  std::vector<Candidate> entries_;
};

// Phase 1's plan for one term: which postings to read and how to grade a record cheaply.
struct TermPlan {
  int index = 0;  // in the query
  const QueryTerm* term = nullptr;
  float weight = 1;
  struct KeyGrade {
    uint64_t key;
    float grade;  // the grade every record of this key has, or < 0: ask Probe
    uint8_t group;
    NameField field;
    uint32_t count;  // postings
  };
  std::vector<KeyGrade> keys;  // best first
  size_t postings = 0;         // SIZE_MAX: probe only
  NameQuery name;
  std::vector<uint32_t> ids;  // identifiers, emails, phones: pool ids of the forms
  std::vector<uint32_t> words;
};

// A candidate's upper bound, for the walk to the records scored in full.
struct Bound {
  float total;
  uint32_t rec;
  uint32_t entry;  // in the accumulator
};
struct Kept {
  float score;
  uint32_t rec;
};
struct Scored {
  model::NominalId id;
  double score;
  int corroboration;  // visible records that matched a term
  size_t first;       // its best match per term: SearchScratch::best[first + term]
};

// One thread's working memory for its searches, reused from one to the next so that a search
// allocates little beyond its answer.
struct SearchScratch {
  std::vector<FieldMask> source_mask;
  std::vector<TermPlan> plans;
  std::vector<size_t> order;
  std::vector<size_t> probe_only;
  Accumulator acc;
  std::vector<uint64_t> bits;  // the narrowing filter, a bit per record; all clear between uses
  std::vector<Bound> bounds;
  std::vector<Kept> top;
  std::vector<model::NominalId> nominals;
  std::vector<std::pair<uint32_t, FieldMask>> visible;
  std::vector<Scored> scored;
  std::vector<Match> best;
  std::vector<uint32_t> best_rec;
};

}  // namespace

// --- the index --------------------------------------------------------------------------------

struct SearchIndex::Impl {
  // Readers share `mu`; a writer first takes `turnstile`, which readers pass through on their
  // way in, so that a stream of searches cannot starve CatchUp (glibc's rwlock prefers readers).
  mutable std::mutex turnstile;
  mutable std::shared_mutex mu;
  std::shared_lock<std::shared_mutex> ReadLock() const {
    { std::lock_guard pass(turnstile); }
    return std::shared_lock(mu);
  }
  struct WriteLock {
    std::lock_guard<std::mutex> gate;
    std::unique_lock<std::shared_mutex> lock;
    explicit WriteLock(const Impl& x) : gate(x.turnstile), lock(x.mu) {}
  };
  resolve::RecordTable table;
  // By table index.
  std::vector<model::SourceRecordId> source_record;
  std::vector<uint32_t> record_key;  // pool id of the source's record key
  std::vector<model::NominalId> nominal;
  std::vector<uint32_t> next_in_nominal;
  std::vector<uint8_t> dead;  // no longer current
  std::vector<uint16_t> source_no;
  // source_no + 1 for a record a search may find (attached to a nominal and current), else 0:
  // what phase 1 checks for every posting it reads, in one small array.
  std::vector<uint16_t> searchable;
  std::vector<uint32_t> sources;  // source pool ids, by source_no
  // Nominal -> first record (then next_in_nominal), by id; ids past kDenseIds in a map.
  static constexpr model::NominalId kDenseIds = int64_t{1} << 26;
  std::vector<uint32_t> head;
  std::unordered_map<model::NominalId, uint32_t> head_overflow;
  size_t nominal_count = 0;
  PostingMap postings;
  std::vector<uint8_t> name_registered;  // by pool id
  SearchLimits limits;
  // Cursors: touched only by Build and CatchUp (which callers serialise).
  model::PersonRecordId last_record = 0;
  model::LocationId last_location = 0;
  int64_t last_seq = 0;

  uint32_t Head(model::NominalId n) const {
    if (n < kDenseIds) return n < static_cast<model::NominalId>(head.size()) ? head[n] : kNoRecord;
    auto it = head_overflow.find(n);
    return it == head_overflow.end() ? kNoRecord : it->second;
  }
  void SetHead(model::NominalId n, uint32_t rec) {
    const bool was_empty = Head(n) == kNoRecord;
    if (n < kDenseIds) {
      if (n >= static_cast<model::NominalId>(head.size())) head.resize(n + 1 + n / 4, kNoRecord);
      head[n] = rec;
    } else if (rec == kNoRecord) {
      head_overflow.erase(n);
    } else {
      head_overflow[n] = rec;
    }
    if (was_empty && rec != kNoRecord) ++nominal_count;
    if (!was_empty && rec == kNoRecord) --nominal_count;
  }
  void Unlink(uint32_t rec) {
    model::NominalId n = nominal[rec];
    if (n == 0) return;
    uint32_t h = Head(n);
    if (h == rec) {
      SetHead(n, next_in_nominal[rec]);
    } else {
      for (uint32_t r = h; r != kNoRecord; r = next_in_nominal[r]) {
        if (next_in_nominal[r] == rec) {
          next_in_nominal[r] = next_in_nominal[rec];
          break;
        }
      }
    }
    next_in_nominal[rec] = kNoRecord;
    nominal[rec] = 0;
    searchable[rec] = 0;
  }
  void MarkDead(uint32_t rec) {
    Unlink(rec);
    dead[rec] = 1;
  }
  void Assign(uint32_t rec, model::NominalId n) {
    if (nominal[rec] == n) return;
    Unlink(rec);
    if (n == 0) return;
    next_in_nominal[rec] = Head(n);
    SetHead(n, rec);
    nominal[rec] = n;
    searchable[rec] = dead[rec] ? 0 : static_cast<uint16_t>(source_no[rec] + 1);
  }

  void RegisterName(uint32_t name, uint32_t code, uint32_t code_alt) {
    if (name == 0) return;
    if (name >= name_registered.size()) name_registered.resize(name + 1 + name / 4, 0);
    if (name_registered[name]) return;
    name_registered[name] = 1;
    if (code != 0) postings.Add(MakeKey(KeyKind::kNameCode, code), name);
    if (code_alt != 0 && code_alt != code)
      postings.Add(MakeKey(KeyKind::kNameCode, code_alt), name);
    std::vector<uint64_t> seen;
    ForEachDeletion(table.pool().View(name), [&](uint64_t h) {
      if (std::find(seen.begin(), seen.end(), h) != seen.end()) return;
      seen.push_back(h);
      postings.Add(MakeKey(KeyKind::kNameDeletion, h), name);
    });
  }

  void AddRecord(const model::PersonRecord& r) {
    const uint32_t idx = table.Add(r, nullptr, r.source_id);
    const LinkageRecord& l = table.at(idx);
    source_record.push_back(r.source_record_id);
    std::string_view key = r.mention_key;
    key = key.substr(0, key.find('#'));
    record_key.push_back(table.pool().Intern(key));
    nominal.push_back(0);
    next_in_nominal.push_back(kNoRecord);
    dead.push_back(0);
    auto src = std::find(sources.begin(), sources.end(), l.source);
    if (src == sources.end()) {
      sources.push_back(l.source);
      src = sources.end() - 1;
    }
    source_no.push_back(static_cast<uint16_t>(src - sources.begin()));
    searchable.push_back(0);

    auto add = [&](KeyKind kind, uint64_t value) {
      if (value != 0) postings.Add(MakeKey(kind, value), idx);
    };
    add(KeyKind::kGiven, l.given);
    add(KeyKind::kFamily, l.family);
    RegisterName(l.given, l.given_metaphone, l.given_metaphone_alt);
    RegisterName(l.family, l.family_metaphone, l.family_metaphone_alt);
    if (l.dob != resolve::kNoDate) {
      add(KeyKind::kDob, DayValue(l.dob));
      add(KeyKind::kYear, static_cast<uint64_t>(l.dob_year));
    }
    add(KeyKind::kPostcode, l.postcode);
    add(KeyKind::kSector, l.sector);
    add(KeyKind::kDistrict, l.district);
    for (uint32_t word : table.AddressTokens(l.address_slot)) add(KeyKind::kAddressWord, word);
    add(KeyKind::kNhs, l.nhs);
    for (uint32_t id : {l.pnc, l.cro, l.ni, l.other_id, l.local_id}) add(KeyKind::kIdentifier, id);
    for (uint32_t p : l.phones) add(KeyKind::kPhone, p);
    for (uint32_t e : l.emails) add(KeyKind::kEmail, e);
    add(KeyKind::kRecordKey, record_key.back());
  }

  // --- search ---------------------------------------------------------------------------------

  static SmallMap<uint8_t>& DeletionSeen() {
    thread_local SmallMap<uint8_t> seen;
    return seen;
  }
  void PrepareName(const std::string& text, NameQuery& n) const;
  // Fills `p` (a scratch plan reused across searches) for the term.
  void Plan(const QueryTerm& term, int index, TermPlan& p) const;
  // Phase 1's cheap grade of a record for a term.
  Match Probe(const TermPlan& plan, uint32_t rec) const;
  // Phase 2's full grade, with the comparators, against the fields the mask allows.
  Match Grade(const TermPlan& plan, uint32_t rec, FieldMask mask) const;
  Match GradeName(const TermPlan& plan, const LinkageRecord& l, FieldMask mask) const;
  std::pair<std::string, std::string> Explain(const TermPlan& plan, const Match& m) const;
  Result<std::vector<SearchHit>> Search(const ParsedQuery& q, const govern::Visibility& v) const;
};

void SearchIndex::Impl::PrepareName(const std::string& text, NameQuery& n) const {
  n.text = text;
  const resolve::StringPool& pool = table.pool();
  n.id = pool.Find(text);
  n.first_variant = NameVariants::FirstNames().Id(text);
  n.last_variant = NameVariants::LastNames().Id(text);
  resolve::MetaphoneCodes codes = resolve::DoubleMetaphone(text);
  n.code = pool.Find(codes.primary);
  n.code_alt = pool.Find(codes.alternate);
  n.given.Clear();
  n.family.Clear();
  n.graded.Clear();

  // Names that sound alike or are one edit away, graded once each (a name reached by both
  // codes and a deletion key costs one Jaro-Winkler): into `given`, then copied to `family`.
  SmallMap<float>& base = n.given;
  auto offer = [](SmallMap<float>& m, uint32_t id, float g) {
    if (id == 0) return;
    float& have = m[id];
    if (have < g) have = g;
  };
  offer(base, n.id, kGradeExact);
  auto similar = [&](uint32_t id, bool same_code) {
    double jw = resolve::JaroWinklerSimilarity(text, pool.View(id));
    if (jw >= kJaroWinklerHigh) return kGradeTypo;
    if (same_code) return kGradeSoundsLike;
    if (jw >= kJaroWinklerLow) return kGradeSimilar;
    return 0.0f;
  };
  for (uint32_t code : {n.code, n.code_alt}) {
    if (code == 0) continue;
    auto names = postings.Get(MakeKey(KeyKind::kNameCode, code));
    if (names.size() > 1000) continue;  // a code too common to say anything
    for (uint32_t id : names) {
      if (base.Find(id) != nullptr) continue;  // graded already: same code, same verdict
      offer(base, id, similar(id, true));
    }
  }
  // Names reached by a deletion key but not by a code: graded once (`seen` keeps the misses,
  // which `base` does not hold, from being graded again by the next key).
  SmallMap<uint8_t>& seen = DeletionSeen();
  seen.Clear();
  ForEachDeletion(text, [&](uint64_t h) {
    for (uint32_t id : postings.Get(MakeKey(KeyKind::kNameDeletion, h))) {
      if (base.Find(id) != nullptr) continue;
      uint8_t& done = seen[id];
      if (done) continue;
      done = 1;
      float g = similar(id, false);
      if (g > 0) offer(base, id, g);
    }
  });
  n.family = n.given;
  auto variants = [&](const NameVariants& table_of, int32_t id, SmallMap<float>& into) {
    if (id < 0) return;
    for (int32_t v : table_of.VariantIdsOf(id)) {
      offer(into, pool.Find(table_of.Name(v)), kGradeVariant);
    }
  };
  variants(NameVariants::FirstNames(), n.first_variant, n.given);
  variants(NameVariants::LastNames(), n.last_variant, n.family);
  if (n.id != 0) {
    n.given[n.id] = kGradeExact;
    n.family[n.id] = kGradeExact;
  }
}

void SearchIndex::Impl::Plan(const QueryTerm& term, int index, TermPlan& p) const {
  p.index = index;
  p.term = &term;
  p.weight = TermWeight(term);
  p.keys.clear();
  p.postings = 0;
  p.ids.clear();
  p.words.clear();
  p.name.graded.Clear();
  const resolve::StringPool& pool = table.pool();
  auto key = [&](KeyKind kind, uint64_t value, float grade, uint8_t group,
                 NameField field = kFieldGiven) {
    if (value == 0) return;
    uint64_t k = MakeKey(kind, value);
    auto list = postings.Get(k);
    if (list.empty()) return;
    p.keys.push_back({k, grade, group, field, static_cast<uint32_t>(list.size())});
    p.postings += list.size();
  };
  switch (term.kind) {
    case TermKind::kName: {
      PrepareName(term.value, p.name);
      p.name.given.ForEach([&](uint64_t id, float g) {
        key(KeyKind::kGiven, id, g * RolePenalty(term.role, kFieldGiven), kGName, kFieldGiven);
      });
      p.name.family.ForEach([&](uint64_t id, float g) {
        key(KeyKind::kFamily, id, g * RolePenalty(term.role, kFieldFamily), kGName, kFieldFamily);
      });
      // Best grade first; within a grade the rarest first (more keys fit in a read budget),
      // then by key, so that the order does not depend on the table's layout.
      std::sort(p.keys.begin(), p.keys.end(), [](const auto& a, const auto& b) {
        if (a.grade != b.grade) return a.grade > b.grade;
        if (a.count != b.count) return a.count < b.count;
        return a.key < b.key;
      });
      break;
    }
    case TermKind::kInitial:
      p.postings = SIZE_MAX;  // too broad to read: probed on the other terms' candidates
      break;
    case TermKind::kDob: {
      const CivilDate d = term.date;
      key(KeyKind::kDob, DayValue(d.ToDays()), kGradeExact, kGDob);
      // Day and month swapped, and every date one digit or one transposition away: the
      // resolver's date levels, looked up rather than compared with every record.
      std::vector<int64_t> near;
      if (auto s = CivilDate::FromYmd(d.year, d.day, d.month); s.ok() && *s != d)
        near.push_back(s->ToDays());
      char digits[9];
      std::snprintf(digits, sizeof digits, "%04d%02d%02d", d.year, d.month, d.day);
      auto try_digits = [&](const char* s) {
        int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
        int m = (s[4] - '0') * 10 + (s[5] - '0');
        int dd = (s[6] - '0') * 10 + (s[7] - '0');
        if (auto c = CivilDate::FromYmd(y, m, dd); c.ok() && *c != d) near.push_back(c->ToDays());
      };
      for (int i = 0; i < 8; ++i) {
        char copy[9];
        std::copy(digits, digits + 9, copy);
        for (char c = '0'; c <= '9'; ++c) {
          if (c == digits[i]) continue;
          copy[i] = c;
          try_digits(copy);
        }
        if (i + 1 < 8 && digits[i] != digits[i + 1]) {
          std::copy(digits, digits + 9, copy);
          std::swap(copy[i], copy[i + 1]);
          try_digits(copy);
        }
      }
      std::sort(near.begin(), near.end());
      near.erase(std::unique(near.begin(), near.end()), near.end());
      for (int64_t days : near) key(KeyKind::kDob, DayValue(days), -1, kGDob);
      break;
    }
    case TermKind::kBirthMonth:
    case TermKind::kBirthYear:
      key(KeyKind::kYear, static_cast<uint64_t>(term.date.year), -1, kGDob);
      break;
    case TermKind::kDobRange:
      if (term.date_to.year - term.date.year <= 20) {
        for (int y = term.date.year; y <= term.date_to.year; ++y)
          key(KeyKind::kYear, static_cast<uint64_t>(y), -1, kGDob);
      } else {
        p.postings = SIZE_MAX;
      }
      break;
    case TermKind::kPostcode:
      key(KeyKind::kPostcode, pool.Find(term.value), kGradeExact, kGAddress);
      key(KeyKind::kSector, pool.Find(resolve::PostcodeSector(term.value)), -1, kGAddress);
      break;
    case TermKind::kPostcodeSector:
      key(KeyKind::kSector, pool.Find(term.value), kGradeExact, kGAddress);
      break;
    case TermKind::kPostcodeDistrict:
      key(KeyKind::kDistrict, pool.Find(term.value), kGradeExact, kGAddress);
      break;
    case TermKind::kAddressWords: {
      for (const std::string& w : term.words) {
        uint32_t id = pool.Find(w);
        if (id != 0)
          p.words.push_back(id);
        else
          p.words.push_back(kNoRecord);  // a word no address has still counts against the match
      }
      // Read the rarest word's postings: a street name, not "ROAD".
      uint64_t best = 0;
      size_t best_n = SIZE_MAX;
      for (uint32_t id : p.words) {
        if (id == kNoRecord) continue;
        size_t n = postings.Count(MakeKey(KeyKind::kAddressWord, id));
        if (n > 0 && n < best_n) {
          best_n = n;
          best = id;
        }
      }
      key(KeyKind::kAddressWord, best, -1, kGAddress);
      break;
    }
    case TermKind::kNhsNumber:
      key(KeyKind::kNhs, pool.Find(term.value), kGradeExact, kGNhs);
      break;
    case TermKind::kPhone:
      p.ids.push_back(pool.Find(term.value));
      key(KeyKind::kPhone, p.ids.back(), kGradeExact, kGPhone);
      break;
    case TermKind::kEmail:
      p.ids.push_back(pool.Find(term.value));
      key(KeyKind::kEmail, p.ids.back(), kGradeExact, kGEmail);
      break;
    case TermKind::kIdentifier:
      for (const std::string& form : term.variants) {
        uint32_t id = pool.Find(form);
        if (id == 0) continue;
        p.ids.push_back(id);
        key(KeyKind::kRecordKey, id, kGradeExact, kGKey);
        key(KeyKind::kIdentifier, id, kGradeExact, kGIdent);
      }
      break;
  }
}

Match SearchIndex::Impl::Probe(const TermPlan& p, uint32_t rec) const {
  const LinkageRecord& l = table.at(rec);
  const QueryTerm& t = *p.term;
  Match m;
  switch (t.kind) {
    case TermKind::kName: {
      m.group = kGName;
      if (const float* g = l.given != 0 ? p.name.given.Find(l.given) : nullptr)
        m.grade = *g * RolePenalty(t.role, kFieldGiven);
      if (const float* g = l.family != 0 ? p.name.family.Find(l.family) : nullptr)
        m.grade = std::max(m.grade, *g * RolePenalty(t.role, kFieldFamily));
      return m;
    }
    case TermKind::kInitial: {
      m.group = kGName;
      std::string_view g = table.pool().View(l.given);
      std::string_view f = table.pool().View(l.family);
      if (!g.empty() && g[0] == t.value[0])
        m.grade = kGradeExact;
      else if (!f.empty() && f[0] == t.value[0])
        m.grade = 0.5f;
      return m;
    }
    default:
      return Grade(p, rec, govern::kAllFields);
  }
}

Match SearchIndex::Impl::GradeName(const TermPlan& p, const LinkageRecord& l,
                                   FieldMask mask) const {
  Match best;
  best.group = kGName;
  if ((mask & govern::Bit(Field::kPersonName)) == 0) return best;
  const QueryTerm& t = *p.term;
  const NameQuery& q = p.name;
  const resolve::StringPool& pool = table.pool();
  auto consider = [&](NameField field, uint32_t value, int32_t variant, bool first_table,
                      uint32_t code, uint32_t code_alt) {
    if (value == 0) return;
    Match m;
    m.group = kGName;
    m.field = field;
    m.value = value;
    // The verdict depends only on the name and the field (its variant id and codes are the
    // name's): worked out once per query, however many records carry the name.
    NameGrade& memo = q.graded[(uint64_t{value} << 2) | field | (uint64_t{1} << 40)];
    if (memo.how != How::kNone || memo.grade < 0) {
      if (memo.grade <= 0) return;
      m.grade = memo.grade;
      m.how = memo.how;
      if (t.kind == TermKind::kName) m.grade *= RolePenalty(t.role, field);
      if (m.grade > best.grade) best = m;
      return;
    }
    std::string_view v = pool.View(value);
    if (t.kind == TermKind::kInitial) {
      if (v[0] == t.value[0]) {
        m.grade = field == kFieldGiven ? kGradeExact : field == kFieldMiddle ? 0.6f : 0.5f;
        m.how = How::kInitial;
      }
    } else if (value == q.id) {
      m.grade = kGradeExact;
      m.how = How::kExact;
    } else if (variant >= 0 &&
               ((first_table && q.first_variant >= 0 &&
                 NameVariants::FirstNames().AreVariantIds(q.first_variant, variant)) ||
                (!first_table && q.last_variant >= 0 &&
                 NameVariants::LastNames().AreVariantIds(q.last_variant, variant)))) {
      m.grade = kGradeVariant;
      m.how = How::kVariant;
    } else if (v.size() == 1 || q.text.size() == 1) {
      if (v[0] == q.text[0]) {
        m.grade = kGradeInitial;
        m.how = How::kInitial;
      }
    } else {
      double jw = resolve::JaroWinklerSimilarity(q.text, v);
      const bool same_code =
          code != 0 && (code == q.code || code == q.code_alt ||
                        (code_alt != 0 && (code_alt == q.code || code_alt == q.code_alt)));
      if (jw >= kJaroWinklerHigh) {
        m.grade = kGradeTypo;
        m.how = How::kTypo;
      } else if (same_code) {
        m.grade = kGradeSoundsLike;
        m.how = How::kSoundsLike;
      } else if (jw >= kJaroWinklerLow) {
        m.grade = kGradeSimilar;
        m.how = How::kSimilar;
      }
    }
    memo.grade = m.grade > 0 ? m.grade : -1;
    memo.how = m.grade > 0 ? m.how : How::kNone;
    if (m.grade <= 0) return;
    if (t.kind == TermKind::kName) m.grade *= RolePenalty(t.role, field);
    if (m.grade > best.grade) best = m;
  };
  consider(kFieldGiven, l.given, l.given_variant, true, l.given_metaphone, l.given_metaphone_alt);
  consider(kFieldFamily, l.family, l.family_variant, false, l.family_metaphone,
           l.family_metaphone_alt);
  consider(kFieldMiddle, l.middle, -1, true, 0, 0);
  return best;
}

Match SearchIndex::Impl::Grade(const TermPlan& p, uint32_t rec, FieldMask mask) const {
  const LinkageRecord& l = table.at(rec);
  const QueryTerm& t = *p.term;
  const resolve::StringPool& pool = table.pool();
  Match m;
  auto allowed = [&](uint8_t group) {
    m.group = group;
    return GroupVisible(mask, group);
  };
  switch (t.kind) {
    case TermKind::kName:
    case TermKind::kInitial:
      return GradeName(p, l, mask);
    case TermKind::kDob:
    case TermKind::kBirthMonth:
    case TermKind::kBirthYear:
    case TermKind::kDobRange: {
      if (!allowed(kGDob) || l.dob == resolve::kNoDate) return m;
      const CivilDate d{l.dob_year, l.dob_month, l.dob_day};
      if (t.kind == TermKind::kDob) {
        switch (resolve::CompareDates(t.date, d)) {
          case resolve::DateAgreement::kExact:
            m.grade = kGradeExact, m.how = How::kExact;
            break;
          case resolve::DateAgreement::kDayMonthSwapped:
            m.grade = 0.8f, m.how = How::kDaySwap;
            break;
          case resolve::DateAgreement::kOneCharacterTypo:
            m.grade = 0.7f, m.how = How::kDigitTypo;
            break;
          case resolve::DateAgreement::kWithinOneYear:
            m.grade = 0.25f, m.how = How::kWithinYear;
            break;
          default:
            break;
        }
      } else if (t.kind == TermKind::kBirthMonth) {
        if (d.year == t.date.year && d.month == t.date.month) {
          m.grade = kGradeExact, m.how = How::kExact;
        } else if (d.year == t.date.year) {
          m.grade = 0.4f, m.how = How::kYearOnly;
        }
      } else if (t.kind == TermKind::kBirthYear) {
        if (d.year == t.date.year) {
          m.grade = kGradeExact, m.how = How::kExact;
        } else if (std::abs(d.year - t.date.year) == 1) {
          m.grade = 0.4f, m.how = How::kYearOff;
        }
      } else if (!(d < t.date) && !(t.date_to < d)) {
        m.grade = kGradeExact, m.how = How::kInRange;
      }
      m.days = l.dob;
      return m;
    }
    case TermKind::kPostcode:
    case TermKind::kPostcodeSector:
    case TermKind::kPostcodeDistrict: {
      if (!allowed(kGAddress) || l.postcode == 0) return m;
      m.value = l.postcode;
      if (t.kind == TermKind::kPostcode) {
        switch (resolve::ComparePostcodes(t.value, pool.View(l.postcode))) {
          case resolve::PostcodeAgreement::kFull:
            m.grade = kGradeExact, m.how = How::kExact;
            break;
          case resolve::PostcodeAgreement::kSector:
            m.grade = 0.6f, m.how = How::kSector;
            break;
          case resolve::PostcodeAgreement::kDistrict:
            m.grade = 0.35f, m.how = How::kDistrict;
            break;
          default:
            break;
        }
      } else if (t.kind == TermKind::kPostcodeSector) {
        if (pool.View(l.sector) == t.value) {
          m.grade = kGradeExact, m.how = How::kSector;
        } else if (pool.View(l.district) == resolve::PostcodeDistrict(t.value)) {
          m.grade = 0.5f, m.how = How::kDistrict;
        }
      } else if (pool.View(l.district) == t.value) {
        m.grade = kGradeExact, m.how = How::kDistrict;
      }
      return m;
    }
    case TermKind::kAddressWords: {
      if (!allowed(kGAddress) || l.address_slot == 0 || p.words.empty()) return m;
      const std::vector<uint32_t>& tokens = table.AddressTokens(l.address_slot);
      int found = 0;
      for (uint32_t w : p.words) found += std::binary_search(tokens.begin(), tokens.end(), w);
      const float share = static_cast<float>(found) / static_cast<float>(p.words.size());
      if (share >= 0.5f) {
        m.grade = share;
        m.how = How::kWords;
        m.value = l.address;
      }
      return m;
    }
    case TermKind::kNhsNumber:
      if (allowed(kGNhs) && l.nhs != 0 && pool.View(l.nhs) == t.value)
        m.grade = kGradeExact, m.how = How::kExact, m.value = l.nhs;
      return m;
    case TermKind::kPhone:
      if (allowed(kGPhone) && !p.ids.empty() && p.ids[0] != 0 &&
          (l.phones[0] == p.ids[0] || l.phones[1] == p.ids[0]))
        m.grade = kGradeExact, m.how = How::kExact, m.value = p.ids[0];
      return m;
    case TermKind::kEmail:
      if (allowed(kGEmail) && !p.ids.empty() && p.ids[0] != 0 &&
          (l.emails[0] == p.ids[0] || l.emails[1] == p.ids[0]))
        m.grade = kGradeExact, m.how = How::kExact, m.value = p.ids[0];
      return m;
    case TermKind::kIdentifier: {
      const uint32_t key = record_key[rec];
      if (std::find(p.ids.begin(), p.ids.end(), key) != p.ids.end()) {
        m.group = kGKey;
        m.grade = kGradeExact, m.how = How::kRecordKey, m.value = key;
        return m;
      }
      if (!allowed(kGIdent)) return m;
      for (uint32_t id : {l.pnc, l.cro, l.ni, l.other_id, l.local_id}) {
        if (id != 0 && std::find(p.ids.begin(), p.ids.end(), id) != p.ids.end()) {
          m.grade = kGradeExact, m.how = How::kIdentifier, m.value = id;
          return m;
        }
      }
      return m;
    }
  }
  return m;
}

// The reason ("given name: nickname (BOB ~ ROBERT)") and the short phrase for the why
// ("given name nickname of ROBERT") of a term's best match. Values shown come from the
// matching record, which is visible with that field.
std::pair<std::string, std::string> SearchIndex::Impl::Explain(const TermPlan& p,
                                                               const Match& m) const {
  const QueryTerm& t = *p.term;
  const resolve::StringPool& pool = table.pool();
  const bool dated = t.kind == TermKind::kDob || t.kind == TermKind::kBirthMonth ||
                     t.kind == TermKind::kBirthYear || t.kind == TermKind::kDobRange;
  const std::string value(!dated && m.value != 0 ? pool.View(m.value) : std::string_view());
  switch (t.kind) {
    case TermKind::kName:
    case TermKind::kInitial: {
      static constexpr std::string_view kFields[] = {"given name", "family name", "middle name"};
      std::string field(kFields[m.field]);
      const bool swapped = (t.role == NameRole::kGiven && m.field == kFieldFamily) ||
                           (t.role == NameRole::kFamily && m.field == kFieldGiven);
      std::string how;
      std::string phrase;
      switch (m.how) {
        case How::kExact:
          how = "exact", phrase = "exact";
          break;
        case How::kVariant:
          how = "nickname or variant", phrase = "nickname of " + value;
          break;
        case How::kTypo:
          how = "typo", phrase = "typo of " + value;
          break;
        case How::kSoundsLike:
          how = "sounds alike", phrase = "sounds like " + value;
          break;
        case How::kSimilar:
          how = "similar spelling", phrase = "similar to " + value;
          break;
        case How::kInitial:
          how = "initial", phrase = "initial";
          break;
        default:
          break;
      }
      std::string reason = field + ": " + how + " (" + t.value + " ~ " + value + ")";
      if (swapped) reason += ", given and family names swapped";
      return {reason, field + " " + phrase + (swapped ? " (swapped)" : "")};
    }
    case TermKind::kDob:
    case TermKind::kBirthMonth:
    case TermKind::kBirthYear:
    case TermKind::kDobRange: {
      const std::string d = CivilDate::FromDays(m.days).ToIso();
      switch (m.how) {
        case How::kExact:
          return {"dob: exact" + std::string(t.kind == TermKind::kDob ? "" : " " + t.value),
                  t.kind == TermKind::kDob ? "DOB exact" : "DOB " + t.value};
        case How::kDaySwap:
          return {"dob: day and month swapped (" + t.value + " ~ " + d + ")",
                  "DOB day/month swapped"};
        case How::kDigitTypo:
          return {"dob: one digit off (" + t.value + " ~ " + d + ")", "DOB one digit off"};
        case How::kWithinYear:
          return {"dob: within a year (" + t.value + " ~ " + d + ")", "DOB within a year"};
        case How::kYearOnly:
          return {"dob: year only (" + t.value + " ~ " + d + ")", "DOB year"};
        case How::kYearOff:
          return {"dob: a year off (" + t.value + " ~ " + d + ")", "DOB a year off"};
        case How::kInRange:
          return {"dob: in range " + t.date.ToIso() + ".." + t.date_to.ToIso(), "DOB in range"};
        default:
          return {"dob", "DOB"};
      }
    }
    case TermKind::kPostcode:
    case TermKind::kPostcodeSector:
    case TermKind::kPostcodeDistrict: {
      const std::string level = m.how == How::kExact    ? "full"
                                : m.how == How::kSector ? "sector"
                                                        : "district";
      return {"postcode: " + level + " (" + t.value + " ~ " + value + ")", "postcode " + level};
    }
    case TermKind::kAddressWords:
      return {"address: " + std::to_string(static_cast<int>(std::lround(m.grade * 100))) +
                  "% of words (" + t.value + " ~ " + value + ")",
              "address words"};
    case TermKind::kNhsNumber:
      return {"nhs number: exact", "NHS number"};
    case TermKind::kPhone:
      return {"phone: exact (" + value + ")", "phone"};
    case TermKind::kEmail:
      return {"email: exact (" + value + ")", "email"};
    case TermKind::kIdentifier:
      if (m.how == How::kRecordKey) return {"record key: " + value, "record key " + value};
      return {"identifier: exact (" + value + ")", "identifier " + value};
  }
  return {"", ""};
}

Result<std::vector<SearchHit>> SearchIndex::Impl::Search(const ParsedQuery& q,
                                                         const govern::Visibility& v) const {
  auto lock = ReadLock();
  const resolve::StringPool& pool = table.pool();

  // Everything a search needs besides its answer lives in the thread's scratch, reused.
  thread_local SearchScratch scratch;
  SearchScratch& x = scratch;

  // What each dataset may show at most (record restrictions only narrow it), and the filter.
  std::vector<FieldMask>& source_mask = x.source_mask;
  source_mask.assign(sources.size(), 0);
  for (size_t s = 0; s < sources.size(); ++s) {
    std::string_view id = pool.View(sources[s]);
    if (!q.sources.empty() && std::find(q.sources.begin(), q.sources.end(), id) == q.sources.end())
      continue;
    source_mask[s] = v.DatasetFields(id);
  }

  const size_t term_count = std::min<size_t>(q.terms.size(), 32);
  if (x.plans.size() < term_count) x.plans.resize(term_count);
  std::span<TermPlan> plans(x.plans.data(), term_count);
  for (size_t i = 0; i < term_count; ++i) Plan(q.terms[i], static_cast<int>(i), plans[i]);
  float weight_sum = 0;
  for (const TermPlan& p : plans) weight_sum += p.weight;

  // Phase 1: candidates, rarest term first. A term with few postings is read in full. A long
  // one is read *narrowed*: only records that are already candidates or also in the postings
  // of the rarer terms after it are taken (a bitmap over records). So a common surname beside
  // a first name and a date of birth reads the surname's postings but admits only the records
  // with one of the others too, and every pair of terms meets. The last long term, with
  // nothing after it to narrow by, is probed on the candidates found; if there are none (a
  // common name alone), a bounded prefix of its best keys is read.
  const SearchLimits lim = limits;
  std::vector<size_t>& order = x.order;
  order.resize(plans.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return plans[a].postings < plans[b].postings; });
  Accumulator& acc = x.acc;
  acc.Reset();
  std::vector<size_t>& probe_only = x.probe_only;
  probe_only.clear();
  // Grades and adds one posting; false if the record is not one this request may find.
  auto take = [&](const TermPlan& p, const TermPlan::KeyGrade& k, uint32_t rec) {
    const uint16_t sn = searchable[rec];
    if (sn == 0) return false;
    const FieldMask mask = source_mask[sn - 1];
    if (mask == 0) return false;
    float grade = k.grade;
    int group = k.group;
    if (grade < 0) {
      Match m = Probe(p, rec);
      grade = m.grade;
      group = m.group;
    }
    if (grade <= 0 || !GroupVisible(mask, group)) return false;
    acc.Add(rec, p.index, grade * p.weight, group);
    return true;
  };
  std::vector<uint64_t>& bits = x.bits;
  if (bits.size() < table.size() / 64 + 1) bits.assign(table.size() / 64 + 1, 0);
  auto flip = [&](uint32_t rec, bool on) {
    if (on)
      bits[rec >> 6] |= uint64_t{1} << (rec & 63);
    else
      bits[rec >> 6] = 0;
  };
  // Marks (or clears) the narrowing filter: the candidates so far and the postings of the
  // terms order[from, to). Clearing many is cheaper as one sweep of the whole bitmap.
  auto mark = [&](size_t from, size_t to, bool on) {
    if (!on) {
      size_t n = acc.entries().size();
      for (size_t o = from; o < to; ++o) n += plans[order[o]].postings;
      if (n > bits.size() / 2) {
        std::fill(bits.begin(), bits.end(), 0);
        return;
      }
    }
    for (const Candidate& c : acc.entries()) flip(c.rec, on);
    for (size_t o = from; o < to; ++o) {
      for (const TermPlan::KeyGrade& k : plans[order[o]].keys) {
        for (uint32_t rec : postings.Get(k.key)) flip(rec, on);
      }
    }
  };
  bool read_before = false;  // whether an earlier term was read: lengths decide, not contents
  for (size_t oi = 0; oi < order.size(); ++oi) {
    const size_t i = order[oi];
    const TermPlan& p = plans[i];
    if (p.postings == SIZE_MAX) {
      probe_only.push_back(i);  // too broad to read (an initial, a wide range)
      continue;
    }
    if (p.postings == 0) continue;
    if (p.postings <= lim.short_term) {
      for (const TermPlan::KeyGrade& k : p.keys) {
        for (uint32_t rec : postings.Get(k.key)) take(p, k, rec);
      }
      read_before = true;
      continue;
    }
    // A long term is also graded on every candidate afterwards: records that an earlier term
    // brought in, a later one's narrowed read, or that this read's caps left out.
    probe_only.push_back(i);
    // Narrowed by the rarer terms after this one, as many as fit in narrow_max postings.
    size_t by_end = oi + 1;
    uint32_t by_terms = 0;
    for (size_t marked = 0; by_end < order.size(); ++by_end) {
      const size_t n = plans[order[by_end]].postings;
      if (n == SIZE_MAX || marked + n > lim.narrow_max) break;
      marked += n;
      by_terms |= uint32_t{1} << order[by_end];
    }
    if (by_end > oi + 1) {
      mark(oi + 1, by_end, true);
      size_t scanned = 0;
      size_t admitted = 0;
      for (const TermPlan::KeyGrade& k : p.keys) {
        auto list = postings.Get(k.key);
        if (scanned + list.size() > lim.narrow_max || admitted >= lim.first_read) break;
        scanned += list.size();
        for (uint32_t rec : list) {
          if ((bits[rec >> 6] >> (rec & 63) & 1) == 0) continue;
          const size_t before = acc.entries().size();
          if (!take(p, k, rec)) continue;
          if (acc.entries().size() > before) {
            // New: it came in on one of the terms it was narrowed by, to be checked against
            // what the request may see of it before it is scored (see the walk below).
            acc.entries().back().narrowed_by = by_terms;
            acc.entries().back().narrowed_on = static_cast<int8_t>(i);
            ++admitted;
          }
        }
      }
      mark(oi + 1, by_end, false);
      read_before = true;
    } else if (!read_before) {
      // Alone (or with only unreadable terms): the best keys, up to first_read postings.
      size_t budget = lim.first_read;
      for (const TermPlan::KeyGrade& k : p.keys) {
        auto list = postings.Get(k.key);
        const size_t n = std::min(list.size(), budget);
        for (size_t j = 0; j < n; ++j) take(p, k, list[j]);
        budget -= n;
        if (n < list.size()) break;
      }
      read_before = true;
    }
  }
  std::vector<Candidate>& cands = acc.entries();
  // The long terms and those too broad to read, on each candidate: record by record, so that a
  // record's values are fetched once for all of them. (Each record sees its terms in the same
  // order as term by term would, so Accumulator::Add keeps the same best.)
  if (!probe_only.empty()) {
    for (Candidate& c : cands) {
      const uint32_t rec = c.rec;
      const FieldMask mask = source_mask[searchable[rec] - 1];
      for (size_t i : probe_only) {
        const TermPlan& p = plans[i];
        Match m = Probe(p, rec);
        if (m.grade <= 0 || !GroupVisible(mask, m.group)) continue;
        Accumulator::AddTo(c, p.index, m.grade * p.weight, m.group);
      }
    }
  }

  // The records to score in full: the best by evidence each may show under this request. The
  // totals above use the dataset masks, an upper bound; taking them best first (from a heap:
  // only as many as the walk needs are ordered) and computing each record's exact mask, we
  // stop once the next upper bound cannot enter the top (so no withheld field of a record
  // decides whether it is looked at).
  const size_t keep = std::max<size_t>(100, static_cast<size_t>(q.limit) * 10);
  std::vector<Bound>& bounds = x.bounds;
  bounds.clear();
  bounds.reserve(cands.size());
  for (uint32_t e = 0; e < cands.size(); ++e) bounds.push_back({cands[e].total, cands[e].rec, e});
  auto bound_less = [](const Bound& a, const Bound& b) {  // a max-heap: best total, lowest rec
    return a.total != b.total ? a.total < b.total : a.rec > b.rec;
  };
  std::make_heap(bounds.begin(), bounds.end(), bound_less);
  std::vector<Kept>& top = x.top;  // a min-heap on score
  top.clear();
  auto heap_cmp = [](const Kept& a, const Kept& b) {
    return a.score != b.score ? a.score > b.score : a.rec < b.rec;
  };
  for (auto end = bounds.end(); end != bounds.begin(); --end) {
    std::pop_heap(bounds.begin(), end, bound_less);
    const Bound& b = *(end - 1);
    if (top.size() >= keep && b.total < top.front().score) break;
    const Candidate& c = cands[b.entry];
    govern::RecordVisibility rv = v.ForRecord(pool.View(sources[searchable[c.rec] - 1]),
                                              source_record[c.rec], nominal[c.rec]);
    if (!rv.visible()) continue;
    if (c.narrowed_by != 0) {
      // Taken by a narrowed read because it matched that term and one after it: both matches
      // must be ones the request may see, or a withheld value would have decided which records
      // are looked at.
      auto shown = [&](size_t t) {
        Match m = Probe(plans[t], c.rec);
        return m.grade > 0 && GroupVisible(rv.fields, m.group);
      };
      bool by = false;
      for (size_t t = 0; t < term_count && !by; ++t) by = (c.narrowed_by >> t & 1) != 0 && shown(t);
      if (!by || !shown(static_cast<size_t>(c.narrowed_on))) continue;
    }
    float exact = 0;
    for (int g = 0; g < kGroups; ++g) {
      if (GroupVisible(rv.fields, g)) exact += c.group[g];
    }
    if (exact <= 0) continue;
    top.push_back({exact, c.rec});
    std::push_heap(top.begin(), top.end(), heap_cmp);
    if (top.size() > keep) {
      std::pop_heap(top.begin(), top.end(), heap_cmp);
      top.pop_back();
    }
  }

  // Phase 2: each candidate nominal, all its visible records, the comparators.
  std::vector<model::NominalId>& nominals_seen = x.nominals;
  nominals_seen.clear();
  for (const Kept& k : top) nominals_seen.push_back(nominal[k.rec]);
  std::sort(nominals_seen.begin(), nominals_seen.end());
  nominals_seen.erase(std::unique(nominals_seen.begin(), nominals_seen.end()), nominals_seen.end());

  // Each scored nominal's best match per term is at best[first + t], its record at best_rec.
  std::vector<Scored>& scored = x.scored;
  scored.clear();
  std::vector<Match>& best = x.best;
  std::vector<uint32_t>& best_rec = x.best_rec;
  best.clear();
  best_rec.clear();
  std::vector<std::pair<uint32_t, FieldMask>>& visible = x.visible;
  for (model::NominalId n : nominals_seen) {
    if (v.NominalSealed(n)) continue;
    visible.clear();
    for (uint32_t r = Head(n); r != kNoRecord; r = next_in_nominal[r]) {
      const uint16_t sn = searchable[r];
      if (sn == 0 || source_mask[sn - 1] == 0) continue;
      govern::RecordVisibility rv = v.ForRecord(pool.View(sources[sn - 1]), source_record[r], n);
      if (rv.visible()) visible.emplace_back(r, rv.fields);
    }
    if (visible.empty()) continue;
    Scored s{n, 0, 0, best.size()};
    best.resize(best.size() + plans.size());
    best_rec.resize(best_rec.size() + plans.size(), kNoRecord);
    Match* b = &best[s.first];
    uint32_t* b_rec = &best_rec[s.first];
    for (const auto& [r, mask] : visible) {
      bool matched = false;
      for (size_t t = 0; t < plans.size(); ++t) {
        Match m = Grade(plans[t], r, mask);
        if (m.grade <= 0 || !GroupVisible(mask, m.group)) continue;
        matched = true;
        if (m.grade > b[t].grade) {
          b[t] = m;
          b_rec[t] = r;
        }
      }
      s.corroboration += matched;
    }
    bool missing_required = false;
    double sum = 0;
    for (size_t t = 0; t < plans.size(); ++t) {
      sum += plans[t].weight * b[t].grade;
      if (plans[t].term->required && b[t].grade <= 0) missing_required = true;
    }
    if (missing_required || sum <= 0) {
      best.resize(s.first);
      best_rec.resize(s.first);
      continue;
    }
    s.score = weight_sum > 0 ? sum / weight_sum : 0;
    scored.push_back(s);
  }
  auto better = [](const Scored& a, const Scored& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.corroboration != b.corroboration) return a.corroboration > b.corroboration;
    return a.id < b.id;
  };
  if (scored.size() > static_cast<size_t>(q.limit)) {
    std::partial_sort(scored.begin(), scored.begin() + q.limit, scored.end(), better);
    scored.resize(q.limit);
  } else {
    std::sort(scored.begin(), scored.end(), better);
  }

  // The hits, with reasons and a summary from visible records and fields only.
  std::vector<SearchHit> hits;
  hits.reserve(scored.size());
  for (const Scored& s : scored) {
    const Match* b = &best[s.first];
    const uint32_t* b_rec = &best_rec[s.first];
    SearchHit h;
    h.nominal_id = s.id;
    h.score = std::round(s.score * 1000.0) / 1000.0;
    std::vector<model::SourceRecordId> seen;
    for (size_t t = 0; t < plans.size(); ++t) {
      if (b[t].grade <= 0) continue;
      auto [reason, phrase] = Explain(plans[t], b[t]);
      h.reasons.push_back(std::move(reason));
      if (!h.why.empty()) h.why += "; ";
      h.why += phrase;
      seen.push_back(source_record[b_rec[t]]);
    }
    // The most frequent value of each summary field among the visible records that show it.
    std::map<std::pair<uint32_t, uint32_t>, int> names;
    std::map<int32_t, int> dobs;
    std::map<uint8_t, int> sexes;
    std::map<uint32_t, int> postcodes;
    for (uint32_t r = Head(s.id); r != kNoRecord; r = next_in_nominal[r]) {
      const uint16_t sn = searchable[r];
      if (sn == 0 || source_mask[sn - 1] == 0) continue;
      govern::RecordVisibility rv = v.ForRecord(pool.View(sources[sn - 1]), source_record[r], s.id);
      if (!rv.visible()) continue;
      ++h.visible_records;
      const LinkageRecord& l = table.at(r);
      bool used = false;
      if (rv.Has(Field::kPersonName) && (l.given != 0 || l.family != 0))
        ++names[{l.given, l.family}], used = true;
      if (rv.Has(Field::kPersonDob) && l.dob != resolve::kNoDate) ++dobs[l.dob], used = true;
      if (rv.Has(Field::kPersonSex) && l.sex != 0) ++sexes[l.sex], used = true;
      if (rv.Has(Field::kPersonAddress) && l.postcode != 0) ++postcodes[l.postcode], used = true;
      if (used) seen.push_back(source_record[r]);
    }
    auto most = [](const auto& counts) {
      auto most_often = counts.begin();
      for (auto it = counts.begin(); it != counts.end(); ++it) {
        if (it->second > most_often->second) most_often = it;
      }
      return most_often;
    };
    if (!names.empty()) {
      auto [given, family] = most(names)->first;
      h.display_name = std::string(pool.View(given));
      if (family != 0) h.display_name += (given != 0 ? " " : "") + std::string(pool.View(family));
    }
    if (!dobs.empty()) h.dob = CivilDate::FromDays(most(dobs)->first);
    if (!sexes.empty()) h.sex = most(sexes)->first == 1 ? "male" : "female";
    if (!postcodes.empty()) h.postcode = std::string(pool.View(most(postcodes)->first));
    std::sort(seen.begin(), seen.end());
    seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
    h.records = std::move(seen);
    hits.push_back(std::move(h));
  }
  return hits;
}

// --- SearchIndex ------------------------------------------------------------------------------

SearchIndex::SearchIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SearchIndex::~SearchIndex() = default;

namespace {

// Pages the change feed from `after` to its end: the nominals changed, and the last seq.
Status ReadChanges(store::Store& store, int64_t after,
                   std::unordered_set<model::NominalId>* changed, int64_t* last) {
  *last = after;
  for (;;) {
    TRY_ASSIGN(auto page, store.ListNominalChangesAfter(*last, kPage));
    for (const store::NominalChange& c : page) {
      *last = c.seq;
      if (changed != nullptr) changed->insert(c.nominal_id);
    }
    if (static_cast<int>(page.size()) < kPage) return Status::Ok();
  }
}

}  // namespace

Result<std::unique_ptr<SearchIndex>> SearchIndex::Build(store::Store& store) {
  auto impl = std::make_unique<Impl>();
  // The feed's end first: whatever changes while the rest is read is replayed by CatchUp.
  TRY(ReadChanges(store, 0, nullptr, &impl->last_seq));
  for (;;) {
    TRY_ASSIGN(auto page, store.ListLocationsAfter(impl->last_location, kPage));
    for (const model::Location& l : page) {
      impl->table.AddLocation(l);
      impl->last_location = l.id;
    }
    if (static_cast<int>(page.size()) < kPage) break;
  }
  for (;;) {
    TRY_ASSIGN(auto page, store.ListPersonRecordsForResolution(impl->last_record, kPage));
    if (impl->last_record == 0) impl->postings.Reserve(page.size() * 4);
    for (const model::PersonRecord& r : page) {
      impl->AddRecord(r);
      impl->last_record = r.id;
    }
    if (static_cast<int>(page.size()) < kPage) break;
  }
  TRY_ASSIGN(auto assignments, store.ListNominalAssignments());
  for (const store::NominalAssignment& a : assignments) {
    int64_t idx = impl->table.IndexOf(a.person_record_id);
    if (idx >= 0) impl->Assign(static_cast<uint32_t>(idx), a.nominal_id);
  }
  TRY_ASSIGN(auto retired, store.ListRetiredAssignments());
  for (const store::NominalAssignment& a : retired) {
    int64_t idx = impl->table.IndexOf(a.person_record_id);
    if (idx < 0) continue;
    impl->MarkDead(static_cast<uint32_t>(idx));
  }
  return std::unique_ptr<SearchIndex>(new SearchIndex(std::move(impl)));
}

Status SearchIndex::CatchUp(store::Store& store) {
  Impl& x = *impl_;
  // Everything is read from the store before the lock is taken. The cursors and the table are
  // only written here, so reading them without the lock is safe.
  std::vector<model::Location> locations;
  model::LocationId after_location = x.last_location;
  for (;;) {
    TRY_ASSIGN(auto page, store.ListLocationsAfter(after_location, kPage));
    for (model::Location& l : page) {
      after_location = l.id;
      locations.push_back(std::move(l));
    }
    if (static_cast<int>(page.size()) < kPage) break;
  }
  std::unordered_set<model::NominalId> changed;
  int64_t last_seq = 0;
  TRY(ReadChanges(store, x.last_seq, &changed, &last_seq));
  std::vector<model::PersonRecord> records;
  model::PersonRecordId after_record = x.last_record;
  for (;;) {
    TRY_ASSIGN(auto page, store.ListPersonRecordsForResolution(after_record, kPage));
    for (model::PersonRecord& r : page) {
      after_record = r.id;
      records.push_back(std::move(r));
    }
    if (static_cast<int>(page.size()) < kPage) break;
  }
  // Where the changed nominals' records are now: per nominal for a few, all at once for many.
  constexpr size_t kReloadAll = 2000;
  const bool reload_all = changed.size() > kReloadAll;
  std::vector<store::NominalAssignment> assignments;
  if (reload_all) {
    TRY_ASSIGN(assignments, store.ListNominalAssignments());
  } else {
    for (model::NominalId n : changed) {
      TRY_ASSIGN(store::NominalStatus status, store.GetNominalStatus(n));
      if (status != store::NominalStatus::kLive) continue;
      TRY_ASSIGN(model::Nominal nominal, store.GetNominal(n));
      for (model::PersonRecordId r : nominal.records) assignments.push_back({r, n});
    }
  }
  TRY_ASSIGN(auto retired, store.ListRetiredAssignments());

  // Apply, in slices so that searches wait at most a slice.
  {
    Impl::WriteLock lock(x);
    for (const model::Location& l : locations) x.table.AddLocation(l);
    x.last_location = after_location;
  }
  constexpr size_t kSlice = 4096;
  for (size_t i = 0; i < records.size(); i += kSlice) {
    Impl::WriteLock lock(x);
    for (size_t j = i; j < std::min(records.size(), i + kSlice); ++j) x.AddRecord(records[j]);
  }
  x.last_record = after_record;

  std::vector<std::pair<uint32_t, model::NominalId>> moves;
  for (const store::NominalAssignment& a : assignments) {
    int64_t idx = x.table.IndexOf(a.person_record_id);
    if (idx >= 0) moves.emplace_back(static_cast<uint32_t>(idx), a.nominal_id);
  }
  std::vector<uint32_t> gone;
  for (const store::NominalAssignment& a : retired) {
    int64_t idx = x.table.IndexOf(a.person_record_id);
    if (idx >= 0 && !x.dead[idx]) gone.push_back(static_cast<uint32_t>(idx));
  }
  {
    Impl::WriteLock lock(x);
    if (reload_all) {
      std::vector<model::NominalId> target(x.nominal.size(), 0);
      for (const auto& [rec, n] : moves) target[rec] = n;
      for (uint32_t rec = 0; rec < target.size(); ++rec) x.Assign(rec, target[rec]);
    } else {
      // Records that left a changed nominal (moved to one not changed is impossible: a move
      // changes both), then where each changed nominal's records are now.
      std::unordered_set<uint32_t> staying;
      for (const auto& [rec, n] : moves) staying.insert(rec);
      for (model::NominalId n : changed) {
        std::vector<uint32_t> members;
        for (uint32_t r = x.Head(n); r != kNoRecord; r = x.next_in_nominal[r]) members.push_back(r);
        for (uint32_t r : members) {
          if (!staying.contains(r)) x.Unlink(r);
        }
      }
      for (const auto& [rec, n] : moves) x.Assign(rec, n);
    }
    for (uint32_t rec : gone) x.MarkDead(rec);
    x.last_seq = last_seq;
  }
  return Status::Ok();
}

Result<std::vector<SearchHit>> SearchIndex::Search(const SearchQuery& query,
                                                   const govern::Visibility& visibility) const {
  TRY_ASSIGN(ParsedQuery parsed, ParseQuery(query));
  return Search(parsed, visibility);
}

Result<std::vector<SearchHit>> SearchIndex::Search(const ParsedQuery& query,
                                                   const govern::Visibility& visibility) const {
  if (query.terms.empty()) return Status::InvalidArgument("empty search");
  if (query.limit < 1 || query.limit > kMaxLimit) {
    return Status::InvalidArgument("limit must be between 1 and " + std::to_string(kMaxLimit));
  }
  if (!visibility.SharesAnything()) return std::vector<SearchHit>{};
  return impl_->Search(query, visibility);
}

void SearchIndex::SetLimits(const SearchLimits& limits) {
  Impl::WriteLock lock(*impl_);
  impl_->limits = limits;
}

size_t SearchIndex::records() const {
  auto lock = impl_->ReadLock();
  return impl_->table.size();
}

size_t SearchIndex::nominals() const {
  auto lock = impl_->ReadLock();
  return impl_->nominal_count;
}

IndexStats SearchIndex::Stats() const {
  auto lock = impl_->ReadLock();
  return {impl_->table.size(), impl_->nominal_count, impl_->postings.keys(),
          impl_->postings.postings()};
}

std::string HitToJson(const SearchHit& hit) {
  nlohmann::json j;
  j["nominal_id"] = hit.nominal_id;
  j["score"] = hit.score;
  j["why"] = hit.why;
  j["reasons"] = hit.reasons;
  j["display_name"] = hit.display_name;
  j["dob"] = hit.dob.has_value() ? nlohmann::json(hit.dob->ToIso()) : nlohmann::json(nullptr);
  j["sex"] = hit.sex;
  j["postcode"] = hit.postcode;
  j["records"] = hit.records;
  j["visible_records"] = hit.visible_records;
  return j.dump();
}

}  // namespace tessera::search
