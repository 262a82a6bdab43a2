#include "resolve/blocking.h"

#include <algorithm>
#include <array>
#include <span>
#include <string>
#include <thread>
#include <utility>

#include "core/dates.h"

namespace tessera::resolve {
namespace {

constexpr std::array<std::pair<KeyPart, std::string_view>, 20> kParts = {{
    {KeyPart::kNhsNumber, "nhs_number"},
    {KeyPart::kDob, "dob"},
    {KeyPart::kBirthYear, "birth_year"},
    {KeyPart::kGiven, "given"},
    {KeyPart::kGivenInitial, "given_initial"},
    {KeyPart::kGivenMetaphone, "given_metaphone"},
    {KeyPart::kFamily, "family"},
    {KeyPart::kFamilyMetaphone, "family_metaphone"},
    {KeyPart::kPostcode, "postcode"},
    {KeyPart::kPostcodeSector, "postcode_sector"},
    {KeyPart::kPostcodeDistrict, "postcode_district"},
    {KeyPart::kPhone, "phone"},
    {KeyPart::kEmail, "email"},
    {KeyPart::kIdentifier, "identifier"},
    {KeyPart::kSex, "sex"},
    {KeyPart::kInitials, "initials"},
    {KeyPart::kAddress, "address"},
    {KeyPart::kUprn, "uprn"},
    {KeyPart::kHouseNumber, "house_number"},
    {KeyPart::kIdentifierTypo, "identifier_typo"},
}};

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Up to this many keys per record per rule (phones, emails and identifiers have several).
constexpr int kMaxKeys = 16;

// The values of one key part for a record: 0, 1 or several (0 values: the record has no key).
int PartValues(const LinkageRecord& r, const RecordTable& table, KeyPart part,
               uint64_t out[kMaxKeys]) {
  auto one = [&](uint64_t v) {
    if (v == 0) return 0;
    out[0] = v;
    return 1;
  };
  switch (part) {
    case KeyPart::kNhsNumber:
      return one(r.nhs);
    case KeyPart::kDob:
      return r.dob == kNoDate ? 0 : one(static_cast<uint32_t>(r.dob) | (1ULL << 32));
    case KeyPart::kBirthYear:
      return r.dob == kNoDate ? 0 : one(static_cast<uint64_t>(r.dob_year));
    case KeyPart::kGiven:
      return one(r.given);
    case KeyPart::kGivenInitial:
      return r.given == 0 ? 0 : one(static_cast<unsigned char>(table.pool().View(r.given)[0]));
    case KeyPart::kGivenMetaphone:
      return one(r.given_metaphone);
    case KeyPart::kFamily:
      return one(r.family);
    case KeyPart::kFamilyMetaphone:
      return one(r.family_metaphone);
    case KeyPart::kPostcode:
      return one(r.postcode);
    case KeyPart::kPostcodeSector:
      return one(r.sector);
    case KeyPart::kPostcodeDistrict:
      return one(r.district);
    case KeyPart::kSex:
      return one(r.sex);
    case KeyPart::kAddress:
      return one(r.address);
    case KeyPart::kUprn:
      return one(r.uprn);
    case KeyPart::kHouseNumber: {
      std::string_view text = table.pool().View(r.address);
      if (text.empty() || text[0] < '0' || text[0] > '9') return 0;
      return one(table.pool().Find(text.substr(0, text.find(' '))));
    }
    case KeyPart::kIdentifierTypo: {
      int n = 0;
      uint32_t ids[] = {r.pnc, r.cro, r.ni, r.other_id};
      for (int i = 0; i < 4; ++i) {
        if (ids[i] == 0) continue;
        std::string_view id = table.pool().View(ids[i]);
        std::string shorter;
        for (size_t p = 0; p < id.size() && n < kMaxKeys; ++p) {
          shorter.assign(id.substr(0, p)).append(id.substr(p + 1));
          out[n++] = Mix(std::hash<std::string_view>()(shorter) + static_cast<uint64_t>(i));
        }
      }
      return n;
    }
    case KeyPart::kInitials: {
      int n = 0;
      for (uint32_t name : {r.given, r.family}) {
        if (name == 0) continue;
        uint64_t initial = static_cast<unsigned char>(table.pool().View(name)[0]);
        if (n == 0 || out[0] != initial) out[n++] = initial;
      }
      return n;
    }
    case KeyPart::kPhone:
    case KeyPart::kEmail: {
      const uint32_t* v = part == KeyPart::kPhone ? r.phones : r.emails;
      int n = 0;
      for (int i = 0; i < 2; ++i) {
        if (v[i] != 0) out[n++] = v[i];
      }
      return n;
    }
    case KeyPart::kIdentifier: {
      int n = 0;
      uint32_t ids[] = {r.pnc, r.cro, r.ni, r.other_id};
      for (int i = 0; i < 4; ++i) {
        if (ids[i] != 0) out[n++] = (static_cast<uint64_t>(i + 1) << 32) | ids[i];
      }
      return n;
    }
  }
  return 0;
}

// The keys of a record under a rule: the product of its parts' values (a multi-valued part
// gives several keys). Returns how many, each non-zero.
int RuleKeys(const LinkageRecord& r, const RecordTable& table, const BlockingRule& rule,
             size_t rule_index, uint32_t out[kMaxKeys]) {
  uint64_t keys[kMaxKeys] = {Mix(rule_index + 1)};
  int n = 1;
  for (KeyPart part : rule.parts) {
    uint64_t values[kMaxKeys];
    int m = PartValues(r, table, part, values);
    if (m == 0) return 0;
    uint64_t next[kMaxKeys];
    int k = 0;
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < m && k < kMaxKeys; ++j) {
        next[k++] = Mix(keys[i] ^ Mix(values[j] + static_cast<uint64_t>(part) * 0x100000001ULL));
      }
    }
    std::copy(next, next + k, keys);
    n = k;
  }
  // Blocks are keyed by 32 bits of the hash: at a million keys a rule sees about a hundred
  // chance collisions, which only merge two blocks (a few extra pairs scored), and the index
  // is a third smaller.
  for (int i = 0; i < n; ++i) {
    uint32_t folded = static_cast<uint32_t>(keys[i] ^ (keys[i] >> 32));
    out[i] = folded == 0 ? 1 : folded;
  }
  return n;
}

