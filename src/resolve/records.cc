#include "resolve/records.h"

#include <algorithm>

#include "core/ascii.h"

using tessera::ascii::IsDigit;
using tessera::ascii::IsLetter;
using tessera::ascii::ToUpper;
#include "resolve/double_metaphone.h"
#include "resolve/name_variants.h"

namespace tessera::resolve {

namespace {
constexpr size_t kBlockBytes = size_t{1} << 20;
}  // namespace

StringPool::StringPool() : views_{std::string_view()}, table_(1024, 0) {}

size_t StringPool::SlotOf(std::string_view s) const {
  size_t mask = table_.size() - 1;
  size_t i = std::hash<std::string_view>()(s) & mask;
  while (table_[i] != 0 && views_[table_[i]] != s) i = (i + 1) & mask;
  return i;
}

void StringPool::Grow() {
  std::vector<uint32_t> old = std::move(table_);
  table_.assign(old.size() * 2, 0);
  for (uint32_t id : old) {
    if (id != 0) table_[SlotOf(views_[id])] = id;
  }
}

std::string_view StringPool::Copy(std::string_view s) {
  if (block_used_ + s.size() > block_size_) {
    block_size_ = std::max(kBlockBytes, s.size());
    blocks_.push_back(std::make_unique<char[]>(block_size_));
    block_used_ = 0;
  }
  char* at = blocks_.back().get() + block_used_;
  std::copy(s.begin(), s.end(), at);
  block_used_ += s.size();
  return {at, s.size()};
}

uint32_t StringPool::Intern(std::string_view s) {
  if (s.empty()) return 0;
  size_t slot = SlotOf(s);
  if (table_[slot] != 0) return table_[slot];
  uint32_t id = static_cast<uint32_t>(views_.size());
  views_.push_back(Copy(s));
  table_[slot] = id;
  if (views_.size() * 10 > table_.size() * 7) Grow();
  return id;
}

uint32_t StringPool::Find(std::string_view s) const {
  if (s.empty()) return 0;
  return table_[SlotOf(s)];
}

namespace {

// Upper case, letters and digits kept, everything else a single space.
std::string NormaliseAddress(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = true;
  for (char c : text) {
    if ((IsLetter(c) || IsDigit(c)) || static_cast<unsigned char>(c) >= 0x80) {
      out.push_back(ToUpper(c));
      space = false;
    } else if (!space) {
      out.push_back(' ');
      space = true;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

uint8_t SexCode(model::Sex sex) {
  switch (sex) {
    case model::Sex::kMale:
      return 1;
    case model::Sex::kFemale:
      return 2;
    case model::Sex::kUnknown:
      break;
  }
  return 0;
}

// The postcode area: the leading letters of the outcode ("SW" of "SW1A").
std::string_view AreaOf(std::string_view district) {
  size_t n = 0;
  while (n < district.size() && IsLetter(district[n])) ++n;
  return district.substr(0, n);
}

}  // namespace

const RecordTable::NameFacts& RecordTable::FactsFor(uint32_t name) {
  auto [it, inserted] = name_facts_.try_emplace(name);
  if (inserted && name != 0) {
    std::string_view text = pool_.View(name);
    MetaphoneCodes codes = DoubleMetaphone(text);
    it->second.metaphone = pool_.Intern(codes.primary);
    it->second.metaphone_alt =
        codes.alternate == codes.primary ? it->second.metaphone : pool_.Intern(codes.alternate);
    it->second.first_variant = NameVariants::FirstNames().Id(text);
    it->second.last_variant = NameVariants::LastNames().Id(text);
  }
  return it->second;
}

uint32_t RecordTable::InternName(std::string_view name) { return pool_.Intern(name); }

void RecordTable::InternAddress(std::string_view text, uint32_t* id, uint32_t* slot) {
  std::string normalised = NormaliseAddress(text);
  *id = pool_.Intern(normalised);
  *slot = 0;
  if (*id == 0) return;
  auto [it, inserted] = address_slot_.try_emplace(*id, 0);
  if (inserted) {
    std::vector<uint32_t> tokens;
    std::string_view rest = pool_.View(*id);
    while (!rest.empty()) {
      size_t space = rest.find(' ');
      tokens.push_back(pool_.Intern(rest.substr(0, space)));
      if (space == std::string_view::npos) break;
      rest.remove_prefix(space + 1);
    }
    std::sort(tokens.begin(), tokens.end());
    tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
    it->second = static_cast<uint32_t>(address_tokens_.size());
    address_tokens_.push_back(std::move(tokens));
  }
  *slot = it->second;
}

int64_t RecordTable::IndexOf(model::PersonRecordId id) const {
  auto it = out_of_order_.find(id);
  if (it != out_of_order_.end()) return it->second;
  // The in-order records: ids increase with the index (out-of-order ones are skipped over by
  // the map above, and compare as if absent here only if the search lands on one).
  size_t lo = 0;
  size_t hi = size_;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (out_of_order_.count(at(static_cast<uint32_t>(mid)).id) != 0) {
      // Rare (explanations only): fall back to a scan.
      for (uint32_t i = 0; i < size_; ++i) {
        if (at(i).id == id) return static_cast<int64_t>(i);
      }
      return -1;
    }
    if (at(static_cast<uint32_t>(mid)).id < id) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < size_ && at(static_cast<uint32_t>(lo)).id == id ? static_cast<int64_t>(lo) : -1;
}

LinkageRecord RecordTable::Build(const model::PersonRecord& record, const model::Location* location,
                                 std::string_view source_id) {
  LinkageRecord r;
  r.id = record.id;
  r.source = pool_.Intern(source_id);
  r.given = InternName(record.name.given);
  r.middle = InternName(record.name.middle);
  r.family = InternName(record.name.family);
  if (r.given != 0) {
    const NameFacts& facts = FactsFor(r.given);
    r.given_metaphone = facts.metaphone;
    r.given_metaphone_alt = facts.metaphone_alt;
    r.given_variant = facts.first_variant;
  }
  if (r.family != 0) {
    const NameFacts& facts = FactsFor(r.family);
    r.family_metaphone = facts.metaphone;
    r.family_metaphone_alt = facts.metaphone_alt;
    r.family_variant = facts.last_variant;
  }
  if (record.dob.has_value()) {
    r.dob = static_cast<int32_t>(record.dob->ToDays());
    r.dob_year = static_cast<int16_t>(record.dob->year);
    r.dob_month = static_cast<int8_t>(record.dob->month);
    r.dob_day = static_cast<int8_t>(record.dob->day);
  }
  r.sex = SexCode(record.sex);
  for (const model::Identifier& id : record.identifiers) {
    if (!id.valid || id.value.empty()) continue;
    uint32_t* slot = nullptr;
    switch (id.kind) {
      case model::IdentifierKind::kNhsNumber:
        slot = &r.nhs;
        break;
      case model::IdentifierKind::kPncId:
        slot = &r.pnc;
        break;
      case model::IdentifierKind::kCroNumber:
        slot = &r.cro;
        break;
      case model::IdentifierKind::kNiNumber:
        slot = &r.ni;
        break;
      case model::IdentifierKind::kOtherId:
        slot = &r.other_id;
        break;
      case model::IdentifierKind::kLocalId:
        slot = &r.local_id;
        break;
      case model::IdentifierKind::kUprn:
        slot = &r.uprn;
        break;
    }
    if (slot != nullptr && *slot == 0) *slot = pool_.Intern(id.value);
  }
  for (size_t i = 0; i < record.phones.size() && i < 2; ++i) {
    r.phones[i] = pool_.Intern(record.phones[i]);
  }
  for (size_t i = 0; i < record.emails.size() && i < 2; ++i) {
    r.emails[i] = pool_.Intern(record.emails[i]);
  }
  LocationFacts facts;
  if (location != nullptr) {
    facts = FactsOf(*location);
  } else if (record.location_id.has_value()) {
    auto it = locations_.find(*record.location_id);
    if (it != locations_.end()) facts = it->second;
  }
  r.postcode = facts.postcode;
  r.sector = facts.sector;
  r.district = facts.district;
  r.area = facts.area;
  r.address = facts.address;
  r.address_slot = facts.address_slot;
  if (r.uprn == 0) r.uprn = facts.uprn;
  return r;
}

RecordTable::LocationFacts RecordTable::FactsOf(const model::Location& location) {
  LocationFacts f;
  if (location.no_fixed_abode) return f;  // ZZ99 and the like: no place to compare
  if (!location.postcode.empty()) {
    f.postcode = pool_.Intern(location.postcode);
    f.sector = pool_.Intern(location.small_area);
    f.district = pool_.Intern(location.postcode_district);
    f.area = pool_.Intern(AreaOf(location.postcode_district));
  }
  if (!location.address_text.empty()) {
    InternAddress(location.address_text, &f.address, &f.address_slot);
  }
  if (!location.uprn.empty()) f.uprn = pool_.Intern(location.uprn);
  return f;
}

void RecordTable::AddLocation(const model::Location& location) {
  locations_[location.id] = FactsOf(location);
}

uint32_t RecordTable::Add(const model::PersonRecord& record, const model::Location* location,
                          std::string_view source_id) {
  uint32_t index = size_;
  if ((index & (kChunkSize - 1)) == 0)
    chunks_.push_back(std::make_unique<LinkageRecord[]>(kChunkSize));
  chunks_[index >> kChunkBits][index & (kChunkSize - 1)] = Build(record, location, source_id);
  ++size_;
  if (record.id > last_id_) {
    last_id_ = record.id;
  } else {
    out_of_order_[record.id] = index;
  }
  return index;
}

}  // namespace tessera::resolve
