// Graded comparisons of dates and postcodes for record linkage. Each returns the first level
// that holds, in the order of the enum: the closest agreement wins.
#pragma once

#include <string_view>

#include "core/dates.h"

namespace tessera::resolve {

enum class DateAgreement {
  kExact,
  kDayMonthSwapped,   // same year, 1990-03-04 vs 1990-04-03
  kOneCharacterTypo,  // yyyymmdd differ by one digit, or by two adjacent digits swapped
  kWithinOneYear,     // at most 366 days apart
  kWithinTenYears,    // at most 3653 days apart (ten years hold at most three 29 Februaries)
  kOther,             // anything else, and any invalid date
};

// How two dates (birth dates, typically) agree. Missing values are the caller's business: a
// date that is not valid (CivilDate::IsValid) gives kOther, even against itself. The typo
// level reads the dates as the eight digits yyyymmdd: 1985-07-12 / 1985-07-13 (one digit),
// 1985-07-12 / 1958-07-12 (two adjacent digits swapped) and 1985-07-12 / 1985-07-21. Costs a few
// integer operations, no strings.
DateAgreement CompareDates(const CivilDate& a, const CivilDate& b);

enum class PostcodeAgreement {
  kFull,      // SW1A 1AA = SW1A 1AA
  kSector,    // SW1A 1AA ~ SW1A 1BB: outcode and the incode's digit
  kDistrict,  // SW1A 1AA ~ SW1A 2AA: the outcode
  kArea,      // SW1A 1AA ~ SW7 2AZ: the outcode's leading letters
  kOther,     // different areas, or either postcode empty
};

// How two UK postcodes agree. They should be normalised as ingest writes them (upper case, one
// space before the three-character incode, "SW1A 1AA"); without a space the last three
// characters are taken as the incode when there are at least five, and a string of four or
// fewer characters without a space is read as an outcode alone ("SW1A", a partial postcode),
// which can agree at most at district level. Letters are compared as given, so
// pass upper case.
PostcodeAgreement ComparePostcodes(std::string_view a, std::string_view b);

// The parts of a postcode, as views into the argument (empty when there is none), e.g. for
// blocking keys. District = outcode ("SW1A"); sector = the postcode up to and including the
// incode's digit ("SW1A 1", or "SW1A1" if written without a space); area = the outcode's
// leading letters ("SW").
std::string_view PostcodeDistrict(std::string_view postcode);
std::string_view PostcodeSector(std::string_view postcode);
std::string_view PostcodeArea(std::string_view postcode);

}  // namespace tessera::resolve
