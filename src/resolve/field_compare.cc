#include "resolve/field_compare.h"

#include <bit>
#include <cstdint>

#include "core/ascii.h"

namespace tessera::resolve {
namespace {

// The eight digits yyyymmdd as packed decimal, one digit per 4-bit nibble, so that the digits
// that differ between two dates are the non-zero nibbles of an XOR. Valid dates only.
uint32_t PackedDigits(const CivilDate& date) {
  const auto y = static_cast<uint32_t>(date.year);
  const auto m = static_cast<uint32_t>(date.month);
  const auto d = static_cast<uint32_t>(date.day);
  return (y / 1000) << 28 | (y / 100 % 10) << 24 | (y / 10 % 10) << 20 | (y % 10) << 16 |
         (m / 10) << 12 | (m % 10) << 8 | (d / 10) << 4 | (d % 10);
}

// Whether yyyymmdd of the two dates differ by one substitution or by one transposition of two
// adjacent digits (Damerau distance 1 on strings of the same length).
bool OneDigitApart(const CivilDate& a, const CivilDate& b) {
  const uint32_t x = PackedDigits(a);
  const uint32_t y = PackedDigits(b);
  const uint32_t diff = x ^ y;
  // The low bit of each nibble that differs.
  const uint32_t differing = (diff | diff >> 1 | diff >> 2 | diff >> 3) & 0x11111111u;
  const int count = std::popcount(differing);
  if (count == 1) return true;
  if (count != 2) return false;
  const int shift = std::countr_zero(differing);
  if (differing != (0x11u << shift)) return false;  // not adjacent
  const uint32_t pair_x = (x >> shift) & 0xFF;
  const uint32_t pair_y = (y >> shift) & 0xFF;
  return (pair_x & 0xF) == (pair_y >> 4) && (pair_x >> 4) == (pair_y & 0xF);
}

struct PostcodeParts {
  std::string_view outcode;
  std::string_view incode;  // empty for a bare outcode
};

PostcodeParts SplitPostcode(std::string_view postcode) {
  const size_t space = postcode.find(' ');
  if (space != std::string_view::npos) {
    std::string_view incode = postcode.substr(space + 1);
    while (!incode.empty() && incode.front() == ' ') incode.remove_prefix(1);
    return {postcode.substr(0, space), incode};
  }
  // The incode is always a digit and two letters.
  if (postcode.size() >= 5) {
    return {postcode.substr(0, postcode.size() - 3), postcode.substr(postcode.size() - 3)};
  }
  return {postcode, {}};
}

std::string_view LeadingLetters(std::string_view outcode) {
  size_t n = 0;
  while (n < outcode.size() && ascii::IsLetter(outcode[n])) ++n;
  return outcode.substr(0, n);
}

}  // namespace

DateAgreement CompareDates(const CivilDate& a, const CivilDate& b) {
  if (!a.IsValid() || !b.IsValid()) return DateAgreement::kOther;
  if (a == b) return DateAgreement::kExact;
  if (a.year == b.year && a.month == b.day && a.day == b.month) {
    return DateAgreement::kDayMonthSwapped;
  }
  if (OneDigitApart(a, b)) return DateAgreement::kOneCharacterTypo;
  const int64_t days = a.ToDays() - b.ToDays();
  const int64_t apart = days < 0 ? -days : days;
  if (apart <= 366) return DateAgreement::kWithinOneYear;
  if (apart <= 3653) return DateAgreement::kWithinTenYears;
  return DateAgreement::kOther;
}

PostcodeAgreement ComparePostcodes(std::string_view a, std::string_view b) {
  const PostcodeParts x = SplitPostcode(a);
  const PostcodeParts y = SplitPostcode(b);
  if (x.outcode.empty() || y.outcode.empty()) return PostcodeAgreement::kOther;
  if (x.outcode == y.outcode) {
    if (x.incode.empty() || y.incode.empty()) return PostcodeAgreement::kDistrict;
    if (x.incode == y.incode) return PostcodeAgreement::kFull;
    if (x.incode.front() == y.incode.front()) return PostcodeAgreement::kSector;
    return PostcodeAgreement::kDistrict;
  }
  const std::string_view area = LeadingLetters(x.outcode);
  if (!area.empty() && area == LeadingLetters(y.outcode)) return PostcodeAgreement::kArea;
  return PostcodeAgreement::kOther;
}

std::string_view PostcodeDistrict(std::string_view postcode) {
  return SplitPostcode(postcode).outcode;
}

std::string_view PostcodeSector(std::string_view postcode) {
  const PostcodeParts parts = SplitPostcode(postcode);
  if (parts.incode.empty()) return {};
  return postcode.substr(0, static_cast<size_t>(parts.incode.data() - postcode.data()) + 1);
}

std::string_view PostcodeArea(std::string_view postcode) {
  return LeadingLetters(SplitPostcode(postcode).outcode);
}

}  // namespace tessera::resolve
