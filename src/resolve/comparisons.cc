#include "resolve/comparisons.h"

#include <algorithm>

#include "core/dates.h"
#include "resolve/field_compare.h"
#include "resolve/name_variants.h"
#include "resolve/similarity.h"

namespace tessera::resolve {
namespace {

constexpr LevelInfo kGivenLevels[] = {
    {"exact", "same given name", true},
    {"swapped", "given and family names the other way round", false},
    {"variant", "a nickname or variant (Bob, Robert), or one's given is the other's middle name",
     false},
    {"typo", "Jaro-Winkler at or above the high threshold", false},
    {"similar", "same Double Metaphone code, or Jaro-Winkler at or above the low threshold", false},
    {"initial", "one is an initial of the other", false},
    {"partly_swapped", "one record's given name is the other's family name, or the other way round",
     false},
    {"else", "different given names", false},
};
constexpr uint8_t kGivenPartlySwapped = 6;
constexpr uint8_t kGivenElse = 7;
constexpr LevelInfo kFamilyLevels[] = {
    {"exact", "same family name", true},
    {"part", "one is part of the other's double-barrelled name", false},
    {"typo", "Jaro-Winkler at or above the high threshold", false},
    {"similar",
     "same Double Metaphone code, a listed variant, or Jaro-Winkler at or above the "
     "low threshold",
     false},
    {"else", "different family names", false},
};
constexpr LevelInfo kDobLevels[] = {
    {"exact", "same date of birth", false},
    {"day_month_swapped", "day and month the other way round", false},
    {"typo", "one digit different or two adjacent digits swapped", false},
    {"within_1_year", "within a year", false},
    {"within_10_years", "within ten years", false},
    {"else", "more than ten years apart", false},
};
constexpr LevelInfo kSexLevels[] = {
    {"agree", "same sex", false},
    {"else", "different sex", false},
};
constexpr LevelInfo kLocationLevels[] = {
    {"same_address", "same UPRN, or the same address", false},
    {"most_words", "most address words in common, or nearly the same text", false},
    {"postcode", "same postcode", false},
    {"some_words", "some address words in common", false},
    {"sector", "same postcode sector", false},
    {"district", "same postcode district", false},
    {"area", "same postcode area", false},
    {"else", "different addresses and postcode areas", false},
};
constexpr LevelInfo kNhsLevels[] = {
    {"agree", "same NHS number", false},
    {"else", "different valid NHS numbers", false},
};
constexpr LevelInfo kIdentifierLevels[] = {
    {"agree", "a shared identifier (PNC, CRO, NI, shared or same-source local id) agrees", false},
    {"one_character", "a shared or local id differs in one character or two swapped", false},
    {"else", "identifiers of the same kind disagree", false},
};
constexpr LevelInfo kContactLevels[] = {
    {"agree", "a phone number or email address in common", false},
    {"else", "phone numbers or email addresses all different", false},
};

bool AnyEqual(uint32_t a0, uint32_t a1, uint32_t b0, uint32_t b1) {
  if (a0 == 0 || b0 == 0) return false;
  return a0 == b0 || (b1 != 0 && a0 == b1) || (a1 != 0 && (a1 == b0 || a1 == b1));
}

bool MetaphoneMatch(uint32_t a, uint32_t a_alt, uint32_t b, uint32_t b_alt) {
  return AnyEqual(a, a_alt, b, b_alt);
}

// One name is a whole part of the other's multi-part name ("SMITH" in "SMITH-JONES").
bool IsPartOf(std::string_view part, std::string_view whole) {
  if (part.size() >= whole.size()) return false;
  size_t start = 0;
  while (start <= whole.size()) {
    size_t end = whole.find_first_of("- ", start);
    if (end == std::string_view::npos) end = whole.size();
    if (whole.substr(start, end - start) == part) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

std::string_view ComparisonName(ComparisonKind kind) {
  switch (kind) {
    case ComparisonKind::kGivenName:
      return "given_name";
    case ComparisonKind::kFamilyName:
      return "family_name";
    case ComparisonKind::kDateOfBirth:
      return "date_of_birth";
    case ComparisonKind::kSex:
      return "sex";
    case ComparisonKind::kLocation:
      return "location";
    case ComparisonKind::kNhsNumber:
      return "nhs_number";
    case ComparisonKind::kIdentifiers:
      return "identifiers";
    case ComparisonKind::kContact:
      return "contact";
  }
  return "unknown";
}

std::span<const LevelInfo> ComparisonLevels(ComparisonKind kind) {
  switch (kind) {
    case ComparisonKind::kGivenName:
      return kGivenLevels;
    case ComparisonKind::kFamilyName:
      return kFamilyLevels;
    case ComparisonKind::kDateOfBirth:
      return kDobLevels;
    case ComparisonKind::kSex:
      return kSexLevels;
    case ComparisonKind::kLocation:
      return kLocationLevels;
    case ComparisonKind::kNhsNumber:
      return kNhsLevels;
    case ComparisonKind::kIdentifiers:
      return kIdentifierLevels;
    case ComparisonKind::kContact:
      return kContactLevels;
  }
  return {};
}

bool Comparer::NamesSwapped(const LinkageRecord& a, const LinkageRecord& b) const {
  if (a.given == 0 || a.family == 0 || b.given == 0 || b.family == 0) return false;
  if (a.given == a.family || a.given == b.given || a.family == b.family) return false;
  const StringPool& pool = table_.pool();
  // Each name starts like the other's opposite name, or this is no swap (typos rarely hit the
  // first letter): spares nearly every pair the two Jaro-Winklers below.
  if (pool.View(a.given)[0] != pool.View(b.family)[0] ||
      pool.View(a.family)[0] != pool.View(b.given)[0]) {
    return false;
  }
  auto close = [&](uint32_t x, uint32_t y) {
    return x == y ||
           JaroWinklerSimilarity(pool.View(x), pool.View(y)) >= settings_.name_similar_high;
  };
  return close(a.given, b.family) && close(a.family, b.given);
}

uint32_t Comparer::TermValue(ComparisonKind kind, const LinkageRecord& a) {
  switch (kind) {
    case ComparisonKind::kGivenName:
      return a.given;
    case ComparisonKind::kFamilyName:
      return a.family;
    default:
      return 0;
  }
}

uint8_t Comparer::GivenName(const LinkageRecord& a, const LinkageRecord& b, bool swapped) const {
  if (a.given == 0 || b.given == 0) return kNullLevel;
  if (a.given == b.given) return 0;
  if (swapped) return 1;
  if ((a.given_variant >= 0 && b.given_variant >= 0 &&
       NameVariants::FirstNames().AreVariantIds(a.given_variant, b.given_variant)) ||
      a.given == b.middle || a.middle == b.given) {
    return 2;
  }
  std::string_view x = table_.pool().View(a.given);
  std::string_view y = table_.pool().View(b.given);
  if (x.size() == 1 || y.size() == 1) return x[0] == y[0] ? 5 : kGivenElse;
  double jw = JaroWinklerSimilarity(x, y);
  if (jw >= settings_.name_similar_high) return 3;
  if (jw >= settings_.name_similar_low ||
      MetaphoneMatch(a.given_metaphone, a.given_metaphone_alt, b.given_metaphone,
                     b.given_metaphone_alt)) {
    return 4;
  }
  return kGivenElse;
}

bool Comparer::GivenNamesDiffer(const LinkageRecord& a, const LinkageRecord& b) const {
  return GivenName(a, b, NamesSwapped(a, b)) == kGivenElse && !PartlySwapped(a, b);
}

bool Comparer::PartlySwapped(const LinkageRecord& a, const LinkageRecord& b) const {
  const StringPool& pool = table_.pool();
  auto close = [&](uint32_t x, uint32_t y) {
    if (x == 0 || y == 0) return false;
    if (x == y) return true;
    std::string_view vx = pool.View(x);
    std::string_view vy = pool.View(y);
    return vx[0] == vy[0] && JaroWinklerSimilarity(vx, vy) >= settings_.name_similar_high;
  };
  return close(a.given, b.family) || close(a.family, b.given);
}

uint8_t Comparer::FamilyName(const LinkageRecord& a, const LinkageRecord& b, bool swapped) const {
  if (a.family == 0 || b.family == 0) return kNullLevel;
  if (a.family == b.family) return 0;
  if (swapped) return kNullLevel;  // the given-name comparison weighs the swap
  std::string_view x = table_.pool().View(a.family);
  std::string_view y = table_.pool().View(b.family);
  if (IsPartOf(x, y) || IsPartOf(y, x)) return 1;
  double jw = JaroWinklerSimilarity(x, y);
  if (jw >= settings_.name_similar_high) return 2;
  if (jw >= settings_.name_similar_low ||
      MetaphoneMatch(a.family_metaphone, a.family_metaphone_alt, b.family_metaphone,
                     b.family_metaphone_alt) ||
      (a.family_variant >= 0 && b.family_variant >= 0 &&
       NameVariants::LastNames().AreVariantIds(a.family_variant, b.family_variant))) {
    return 3;
  }
  return 4;
}

uint8_t Comparer::DateOfBirth(const LinkageRecord& a, const LinkageRecord& b) const {
  if (a.dob == kNoDate || b.dob == kNoDate) return kNullLevel;
  if (a.dob == b.dob) return 0;
  switch (CompareDates(CivilDate{a.dob_year, a.dob_month, a.dob_day},
                       CivilDate{b.dob_year, b.dob_month, b.dob_day})) {
    case DateAgreement::kExact:
      return 0;
    case DateAgreement::kDayMonthSwapped:
      return 1;
    case DateAgreement::kOneCharacterTypo:
      return 2;
    case DateAgreement::kWithinOneYear:
      return 3;
    case DateAgreement::kWithinTenYears:
      return 4;
    case DateAgreement::kOther:
      break;
  }
  return 5;
}

uint8_t Comparer::Location(const LinkageRecord& a, const LinkageRecord& b) const {
  if (a.uprn != 0 && a.uprn == b.uprn) return 0;
  double overlap = -1;  // no addresses to compare
  if (a.address != 0 && b.address != 0) {
    if (a.address == b.address) return 0;
    const std::vector<uint32_t>& x = table_.AddressTokens(a.address_slot);
    const std::vector<uint32_t>& y = table_.AddressTokens(b.address_slot);
    size_t common = 0;
    size_t i = 0;
    size_t j = 0;
    while (i < x.size() && j < y.size()) {
      if (x[i] == y[j]) {
        ++common;
        ++i;
        ++j;
      } else if (x[i] < y[j]) {
        ++i;
      } else {
        ++j;
      }
    }
    size_t all = x.size() + y.size() - common;
    overlap = all == 0 ? 0.0 : static_cast<double>(common) / static_cast<double>(all);
    if (overlap >= settings_.address_overlap_high) return 1;
    // Words run together or split ("LAIDLEYPLACE"): the whole text is still nearly the same.
    // Only texts of about the same length with the same start can be (a cheap test that spares
    // most pairs the Jaro-Winkler over two whole addresses).
    std::string_view ta = table_.pool().View(a.address);
    std::string_view tb = table_.pool().View(b.address);
    size_t shorter = std::min(ta.size(), tb.size());
    size_t longer = std::max(ta.size(), tb.size());
    if (shorter >= 2 && longer * 4 <= shorter * 5 && ta[0] == tb[0] && ta[1] == tb[1] &&
        JaroWinklerSimilarity(ta, tb) >= settings_.name_similar_high) {
      return 1;
    }
  }
  bool postcodes = a.postcode != 0 && b.postcode != 0;
  if (postcodes && a.postcode == b.postcode) return 2;
  if (overlap >= settings_.address_overlap_low) return 3;
  if (postcodes) {
    if (a.sector == b.sector) return 4;
    if (a.district == b.district) return 5;
    if (a.area == b.area) return 6;
    return 7;
  }
  return overlap >= 0 ? 7 : kNullLevel;
}

bool Comparer::ShareIdentifier(const LinkageRecord& a, const LinkageRecord& b) const {
  return (a.nhs != 0 && a.nhs == b.nhs) || Identifiers(a, b, table_.pool()) == 0;
}

uint8_t Comparer::Identifiers(const LinkageRecord& a, const LinkageRecord& b,
                              const StringPool& pool) {
  bool shared = false;
  bool near = false;
  auto exact = [&](uint32_t x, uint32_t y) {
    if (x == 0 || y == 0) return false;
    shared = true;
    return x == y;
  };
  auto close = [&](uint32_t x, uint32_t y) {
    if (x == 0 || y == 0) return false;
    shared = true;
    if (x == y) return true;
    if (DamerauLevenshteinDistance(pool.View(x), pool.View(y)) <= 1) near = true;
    return false;
  };
  if (exact(a.pnc, b.pnc) || exact(a.cro, b.cro) || exact(a.ni, b.ni) ||
      close(a.other_id, b.other_id)) {
    return 0;
  }
  if (a.source == b.source && close(a.local_id, b.local_id)) return 0;
  if (!shared) return kNullLevel;
  return near ? 1 : 2;
}

LevelVector Comparer::Compare(const LinkageRecord& a, const LinkageRecord& b) const {
  LevelVector v;
  const bool swapped = NamesSwapped(a, b);
  v.level[0] = GivenName(a, b, swapped);
  v.level[1] = FamilyName(a, b, swapped);
  if (v.level[0] == kGivenElse && PartlySwapped(a, b)) {
    // A name in the other slot: the given-name level weighs it, and the family comparison
    // (one side of which is that displaced name) says nothing.
    v.level[0] = kGivenPartlySwapped;
    v.level[1] = kNullLevel;
  }
  v.level[2] = DateOfBirth(a, b);
  v.level[3] = (a.sex == 0 || b.sex == 0) ? kNullLevel : (a.sex == b.sex ? 0 : 1);
  v.level[4] = Location(a, b);
  v.level[5] = (a.nhs == 0 || b.nhs == 0) ? kNullLevel : (a.nhs == b.nhs ? 0 : 1);
  v.level[6] = Identifiers(a, b, table_.pool());
  if (AnyEqual(a.phones[0], a.phones[1], b.phones[0], b.phones[1]) ||
      AnyEqual(a.emails[0], a.emails[1], b.emails[0], b.emails[1])) {
    v.level[7] = 0;
  } else if ((a.phones[0] != 0 && b.phones[0] != 0) || (a.emails[0] != 0 && b.emails[0] != 0)) {
    v.level[7] = 1;
  } else {
    v.level[7] = kNullLevel;
  }
  return v;
}

}  // namespace tessera::resolve
