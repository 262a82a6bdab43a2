#include "core/dates.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>

#include "core/ascii.h"

namespace tessera {

namespace {

using ascii::IsBlank;
using ascii::IsDigit;
using ascii::TrimBlanks;

constexpr std::array<std::string_view, 12> kMonthNames = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

// Appends `value` zero-padded to at least `width` digits, with a leading '-' when negative.
void AppendPadded(std::string& out, int64_t value, int width) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  std::string_view digits(buf, static_cast<size_t>(end - buf));
  if (!digits.empty() && digits.front() == '-') {
    out += '-';
    digits.remove_prefix(1);
  }
  for (int i = static_cast<int>(digits.size()); i < width; ++i) out += '0';
  out += digits;
}

// Years a CivilDate may hold once it comes out of FromDays: far beyond any real date, yet small
// enough that every day count and year stays exact in int64 and int.
constexpr int64_t kDaysPer400Years = 146097;
constexpr int64_t kMaxAbsDays = kDaysPer400Years * 2'500'000;  // about a billion years

}  // namespace

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic (Howard Hinnant's days_from_civil / civil_from_days, done in int64 so
// that aggregate-initialised garbage cannot overflow).

bool IsLeapYear(int year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[month - 1];
}

Result<CivilDate> CivilDate::FromYmd(int year, int month, int day) {
  const CivilDate date{year, month, day};
  if (date.IsValid()) return date;
  std::string m = "invalid date ";
  AppendPadded(m, year, 4);
  m += '-';
  AppendPadded(m, month, 2);
  m += '-';
  AppendPadded(m, day, 2);
  if (year < 1 || year > 9999) {
    m += ": year out of range 1..9999";
  } else if (month < 1 || month > 12) {
    m += ": month out of range 1..12";
  } else {
    m += ": ";
    m += kMonthNames[static_cast<size_t>(month - 1)];
    m += " ";
    AppendPadded(m, year, 4);
    m += " has ";
    AppendPadded(m, DaysInMonth(year, month), 1);
    m += " days";
  }
  return Status::InvalidArgument(std::move(m));
}

CivilDate CivilDate::FromMicros(int64_t micros_since_epoch) {
  constexpr int64_t kMicrosPerDay = int64_t{86400} * 1'000'000;
  int64_t days = micros_since_epoch / kMicrosPerDay;
  if (micros_since_epoch % kMicrosPerDay < 0) --days;  // floor, for times before 1970
  return FromDays(days);
}

CivilDate CivilDate::FromDays(int64_t days_since_epoch) {
  const int64_t clamped = std::clamp(days_since_epoch, -kMaxAbsDays, kMaxAbsDays);
  const int64_t z = clamped + 719468;
  const int64_t era = (z >= 0 ? z : z - (kDaysPer400Years - 1)) / kDaysPer400Years;
  const int64_t doe = z - era * kDaysPer400Years;                             // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return CivilDate{static_cast<int>(year), static_cast<int>(month), static_cast<int>(day)};
}

bool CivilDate::IsValid() const {
  return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 &&
         day <= DaysInMonth(year, month);
}

int64_t CivilDate::ToDays() const {
  const int64_t m = month;
  const int64_t y = static_cast<int64_t>(year) - (m <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + static_cast<int64_t>(day) - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * kDaysPer400Years + doe - 719468;
}

int CivilDate::DayOfWeek() const {
  // 1970-01-01 was a Thursday (3).
  return static_cast<int>(((ToDays() % 7) + 7 + 3) % 7);
}

std::string CivilDate::ToIso() const {
  std::string out;
  out.reserve(10);
  AppendPadded(out, year, 4);
  out += '-';
  AppendPadded(out, month, 2);
  out += '-';
  AppendPadded(out, day, 2);
  return out;
}

int CivilDate::AgeOn(const CivilDate& on) const {
  // Someone born on 29 February gets a year older on 1 March in common years, as in UK law.
  int64_t age = static_cast<int64_t>(on.year) - year;
  if (on.month < month || (on.month == month && on.day < day)) --age;
  return static_cast<int>(
      std::clamp<int64_t>(age, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
}

// ---------------------------------------------------------------------------------------------
// Patterns

// A pattern compiled from its text in a mapping spec: the fields and separators, in order.
struct DatePattern {
  enum class Element : uint8_t {
    kYear4,      // yyyy
    kYear2,      // yy, resolved with the pivot year
    kMonth2,     // mm
    kMonth1or2,  // m
    kDay2,       // dd
    kDay1or2,    // d
    kMonthName,  // MMM: "Jan", "JAN", "january", "Sept"
    kTime,       // Thh:mm:ss: optional time and zone, checked and ignored
    kLiteral,
  };
  struct Step {
    Element element = Element::kLiteral;
    char literal = 0;
  };
  static constexpr size_t kMaxSteps = 8;

  std::string_view text;
  std::array<Step, kMaxSteps> steps{};
  size_t size = 0;
};

namespace {

using Element = DatePattern::Element;

constexpr DatePattern Compile(std::string_view text) {
  DatePattern p;
  p.text = text;
  size_t i = 0;
  auto take = [&](std::string_view token) {
    if (text.substr(i, token.size()) != token) return false;
    i += token.size();
    return true;
  };
  while (i < text.size()) {
    DatePattern::Step step;
    if (take("yyyy")) {
      step.element = Element::kYear4;
    } else if (take("yy")) {
      step.element = Element::kYear2;
    } else if (take("mm")) {
      step.element = Element::kMonth2;
    } else if (take("m")) {
      step.element = Element::kMonth1or2;
    } else if (take("dd")) {
      step.element = Element::kDay2;
    } else if (take("d")) {
      step.element = Element::kDay1or2;
    } else if (take("MMM")) {
      step.element = Element::kMonthName;
    } else if (take("Thh:mm:ss")) {
      step.element = Element::kTime;
    } else {
      step.literal = text[i++];
    }
    p.steps[p.size++] = step;
  }
  return p;
}

// The patterns a mapping spec may name (see dates.h). Adding one is one line here.
constexpr std::array<DatePattern, 11> kPatterns = {
    Compile("yyyy-mm-dd"),
    Compile("dd/mm/yyyy"),
    Compile("mm/dd/yyyy"),
    Compile("yyyymmdd"),
    Compile("dd-mm-yyyy"),
    Compile("dd.mm.yyyy"),
    Compile("dd/mm/yy"),
    Compile("d/m/yyyy"),
    Compile("dd-MMM-yyyy"),
    Compile("dd MMM yyyy"),
    Compile("yyyy-mm-ddThh:mm:ss"),
};

const DatePattern* FindPattern(std::string_view text) {
  for (const DatePattern& p : kPatterns) {
    if (p.text == text) return &p;
  }
  return nullptr;
}

Status UnknownPattern(std::string_view pattern) {
  return Status::InvalidArgument("unknown date pattern " + ascii::QuotedForMessage(pattern));
}

// Why a text did not parse, kept as plain values so that ParseDateAny can try pattern after
// pattern without building a message for each miss.
struct ParseFailure {
  enum class Kind : uint8_t {
    kNone,
    kEmpty,
    kTooLong,
    kExpectedDigits,
    kExpectedLiteral,
    kUnknownMonthName,
    kBadTime,
    kTrailing,
    kYearOutOfRange,
    kMonthOutOfRange,
    kDayOutOfRange,
  };
  Kind kind = Kind::kNone;
  size_t position = 0;  // 0-based offset in the trimmed text
  Element element = Element::kLiteral;
  char literal = 0;
  int year = 0;
  int month = 0;
  int day = 0;

  // A value out of range says more than a shape mismatch: the text had the pattern's shape.
  bool ShapeMatched() const { return kind >= Kind::kYearOutOfRange; }
};

// Reads exactly `min_digits`..`max_digits` ASCII digits at `pos`.
bool ReadNumber(std::string_view s, size_t& pos, int min_digits, int max_digits, int& value) {
  int n = 0;
  int v = 0;
  while (n < max_digits && pos < s.size() && IsDigit(s[pos])) {
    v = v * 10 + (s[pos] - '0');
    ++pos;
    ++n;
  }
  if (n < min_digits) return false;
  value = v;
  return true;
}

// Month from an English name or abbreviation, any case; 0 when not a month.
int MonthFromName(std::string_view word) {
  if (word.size() < 3 || word.size() > 9) return 0;
  char lower[9];
  for (size_t i = 0; i < word.size(); ++i) lower[i] = ascii::ToLower(word[i]);
  const std::string_view w(lower, word.size());
  if (w == "sept") return 9;
  for (size_t m = 0; m < kMonthNames.size(); ++m) {
    const std::string_view full = kMonthNames[m];
    if (w.size() != 3 && w.size() != full.size()) continue;
    bool same = true;
    for (size_t i = 0; i < w.size() && same; ++i) same = w[i] == ascii::ToLower(full[i]);
    if (same) return static_cast<int>(m + 1);
  }
  return 0;
}

// The optional time after an ISO date: [Tt ]hh:mm[:ss[.fff]][Z|+hh[:mm]|-hh[:mm]].
bool ReadTime(std::string_view s, size_t& pos) {
  if (pos == s.size()) return true;
  if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return false;
  ++pos;
  int hh = 0;
  int mm = 0;
  int ss = 0;
  if (!ReadNumber(s, pos, 2, 2, hh) || hh > 23) return false;
  if (pos >= s.size() || s[pos] != ':') return false;
  ++pos;
  if (!ReadNumber(s, pos, 2, 2, mm) || mm > 59) return false;
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    if (!ReadNumber(s, pos, 2, 2, ss) || ss > 60) return false;  // 60: a leap second
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      const size_t start = pos;
      while (pos < s.size() && IsDigit(s[pos]) && pos - start < 9) ++pos;
      if (pos == start) return false;
    }
  }
  if (pos == s.size()) return true;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
    return pos == s.size();
  }
  if (s[pos] != '+' && s[pos] != '-') return false;
  ++pos;
  int zh = 0;
  int zm = 0;
  if (!ReadNumber(s, pos, 2, 2, zh) || zh > 23) return false;
  const bool colon = pos < s.size() && s[pos] == ':';
  if (colon) ++pos;
  if ((colon || pos < s.size()) && (!ReadNumber(s, pos, 2, 2, zm) || zm > 59)) return false;
  return pos == s.size();
}

constexpr size_t kMaxDateText = 64;

// Parses trimmed `s` with `p`; on failure fills `why` and returns false. No allocation.
bool ParseWith(std::string_view s, const DatePattern& p, int pivot_year, CivilDate& out,
               ParseFailure& why) {
  if (s.empty()) {
    why.kind = ParseFailure::Kind::kEmpty;
    return false;
  }
  if (s.size() > kMaxDateText) {
    why.kind = ParseFailure::Kind::kTooLong;
    return false;
  }
  int year = 0;
  int month = 0;
  int day = 0;
  size_t pos = 0;
  for (size_t k = 0; k < p.size; ++k) {
    const DatePattern::Step& step = p.steps[k];
    const size_t start = pos;
    bool ok = true;
    switch (step.element) {
      case Element::kYear4:
        ok = ReadNumber(s, pos, 4, 4, year);
        break;
      case Element::kYear2: {
        int yy = 0;
        ok = ReadNumber(s, pos, 2, 2, yy);
        const int pivot = std::clamp(pivot_year, 100, 9999);
        const int century = pivot / 100 * 100;
        year = yy <= pivot % 100 ? century + yy : century - 100 + yy;
        break;
      }
      case Element::kMonth2:
        ok = ReadNumber(s, pos, 2, 2, month);
        break;
      case Element::kMonth1or2:
        ok = ReadNumber(s, pos, 1, 2, month);
        break;
      case Element::kDay2:
        ok = ReadNumber(s, pos, 2, 2, day);
        break;
      case Element::kDay1or2:
        ok = ReadNumber(s, pos, 1, 2, day);
        break;
      case Element::kMonthName: {
        while (pos < s.size() && ascii::IsLetter(s[pos])) ++pos;
        month = MonthFromName(s.substr(start, pos - start));
        if (month == 0) {
          why.kind = ParseFailure::Kind::kUnknownMonthName;
          why.position = start;
          return false;
        }
        break;
      }
      case Element::kTime:
        if (!ReadTime(s, pos)) {
          why.kind = ParseFailure::Kind::kBadTime;
          why.position = start;
          return false;
        }
        break;
      case Element::kLiteral:
        ok = pos < s.size() && s[pos] == step.literal;
        if (ok) ++pos;
        if (!ok) {
          why.kind = ParseFailure::Kind::kExpectedLiteral;
          why.position = start;
          why.literal = step.literal;
          return false;
        }
        break;
    }
    if (!ok) {
      why.kind = ParseFailure::Kind::kExpectedDigits;
      why.position = start;
      why.element = step.element;
      return false;
    }
  }
  if (pos != s.size()) {
    why.kind = ParseFailure::Kind::kTrailing;
    why.position = pos;
    return false;
  }
  why.year = year;
  why.month = month;
  why.day = day;
  if (month < 1 || month > 12) {
    why.kind = ParseFailure::Kind::kMonthOutOfRange;
    return false;
  }
  if (year < 1 || year > 9999) {
    why.kind = ParseFailure::Kind::kYearOutOfRange;
    return false;
  }
  if (day < 1 || day > DaysInMonth(year, month)) {
    why.kind = ParseFailure::Kind::kDayOutOfRange;
    return false;
  }
  out = CivilDate{year, month, day};
  return true;
}

std::string_view DescribeElement(Element e) {
  switch (e) {
    case Element::kYear4:
      return "a 4-digit year";
    case Element::kYear2:
      return "a 2-digit year";
    case Element::kMonth2:
      return "a 2-digit month";
    case Element::kMonth1or2:
      return "a 1- or 2-digit month";
    case Element::kDay2:
      return "a 2-digit day";
    case Element::kDay1or2:
      return "a 1- or 2-digit day";
    case Element::kMonthName:
      return "a month name";
    case Element::kTime:
      return "a time";
    case Element::kLiteral:
      return "a separator";
  }
  return "a field";
}

// "month 13 out of range in '13/13/2020'", "'2020/01/05' does not match 'yyyy-mm-dd': ...".
std::string DescribeFailure(const ParseFailure& why, std::string_view text,
                            std::string_view pattern) {
  std::string m;
  const auto at = [&](size_t pos) {
    m += " at position ";
    AppendPadded(m, static_cast<int64_t>(pos) + 1, 1);
  };
  const auto shape = [&] {
    m = ascii::QuotedForMessage(text);
    m += " does not match date pattern ";
    m += ascii::QuotedForMessage(pattern);
    m += ": ";
  };
  switch (why.kind) {
    case ParseFailure::Kind::kNone:
    case ParseFailure::Kind::kEmpty:
      m = "empty date";
      break;
    case ParseFailure::Kind::kTooLong:
      m = "date text too long (";
      AppendPadded(m, static_cast<int64_t>(text.size()), 1);
      m += " bytes): " + ascii::QuotedForMessage(text);
      break;
    case ParseFailure::Kind::kExpectedDigits:
      shape();
      m += "expected ";
      m += DescribeElement(why.element);
      at(why.position);
      break;
    case ParseFailure::Kind::kExpectedLiteral:
      shape();
      m += "expected ";
      m += ascii::QuotedForMessage(std::string_view(&why.literal, 1));
      at(why.position);
      break;
    case ParseFailure::Kind::kUnknownMonthName:
      shape();
      m += "unknown month name";
      at(why.position);
      break;
    case ParseFailure::Kind::kBadTime:
      shape();
      m += "malformed time or zone";
      at(why.position);
      break;
    case ParseFailure::Kind::kTrailing:
      shape();
      m += "unexpected text";
      at(why.position);
      break;
    case ParseFailure::Kind::kYearOutOfRange:
      m = "year ";
      AppendPadded(m, why.year, 1);
      m += " out of range 1..9999 in " + ascii::QuotedForMessage(text);
      break;
    case ParseFailure::Kind::kMonthOutOfRange:
      m = "month ";
      AppendPadded(m, why.month, 1);
      m += " out of range in " + ascii::QuotedForMessage(text);
      break;
    case ParseFailure::Kind::kDayOutOfRange:
      m = "day ";
      AppendPadded(m, why.day, 1);
      m += " out of range for ";
      m += kMonthNames[static_cast<size_t>(why.month - 1)];
      m += ' ';
      AppendPadded(m, why.year, 1);
      if (why.month == 2 && why.day == 29) m += " (not a leap year)";
      m += " in " + ascii::QuotedForMessage(text);
      break;
  }
  return m;
}

}  // namespace

Result<CivilDate> ParseDate(std::string_view text, std::string_view pattern, int pivot_year) {
  const DatePattern* p = FindPattern(pattern);
  if (p == nullptr) return UnknownPattern(pattern);
  const std::string_view trimmed = TrimBlanks(text);
  CivilDate date;
  ParseFailure why;
  if (ParseWith(trimmed, *p, pivot_year, date, why)) return date;
  return Status::InvalidArgument(DescribeFailure(why, trimmed, p->text));
}

Result<CivilDate> ParseDateAny(std::string_view text, std::span<const std::string> patterns,
                               int pivot_year) {
  if (patterns.empty()) return Status::InvalidArgument("no date patterns to try");
  const std::string_view trimmed = TrimBlanks(text);
  ParseFailure best;
  const DatePattern* best_pattern = nullptr;
  for (const std::string& name : patterns) {
    const DatePattern* p = FindPattern(name);
    if (p == nullptr) return UnknownPattern(name);
    CivilDate date;
    ParseFailure why;
    if (ParseWith(trimmed, *p, pivot_year, date, why)) return date;
    if (best_pattern == nullptr || (why.ShapeMatched() && !best.ShapeMatched())) {
      best = why;
      best_pattern = p;
    }
  }
  std::string m = ascii::QuotedForMessage(trimmed);
  m += " matches none of ";
  AppendPadded(m, static_cast<int64_t>(patterns.size()), 1);
  m += " date patterns; with ";
  m += ascii::QuotedForMessage(best_pattern->text);
  m += ": ";
  m += DescribeFailure(best, trimmed, best_pattern->text);
  return Status::InvalidArgument(std::move(m));
}

Result<std::string> FormatDate(const CivilDate& date, std::string_view pattern) {
  const DatePattern* p = FindPattern(pattern);
  if (p == nullptr) return UnknownPattern(pattern);
  if (!date.IsValid()) {
    return Status::InvalidArgument("cannot format invalid date " + date.ToIso());
  }
  std::string out;
  out.reserve(12);
  for (size_t k = 0; k < p->size; ++k) {
    const DatePattern::Step& step = p->steps[k];
    switch (step.element) {
      case Element::kYear4:
        AppendPadded(out, date.year, 4);
        break;
      case Element::kYear2:
        AppendPadded(out, date.year % 100, 2);
        break;
      case Element::kMonth2:
        AppendPadded(out, date.month, 2);
        break;
      case Element::kMonth1or2:
        AppendPadded(out, date.month, 1);
        break;
      case Element::kDay2:
        AppendPadded(out, date.day, 2);
        break;
      case Element::kDay1or2:
        AppendPadded(out, date.day, 1);
        break;
      case Element::kMonthName:
        out += kMonthNames[static_cast<size_t>(date.month - 1)].substr(0, 3);
        break;
      case Element::kTime:
        break;  // a date has no time of day
      case Element::kLiteral:
        out += step.literal;
        break;
    }
  }
  return out;
}

}  // namespace tessera