std::string DescribeKey(const LinkageRecord& r, const RecordTable& table,
                        const BlockingRule& rule) {
  std::string out;
  for (KeyPart part : rule.parts) {
    if (!out.empty()) out += ' ';
    out += KeyPartName(part);
    out += '=';
    switch (part) {
      case KeyPart::kDob:
        out += CivilDate::FromDays(r.dob).ToIso();
        break;
      case KeyPart::kBirthYear:
        out += std::to_string(CivilDate::FromDays(r.dob).year);
        break;
      case KeyPart::kGivenInitial:
        out += table.pool().View(r.given).substr(0, 1);
        break;
      case KeyPart::kSex:
        out += r.sex == 1 ? "male" : "female";
        break;
      case KeyPart::kNhsNumber:
        out += table.pool().View(r.nhs);
        break;
      case KeyPart::kGiven:
        out += table.pool().View(r.given);
        break;
      case KeyPart::kGivenMetaphone:
        out += table.pool().View(r.given_metaphone);
        break;
      case KeyPart::kFamily:
        out += table.pool().View(r.family);
        break;
      case KeyPart::kFamilyMetaphone:
        out += table.pool().View(r.family_metaphone);
        break;
      case KeyPart::kPostcode:
        out += table.pool().View(r.postcode);
        break;
      case KeyPart::kPostcodeSector:
        out += table.pool().View(r.sector);
        break;
      case KeyPart::kPostcodeDistrict:
        out += table.pool().View(r.district);
        break;
      case KeyPart::kAddress:
        out += table.pool().View(r.address);
        break;
      case KeyPart::kUprn:
        out += table.pool().View(r.uprn);
        break;
      case KeyPart::kHouseNumber:
        out += table.pool().View(r.address).substr(0, table.pool().View(r.address).find(' '));
        break;
      case KeyPart::kPhone:
      case KeyPart::kEmail:
      case KeyPart::kIdentifier:
      case KeyPart::kIdentifierTypo:
      case KeyPart::kInitials:
        out += "(one of several)";
        break;
    }
  }
  return out;
}

}  // namespace

