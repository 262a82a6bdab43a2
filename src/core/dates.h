// Calendar dates without time zones, and the parsing of the many ways partners write them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tessera {

// A proleptic Gregorian calendar date. Value type; invalid dates cannot be built through
// FromYmd/Parse, only by aggregate initialisation (check with IsValid()).
struct CivilDate {
  int year = 0;
  int month = 0;  // 1..12
  int day = 0;    // 1..31

  // Checked constructor: NotFound-free, returns InvalidArgument for 2023-02-29 and friends.
  static Result<CivilDate> FromYmd(int year, int month, int day);
  // From days since 1970-01-01 (may be negative).
  static CivilDate FromDays(int64_t days_since_epoch);
  // The UTC date of a time in microseconds since the Unix epoch (a Clock's NowMicros).
  static CivilDate FromMicros(int64_t micros_since_epoch);

  bool IsValid() const;
  int64_t ToDays() const;     // days since 1970-01-01
  int DayOfWeek() const;      // 0 = Monday .. 6 = Sunday
  std::string ToIso() const;  // "YYYY-MM-DD"

  // Whole years from this date (a birth date) to `on`.
  int AgeOn(const CivilDate& on) const;

  friend auto operator<=>(const CivilDate&, const CivilDate&) = default;
  friend bool operator==(const CivilDate&, const CivilDate&) = default;
};

bool IsLeapYear(int year);
int DaysInMonth(int year, int month);

// Date patterns, as written in mapping specs:
//   "yyyy-mm-dd", "dd/mm/yyyy", "mm/dd/yyyy", "yyyymmdd", "dd-mm-yyyy", "dd.mm.yyyy",
//   "dd/mm/yy", "d/m/yyyy" (one or two digits), "dd-MMM-yyyy" (JAN, Feb, march...),
//   "dd MMM yyyy", "yyyy-mm-ddThh:mm:ss" (time part ignored, with optional zone).
// Two-digit years are resolved with `pivot_year`: yy <= pivot_year % 100 → 20yy, else 19yy.
// "dd", "mm" want exactly two digits, "d", "m" one or two. "MMM" takes an English month name
// or its three-letter abbreviation in any case ("Sept" too). In "yyyy-mm-ddThh:mm:ss" the time
// (seconds, fraction and zone optional; 'T' or a space) may be absent, and the date is kept as
// written, not moved to UTC. Years outside 1..9999 are rejected. Other pattern names are
// InvalidArgument. DatePattern is the compiled form, private to dates.cc.
struct DatePattern;

// Parses `text` with `pattern`. InvalidArgument names what was wrong (shape, month 13, day
// 31 in April...). Leading and trailing spaces are ignored.
Result<CivilDate> ParseDate(std::string_view text, std::string_view pattern, int pivot_year = 2025);

// Tries each pattern in order and returns the first that parses.
Result<CivilDate> ParseDateAny(std::string_view text, std::span<const std::string> patterns,
                               int pivot_year = 2025);

// Formats with one of the patterns above (the time part is not written).
Result<std::string> FormatDate(const CivilDate& date, std::string_view pattern);

}  // namespace tessera
