#include "resolve/field_compare.h"

#include <gtest/gtest.h>

namespace tessera::resolve {
namespace {

CivilDate D(int year, int month, int day) { return CivilDate{year, month, day}; }

TEST(CompareDates, EachLevel) {
  EXPECT_EQ(CompareDates(D(1985, 7, 12), D(1985, 7, 12)), DateAgreement::kExact);
  EXPECT_EQ(CompareDates(D(1985, 3, 4), D(1985, 4, 3)), DateAgreement::kDayMonthSwapped);
  EXPECT_EQ(CompareDates(D(1985, 12, 11), D(1985, 11, 12)), DateAgreement::kDayMonthSwapped);
  // One digit of yyyymmdd.
  EXPECT_EQ(CompareDates(D(1985, 7, 12), D(1985, 7, 13)), DateAgreement::kOneCharacterTypo);
  EXPECT_EQ(CompareDates(D(1985, 7, 12), D(1995, 7, 12)), DateAgreement::kOneCharacterTypo);
  EXPECT_EQ(CompareDates(D(1985, 7, 12), D(2985, 7, 12)), DateAgreement::kOneCharacterTypo);
  EXPECT_EQ(CompareDates(D(1985, 1, 12), D(1985, 11, 12)), DateAgreement::kOneCharacterTypo);
  // Two adjacent digits transposed: in the year, across year and month, in the day.
  EXPECT_EQ(CompareDates(D(1985, 7, 12), D(1958, 7, 12)), DateAgreement::kOneCharacterTypo);
  EXPECT_EQ(CompareDates(D(1985, 7, 12), D(1985, 7, 21)), DateAgreement::kOneCharacterTypo);
  EXPECT_EQ(CompareDates(D(2001, 1, 1), D(2000, 11, 1)), DateAgreement::kOneCharacterTypo);
  // Within a year, and within ten.
  EXPECT_EQ(CompareDates(D(1985, 7, 12), D(1986, 2, 28)), DateAgreement::kWithinOneYear);
  EXPECT_EQ(CompareDates(D(1985, 7, 12), D(1990, 2, 28)), DateAgreement::kWithinTenYears);
  EXPECT_EQ(CompareDates(D(1985, 7, 12), D(2001, 2, 28)), DateAgreement::kOther);
}

TEST(CompareDates, PriorityOrder) {
  // Swapped day and month beats the typo level (0304 / 0403 also differ in two digits).
  EXPECT_EQ(CompareDates(D(1990, 1, 10), D(1990, 10, 1)), DateAgreement::kDayMonthSwapped);
  // A typo beats "within a year": 1985-07-12 / 1985-07-18 are six days apart.
  EXPECT_EQ(CompareDates(D(1985, 7, 12), D(1985, 7, 18)), DateAgreement::kOneCharacterTypo);
  // A typo far in time is still a typo.
  EXPECT_EQ(CompareDates(D(1985, 7, 12), D(1285, 7, 12)), DateAgreement::kOneCharacterTypo);
  // When day equals month, swapping them changes nothing: the later levels decide.
  EXPECT_EQ(CompareDates(D(1985, 5, 5), D(1986, 5, 5)), DateAgreement::kOneCharacterTypo);
}

TEST(CompareDates, NotTypos) {
  // Two digits apart but not adjacent, or adjacent but not a swap.
  EXPECT_EQ(CompareDates(D(1985, 7, 12), D(1985, 8, 13)), DateAgreement::kWithinOneYear);
  EXPECT_EQ(CompareDates(D(1985, 7, 12), D(1985, 7, 30)), DateAgreement::kWithinOneYear);
  EXPECT_EQ(CompareDates(D(1985, 7, 12), D(1979, 7, 12)), DateAgreement::kWithinTenYears);
  EXPECT_EQ(CompareDates(D(1985, 7, 12), D(1975, 6, 12)), DateAgreement::kOther);
}

TEST(CompareDates, YearBoundariesInDays) {
  // 366 days (across a 29 February) is within a year; 367 is not.
  EXPECT_EQ(CompareDates(D(2019, 6, 1), D(2020, 6, 1)), DateAgreement::kWithinOneYear);
  EXPECT_EQ(CompareDates(D(2019, 6, 1), D(2020, 6, 2)), DateAgreement::kWithinTenYears);
  EXPECT_EQ(CompareDates(D(2020, 6, 2), D(2019, 6, 1)), DateAgreement::kWithinTenYears);
  // 3653 days (ten years holding three 29 Februaries) is within ten years; 3654 is not.
  EXPECT_EQ(CompareDates(D(1999, 12, 31), D(2009, 12, 31)), DateAgreement::kWithinTenYears);
  EXPECT_EQ(CompareDates(D(1999, 12, 31), D(2010, 1, 1)), DateAgreement::kOther);
  EXPECT_EQ(D(2009, 12, 31).ToDays() - D(1999, 12, 31).ToDays(), 3653);
}

TEST(CompareDates, InvalidDatesAgreeWithNothing) {
  EXPECT_EQ(CompareDates(CivilDate{}, CivilDate{}), DateAgreement::kOther);
  EXPECT_EQ(CompareDates(D(1985, 2, 30), D(1985, 2, 30)), DateAgreement::kOther);
  EXPECT_EQ(CompareDates(D(1985, 7, 12), D(1985, 13, 12)), DateAgreement::kOther);
  EXPECT_EQ(CompareDates(D(1985, 7, 12), D(-1985, 7, 12)), DateAgreement::kOther);
}

TEST(CompareDates, IsSymmetric) {
  const CivilDate dates[] = {D(1985, 7, 12), D(1985, 12, 7), D(1958, 7, 12), D(1985, 7, 21),
                             D(1986, 1, 1),  D(1995, 7, 12), D(1970, 1, 1),  D(2024, 2, 29)};
  for (const auto& a : dates) {
    for (const auto& b : dates) EXPECT_EQ(CompareDates(a, b), CompareDates(b, a));
  }
}

TEST(ComparePostcodes, EachLevel) {
  EXPECT_EQ(ComparePostcodes("SW1A 1AA", "SW1A 1AA"), PostcodeAgreement::kFull);
  EXPECT_EQ(ComparePostcodes("SW1A 1AA", "SW1A 1BB"), PostcodeAgreement::kSector);
  EXPECT_EQ(ComparePostcodes("SW1A 1AA", "SW1A 2AA"), PostcodeAgreement::kDistrict);
  EXPECT_EQ(ComparePostcodes("SW1A 1AA", "SW7 2AZ"), PostcodeAgreement::kArea);
  EXPECT_EQ(ComparePostcodes("SW1A 1AA", "SE1 7PB"), PostcodeAgreement::kOther);
  EXPECT_EQ(ComparePostcodes("M14 5AB", "M1 5AB"), PostcodeAgreement::kArea);
  EXPECT_EQ(ComparePostcodes("M14 5AB", "MK14 5AB"), PostcodeAgreement::kOther);
  EXPECT_EQ(ComparePostcodes("B1 1AA", "B11 1AA"), PostcodeAgreement::kArea);
  EXPECT_EQ(ComparePostcodes("OL12 1YA", "OL12 1YB"), PostcodeAgreement::kSector);
}

TEST(ComparePostcodes, UnspacedPartialAndEmpty) {
  EXPECT_EQ(ComparePostcodes("SW1A1AA", "SW1A 1AA"), PostcodeAgreement::kFull);
  EXPECT_EQ(ComparePostcodes("M145AB", "M14 5XY"), PostcodeAgreement::kSector);
  EXPECT_EQ(ComparePostcodes("SW1A", "SW1A 1AA"), PostcodeAgreement::kDistrict);
  EXPECT_EQ(ComparePostcodes("SW1A", "SW1A"), PostcodeAgreement::kDistrict);
  EXPECT_EQ(ComparePostcodes("SW1A", "SW7"), PostcodeAgreement::kArea);
  EXPECT_EQ(ComparePostcodes("", ""), PostcodeAgreement::kOther);
  EXPECT_EQ(ComparePostcodes("", "SW1A 1AA"), PostcodeAgreement::kOther);
  EXPECT_EQ(ComparePostcodes("12 3", "45 6"), PostcodeAgreement::kOther);  // no letters
  EXPECT_EQ(ComparePostcodes(" ", " "), PostcodeAgreement::kOther);
}

TEST(PostcodeParts, Views) {
  EXPECT_EQ(PostcodeDistrict("SW1A 1AA"), "SW1A");
  EXPECT_EQ(PostcodeSector("SW1A 1AA"), "SW1A 1");
  EXPECT_EQ(PostcodeArea("SW1A 1AA"), "SW");
  EXPECT_EQ(PostcodeDistrict("M14 5AB"), "M14");
  EXPECT_EQ(PostcodeSector("M14 5AB"), "M14 5");
  EXPECT_EQ(PostcodeArea("M14 5AB"), "M");
  EXPECT_EQ(PostcodeDistrict("M145AB"), "M14");
  EXPECT_EQ(PostcodeSector("M145AB"), "M145");
  EXPECT_EQ(PostcodeDistrict("SW1A"), "SW1A");
  EXPECT_EQ(PostcodeSector("SW1A"), "");
  EXPECT_EQ(PostcodeArea("SW1A"), "SW");
  EXPECT_EQ(PostcodeDistrict(""), "");
  EXPECT_EQ(PostcodeSector(""), "");
  EXPECT_EQ(PostcodeArea(""), "");
}

}  // namespace
}  // namespace tessera::resolve