std::string_view KeyPartName(KeyPart part) {
  for (const auto& [p, name] : kParts) {
    if (p == part) return name;
  }
  return "unknown";
}

Result<KeyPart> KeyPartFromName(std::string_view name) {
  for (const auto& [p, n] : kParts) {
    if (n == name) return p;
  }
  return Status::InvalidArgument("unknown blocking key part '" + std::string(name) +
                                 "'; expected one of: " + KeyPartNames());
}

std::string KeyPartNames() {
  std::string out;
  for (const auto& [p, name] : kParts) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

ComparisonKind KeyPartComparison(KeyPart part) {
  switch (part) {
    case KeyPart::kNhsNumber:
      return ComparisonKind::kNhsNumber;
    case KeyPart::kDob:
    case KeyPart::kBirthYear:
      return ComparisonKind::kDateOfBirth;
    case KeyPart::kGiven:
    case KeyPart::kGivenInitial:
    case KeyPart::kGivenMetaphone:
    case KeyPart::kInitials:
      return ComparisonKind::kGivenName;
    case KeyPart::kFamily:
    case KeyPart::kFamilyMetaphone:
      return ComparisonKind::kFamilyName;
    case KeyPart::kPostcode:
    case KeyPart::kPostcodeSector:
    case KeyPart::kPostcodeDistrict:
    case KeyPart::kAddress:
    case KeyPart::kUprn:
    case KeyPart::kHouseNumber:
      return ComparisonKind::kLocation;
    case KeyPart::kPhone:
    case KeyPart::kEmail:
      return ComparisonKind::kContact;
    case KeyPart::kIdentifier:
    case KeyPart::kIdentifierTypo:
      return ComparisonKind::kIdentifiers;
    case KeyPart::kSex:
      return ComparisonKind::kSex;
  }
  return ComparisonKind::kSex;
}

std::vector<BlockingRule> DefaultBlockingRules() {
  return {
      {"nhs_number", {KeyPart::kNhsNumber}},
      {"dob_initial", {KeyPart::kDob, KeyPart::kInitials}},
      {"family_sound_birth_year", {KeyPart::kFamilyMetaphone, KeyPart::kBirthYear}},
      {"given_family", {KeyPart::kGiven, KeyPart::kFamily}},
      {"postcode_given_initial", {KeyPart::kPostcode, KeyPart::kGivenInitial}},
      {"address_birth_year", {KeyPart::kAddress, KeyPart::kBirthYear}},
      {"uprn_birth_year", {KeyPart::kUprn, KeyPart::kBirthYear}},
      {"house_number_family_sound", {KeyPart::kHouseNumber, KeyPart::kFamilyMetaphone}},
      {"phone", {KeyPart::kPhone}},
      {"email", {KeyPart::kEmail}},
      {"identifier", {KeyPart::kIdentifier}},
      {"identifier_typo", {KeyPart::kIdentifierTypo}},
  };
}

// One rule's blocks: an open-addressing table from key to a chain of member records.
struct BlockingIndex::RuleIndex {
  struct Slot {
    uint32_t key = 0;  // 0: empty
    uint32_t head = UINT32_MAX;
    uint32_t count = 0;
  };
  struct Entry {
    uint32_t record;
    uint32_t next;
  };
  std::vector<Slot> slots = std::vector<Slot>(1024);
  size_t used = 0;
  std::vector<Entry> entries;
  // Each record's keys: key_values[key_start[i] .. key_start[i + 1]) (few per record, so kept
  // flat: 8 bytes per record per rule rather than a fixed array).
  std::vector<uint32_t> key_start = {0};
  std::vector<uint32_t> key_values;

  std::span<const uint32_t> Keys(uint32_t record) const {
    if (record + 1 >= key_start.size()) return {};
    return {key_values.data() + key_start[record], key_start[record + 1] - key_start[record]};
  }

  size_t Find(uint32_t key) const {
    size_t mask = slots.size() - 1;
    size_t i = Mix(key) & mask;
    while (slots[i].key != 0 && slots[i].key != key) i = (i + 1) & mask;
    return i;
  }
  const Slot* Lookup(uint32_t key) const {
    const Slot& s = slots[Find(key)];
    return s.key == 0 ? nullptr : &s;
  }
  void Grow() {
    std::vector<Slot> old = std::move(slots);
    slots.assign(old.size() * 2, Slot{});
    for (const Slot& s : old) {
      if (s.key != 0) slots[Find(s.key)] = s;
    }
  }
  void Insert(uint32_t key, uint32_t record) {
    if ((used + 1) * 10 > slots.size() * 7) Grow();
    size_t i = Find(key);
    Slot& s = slots[i];
    if (s.key == 0) {
      s.key = key;
      ++used;
    }
    entries.push_back({record, s.head});
    s.head = static_cast<uint32_t>(entries.size() - 1);
    ++s.count;
  }
};

BlockingIndex::BlockingIndex(std::vector<BlockingRule> rules, int max_block_size)
    : rules_(std::move(rules)), max_block_size_(max_block_size) {
  for (size_t i = 0; i < rules_.size(); ++i) index_.push_back(new RuleIndex());
}

BlockingIndex::~BlockingIndex() {
  for (RuleIndex* r : index_) delete r;
}

void BlockingIndex::Add(const RecordTable& table, uint32_t index) {
  table_ = &table;
  const LinkageRecord& r = table.at(index);
  if (removed_.size() <= index) removed_.resize(index + 1, false);
  for (size_t i = 0; i < rules_.size(); ++i) {
    RuleIndex& ri = *index_[i];
    // Records without keys under this rule still get their (empty) range.
    while (ri.key_start.size() < static_cast<size_t>(index) + 1) {
      ri.key_start.push_back(static_cast<uint32_t>(ri.key_values.size()));
    }
    uint32_t keys[kMaxKeys];
    int n = RuleKeys(r, table, rules_[i], i, keys);
    for (int k = 0; k < n; ++k) {
      bool seen = false;
      for (int j = 0; j < k; ++j) seen = seen || keys[j] == keys[k];
      if (seen) continue;
      ri.key_values.push_back(keys[k]);
      ri.Insert(keys[k], index);
    }
    ri.key_start.push_back(static_cast<uint32_t>(ri.key_values.size()));
  }
}

void BlockingIndex::Remove(uint32_t index) {
  if (removed_.size() <= index) removed_.resize(index + 1, false);
  if (!removed_[index]) ++removed_count_;
  removed_[index] = true;
}

// The smallest key under which `rule` blocks a and b together (0 if none): with multi-valued
// parts two records can share several blocks of one rule, and only one of them may emit the pair.
uint32_t BlockingIndex::SharedKey(size_t rule, uint32_t a, uint32_t b) const {
  const RuleIndex& ri = *index_[rule];
  uint32_t shared = 0;
  std::span<const uint32_t> kbs = ri.Keys(b);
  for (uint32_t ka : ri.Keys(a)) {
    for (uint32_t kb : kbs) {
      if (ka != kb || (shared != 0 && ka >= shared)) continue;
      const RuleIndex::Slot* s = ri.Lookup(ka);
      if (s != nullptr && s->count <= static_cast<uint32_t>(max_block_size_)) shared = ka;
    }
  }
  return shared;
}

bool BlockingIndex::SharesBlock(size_t rule, uint32_t a, uint32_t b) const {
  return SharedKey(rule, a, b) != 0;
}

void BlockingIndex::Candidates(uint32_t index, std::vector<uint32_t>* out) const {
  out->clear();
  for (const RuleIndex* ri : index_) {
    for (uint32_t key : ri->Keys(index)) {
      const RuleIndex::Slot* s = ri->Lookup(key);
      if (s == nullptr || s->count < 2 || s->count > static_cast<uint32_t>(max_block_size_)) {
        continue;
      }
      for (uint32_t e = s->head; e != UINT32_MAX; e = ri->entries[e].next) {
        uint32_t other = ri->entries[e].record;
        if (other != index && !removed(other)) out->push_back(other);
      }
    }
  }
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
}

std::vector<RuleStats> BlockingIndex::ForEachPair(
    int threads,
    const std::function<void(int thread, size_t rule, uint32_t a, uint32_t b)>& visit) const {
  threads = std::max(1, threads);
  std::vector<RuleStats> stats(rules_.size());
  // Per thread, per rule: pairs contributed.
  std::vector<std::vector<int64_t>> pairs(threads, std::vector<int64_t>(rules_.size(), 0));
  for (size_t r = 0; r < rules_.size(); ++r) {
    const RuleIndex& ri = *index_[r];
    RuleStats& st = stats[r];
    st.name = rules_[r].name;
    for (const RuleIndex::Slot& s : ri.slots) {
      if (s.key == 0) continue;
      ++st.blocks;
      st.largest_block = std::max<int64_t>(st.largest_block, s.count);
      if (s.count > static_cast<uint32_t>(max_block_size_)) {
        ++st.oversized_blocks;
        st.oversized_records += s.count;
        if (static_cast<int64_t>(s.count) >= st.largest_block && table_ != nullptr) {
          st.largest_oversized_key =
              DescribeKey(table_->at(ri.entries[s.head].record), *table_, rules_[r]) + " (" +
              std::to_string(s.count) + " records)";
        }
      }
    }
  }
  auto work = [&](int t) {
    std::vector<uint32_t> members;
    for (size_t r = 0; r < rules_.size(); ++r) {
      const RuleIndex& ri = *index_[r];
      // Slots are dealt round-robin in chunks so both threads get big and small blocks.
      constexpr size_t kChunk = 256;
      for (size_t start = static_cast<size_t>(t) * kChunk; start < ri.slots.size();
           start += static_cast<size_t>(threads) * kChunk) {
        size_t end = std::min(ri.slots.size(), start + kChunk);
        for (size_t i = start; i < end; ++i) {
          const RuleIndex::Slot& s = ri.slots[i];
          if (s.key == 0 || s.count < 2 || s.count > static_cast<uint32_t>(max_block_size_)) {
            continue;
          }
          members.clear();
          for (uint32_t e = s.head; e != UINT32_MAX; e = ri.entries[e].next) {
            if (!removed(ri.entries[e].record)) members.push_back(ri.entries[e].record);
          }
          std::sort(members.begin(), members.end());
          for (size_t x = 0; x < members.size(); ++x) {
            for (size_t y = x + 1; y < members.size(); ++y) {
              uint32_t a = members[x];
              uint32_t b = members[y];
              bool earlier = false;
              for (size_t q = 0; q < r && !earlier; ++q) earlier = SharesBlock(q, a, b);
              if (earlier) continue;
              if (ri.Keys(a).size() > 1 && ri.Keys(b).size() > 1 && SharedKey(r, a, b) != s.key) {
                continue;  // the pair's other shared block of this rule emits it
              }
              ++pairs[t][r];
              visit(t, r, a, b);
            }
          }
        }
      }
    }
  };
  if (threads == 1) {
    work(0);
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(work, t);
    for (std::thread& th : pool) th.join();
  }
  for (int t = 0; t < threads; ++t) {
    for (size_t r = 0; r < rules_.size(); ++r) stats[r].pairs += pairs[t][r];
  }
  return stats;
}

}  // namespace tessera::resolve
