// libFuzzer harness for date parsing: every pattern, ParseDateAny, FormatDate and the calendar
// arithmetic, with the invariants a parsed date must keep.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/check.h"
#include "core/dates.h"

namespace {

const std::vector<std::string>& Patterns() {
  static const std::vector<std::string> patterns = {
      "yyyy-mm-dd", "dd/mm/yyyy", "mm/dd/yyyy",  "yyyymmdd",    "dd-mm-yyyy",         "dd.mm.yyyy",
      "dd/mm/yy",   "d/m/yyyy",   "dd-MMM-yyyy", "dd MMM yyyy", "yyyy-mm-ddThh:mm:ss"};
  return patterns;
}

// Calendar arithmetic on whatever the bytes make of a CivilDate: no UB, sane ranges.
void CheckArithmetic(const uint8_t* data, size_t size) {
  int64_t days = 0;
  int32_t fields[3] = {0, 0, 0};
  if (size >= sizeof(days)) std::memcpy(&days, data, sizeof(days));
  if (size >= sizeof(fields)) std::memcpy(fields, data, sizeof(fields));

  const tessera::CivilDate from_days = tessera::CivilDate::FromDays(days);
  CHECK(from_days.month >= 1 && from_days.month <= 12);
  CHECK(from_days.day >= 1 &&
        from_days.day <= tessera::DaysInMonth(from_days.year, from_days.month));
  CHECK(tessera::CivilDate::FromDays(from_days.ToDays()) == from_days);
  const int dow = from_days.DayOfWeek();
  CHECK(dow >= 0 && dow <= 6);

  const tessera::CivilDate raw{fields[0], fields[1], fields[2]};
  (void)raw.IsValid();
  (void)raw.ToDays();
  const int raw_dow = raw.DayOfWeek();
  CHECK(raw_dow >= 0 && raw_dow <= 6);
  (void)raw.ToIso();
  (void)raw.AgeOn(from_days);
  (void)from_days.AgeOn(raw);
  const auto checked = tessera::CivilDate::FromYmd(fields[0], fields[1], fields[2]);
  CHECK(checked.ok() == raw.IsValid());
  if (checked.ok()) {
    CHECK(tessera::CivilDate::FromDays(raw.ToDays()) == raw);
  }
  (void)tessera::IsLeapYear(fields[0]);
  (void)tessera::DaysInMonth(fields[0], fields[1]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // The first byte, when there is one, also picks a pivot year for two-digit years.
  const int pivot = size > 0 ? 1950 + data[0] % 100 : 2025;

  for (const std::string& pattern : Patterns()) {
    const auto parsed = tessera::ParseDate(text, pattern, pivot);
    if (!parsed.ok()) {
      CHECK(parsed.status().code() == tessera::StatusCode::kInvalidArgument);
      CHECK(!parsed.status().message().empty());
      continue;
    }
    const tessera::CivilDate date = *parsed;
    CHECK(date.IsValid());
    CHECK(tessera::CivilDate::FromDays(date.ToDays()) == date);
    const auto iso = tessera::ParseDate(date.ToIso(), "yyyy-mm-dd");
    CHECK(iso.ok() && *iso == date);
    // A parsed date formats back, and the text re-parses to the same date.
    const auto formatted = tessera::FormatDate(date, pattern);
    CHECK(formatted.ok());
    const auto again = tessera::ParseDate(*formatted, pattern, pivot);
    CHECK(again.ok() && *again == date);
  }

  // ParseDateAny returns exactly what the first pattern that parses returns.
  const auto any = tessera::ParseDateAny(text, Patterns(), pivot);
  for (const std::string& pattern : Patterns()) {
    const auto one = tessera::ParseDate(text, pattern, pivot);
    if (one.ok()) {
      CHECK(any.ok() && *any == *one);
      break;
    }
  }
  if (!any.ok()) CHECK(any.status().code() == tessera::StatusCode::kInvalidArgument);

  // The input as a pattern name: unknown patterns are errors, never crashes.
  (void)tessera::ParseDate("2020-01-01", text);
  (void)tessera::FormatDate(tessera::CivilDate{2020, 1, 1}, text);

  CheckArithmetic(data, size);
  return 0;
}
