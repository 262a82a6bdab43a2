#include "core/identifiers.h"

#include <phonenumbers/logger.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <exception>

#include "core/ascii.h"

namespace tessera {

namespace {

using ascii::IsBlank;
using ascii::IsDigit;
using ascii::IsLetter;
using ascii::IsLower;
using ascii::IsUpper;
using ascii::ToLower;
using ascii::ToUpper;
using ascii::TrimBlanks;

bool OneOf(char c, std::string_view set) { return set.find(c) != std::string_view::npos; }

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return IsDigit(c); });
}

std::string Number(int64_t v) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, end);
}

// One digit repeated.
bool AllSameDigit(std::string_view digits) {
  return !digits.empty() && AllDigits(digits) &&
         std::all_of(digits.begin(), digits.end(), [&](char c) { return c == digits[0]; });
}

// Each digit one more (or one less) than the last, wrapping 9 -> 0: 1234567890, 9876543210.
bool ConsecutiveDigits(std::string_view digits) {
  if (digits.size() < 2 || !AllDigits(digits)) return false;
  bool up = true;
  bool down = true;
  for (size_t i = 1; i < digits.size(); ++i) {
    const int prev = digits[i - 1] - '0';
    const int cur = digits[i] - '0';
    up = up && cur == (prev + 1) % 10;
    down = down && cur == (prev + 9) % 10;
  }
  return up || down;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// NHS number

std::optional<int> NhsNumberCheckDigit(std::string_view nine_digits) {
  if (nine_digits.size() != 9 || !AllDigits(nine_digits)) return std::nullopt;
  int sum = 0;
  for (size_t i = 0; i < 9; ++i) sum += (nine_digits[i] - '0') * static_cast<int>(10 - i);
  const int check = 11 - sum % 11;
  if (check == 10) return std::nullopt;
  return check == 11 ? 0 : check;
}

bool IsValidNhsNumber(std::string_view ten_digits) {
  if (ten_digits.size() != 10 || !AllDigits(ten_digits)) return false;
  const std::optional<int> check = NhsNumberCheckDigit(ten_digits.substr(0, 9));
  return check.has_value() && *check == ten_digits[9] - '0';
}

Result<std::string> NormaliseNhsNumber(std::string_view text) {
  const std::string_view trimmed = TrimBlanks(text);
  if (trimmed.empty()) return Status::InvalidArgument("empty NHS number");
  std::string digits;
  digits.reserve(10);
  size_t count = 0;
  for (size_t i = 0; i < trimmed.size(); ++i) {
    const char c = trimmed[i];
    if (IsDigit(c)) {
      if (++count <= 10) digits += c;
    } else if (c != ' ' && c != '-') {
      return Status::InvalidArgument("NHS number " + ascii::QuotedForMessage(trimmed) + " has " +
                                     ascii::QuotedForMessage(std::string_view(&trimmed[i], 1)) +
                                     " at position " + Number(static_cast<int64_t>(i) + 1) +
                                     "; only digits, spaces and hyphens are allowed");
    }
  }
  if (count != 10) {
    return Status::InvalidArgument("NHS number " + ascii::QuotedForMessage(trimmed) + " has " +
                                   Number(static_cast<int64_t>(count)) + " digits; expected 10");
  }
  const std::optional<int> check = NhsNumberCheckDigit(std::string_view(digits).substr(0, 9));
  if (!check.has_value()) {
    return Status::InvalidArgument("NHS number " + ascii::QuotedForMessage(trimmed) +
                                   " is impossible: its first nine digits give check value 10");
  }
  if (*check != digits[9] - '0') {
    return Status::InvalidArgument("NHS number " + ascii::QuotedForMessage(trimmed) +
                                   " has check digit " + std::string(1, digits[9]) + "; expected " +
                                   Number(*check));
  }
  return digits;
}

bool IsTestRangeNhsNumber(std::string_view ten_digits) {
  return ten_digits.size() == 10 && AllDigits(ten_digits) && ten_digits.substr(0, 3) == "999";
}

bool IsPlaceholderNhsNumber(std::string_view ten_digits) {
  if (ten_digits.size() != 10) return false;
  return AllSameDigit(ten_digits) || ConsecutiveDigits(ten_digits);
}

// ---------------------------------------------------------------------------------------------
// Postcodes

namespace {

// A postcode's letters and digits, upper-cased, with whitespace dropped; at most 8 kept (one
// more than the longest postcode, so that overlong input is still reported as such).
struct CompactPostcode {
  std::array<char, 8> chars{};
  size_t size = 0;
  std::string_view view() const { return std::string_view(chars.data(), size); }
};

// Why an outward code is not one, or nullptr.
const char* OutwardProblem(std::string_view out) {
  if (out == "GIR" || out == "ZZ99") return nullptr;
  if (out.size() < 2 || out.size() > 4) return "outward code must be 2 to 4 characters";
  char shape[5] = {};
  for (size_t i = 0; i < out.size(); ++i) {
    shape[i] = IsDigit(out[i]) ? '9' : IsUpper(out[i]) ? 'A' : '?';
  }
  const std::string_view s(shape, out.size());
  if (s != "A9" && s != "A99" && s != "AA9" && s != "AA99" && s != "A9A" && s != "AA9A") {
    return "outward code is not A9, A99, AA9, AA99, A9A or AA9A";
  }
  if (OneOf(out[0], "QVX")) return "Q, V and X are never the first letter";
  if (s[1] == 'A' && OneOf(out[1], "IJZ")) return "I, J and Z are never the second letter";
  if (s == "A9A" && !OneOf(out[2], "ABCDEFGHJKPSTUW")) {
    return "the third character of an A9A outward code must be one of ABCDEFGHJKPSTUW";
  }
  if (s == "AA9A" && !OneOf(out[3], "ABEHMNPRVWXY")) {
    return "the fourth character of an AA9A outward code must be one of ABEHMNPRVWXY";
  }
  return nullptr;
}

// Upper-cases and drops blanks; false on any character that is not an ASCII letter or digit.
bool Compact(std::string_view text, CompactPostcode& out, size_t& bad_at) {
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (IsBlank(c)) continue;
    if (!IsDigit(c) && !IsLetter(c)) {
      bad_at = i;
      return false;
    }
    if (out.size == out.chars.size()) return true;  // too long; the caller reports it
    out.chars[out.size++] = ToUpper(c);
  }
  return true;
}

std::string_view AreaOf(std::string_view outward) {
  size_t n = 0;
  while (n < outward.size() && IsUpper(outward[n])) ++n;
  return outward.substr(0, n);
}

}  // namespace

Result<Postcode> ParsePostcode(std::string_view text) {
  const std::string_view trimmed = TrimBlanks(text);
  const auto fail = [&](std::string_view why) {
    return Status::InvalidArgument("postcode " + ascii::QuotedForMessage(trimmed) + ": " +
                                   std::string(why));
  };
  if (trimmed.empty()) return Status::InvalidArgument("empty postcode");
  CompactPostcode compact;
  size_t bad_at = 0;
  if (!Compact(trimmed, compact, bad_at)) {
    return fail("unexpected character " + ascii::QuotedForMessage(trimmed.substr(bad_at, 1)) +
                " at position " + Number(static_cast<int64_t>(bad_at) + 1));
  }
  const std::string_view all = compact.view();
  if (all.size() < 5 || all.size() > 7) return fail("a postcode has 5 to 7 letters and digits");
  const std::string_view outward = all.substr(0, all.size() - 3);
  const std::string_view inward = all.substr(all.size() - 3);
  if (!IsDigit(inward[0]) || !IsUpper(inward[1]) || !IsUpper(inward[2])) {
    return fail("inward code must be a digit and two letters");
  }
  Postcode p;
  if (outward == "ZZ99") {
    p.pseudo = true;  // NHS pseudo-postcodes use letters the Royal Mail rules forbid (ZZ99 3CZ)
  } else if (outward == "GIR") {
    if (inward != "0AA") return fail("GIR is only GIR 0AA");
  } else {
    if (const char* problem = OutwardProblem(outward)) return fail(problem);
    if (OneOf(inward[1], "CIKMOV") || OneOf(inward[2], "CIKMOV")) {
      return fail("C, I, K, M, O and V are never used in the inward code");
    }
  }
  p.outward = std::string(outward);
  p.inward = std::string(inward);
  p.normalised = p.outward + " " + p.inward;
  p.area = std::string(AreaOf(outward));
  p.district = p.outward;
  p.sector = p.outward + " " + inward[0];
  return p;
}

Result<std::string> NormalisePostcodeDistrict(std::string_view text) {
  const std::string_view trimmed = TrimBlanks(text);
  if (trimmed.empty()) return Status::InvalidArgument("empty postcode district");
  std::string out;
  for (const char c : trimmed) {
    if (!IsDigit(c) && !IsLetter(c)) {
      return Status::InvalidArgument("postcode district " + ascii::QuotedForMessage(trimmed) +
                                     ": only letters and digits are allowed");
    }
    if (out.size() == 5) break;  // too long either way
    out += ToUpper(c);
  }
  if (const char* problem = OutwardProblem(out)) {
    return Status::InvalidArgument("postcode district " + ascii::QuotedForMessage(trimmed) + ": " +
                                   problem);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// UPRN

Result<std::string> NormaliseUprn(std::string_view text) {
  const std::string_view trimmed = TrimBlanks(text);
  if (trimmed.empty()) return Status::InvalidArgument("empty UPRN");
  if (!AllDigits(trimmed)) {
    return Status::InvalidArgument("UPRN " + ascii::QuotedForMessage(trimmed) +
                                   " must be digits only");
  }
  std::string_view digits = trimmed;
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  if (digits == "0")
    return Status::InvalidArgument("UPRN " + ascii::QuotedForMessage(trimmed) + " is zero");
  if (digits.size() > 12) {
    return Status::InvalidArgument("UPRN " + ascii::QuotedForMessage(trimmed) + " has " +
                                   Number(static_cast<int64_t>(digits.size())) +
                                   " significant digits; at most 12");
  }
  return std::string(digits);
}

// ---------------------------------------------------------------------------------------------
// Phone numbers

namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// libphonenumber logs parse failures to stderr; millions of bad rows would flood it.
PhoneNumberUtil& PhoneUtil() {
  static PhoneNumberUtil* const util = [] {
    PhoneNumberUtil* u = PhoneNumberUtil::GetInstance();
    u->SetLogger(new i18n::phonenumbers::NullLogger());  // owned by libphonenumber
    return u;
  }();
  return *util;
}

std::string_view ParseErrorText(PhoneNumberUtil::ErrorType e) {
  switch (e) {
    case PhoneNumberUtil::NO_PARSING_ERROR:
      return "no error";
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
      return "no valid country code";
    case PhoneNumberUtil::NOT_A_NUMBER:
      return "not a phone number";
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
      return "too short after the international prefix";
    case PhoneNumberUtil::TOO_SHORT_NSN:
      return "too short";
    case PhoneNumberUtil::TOO_LONG_NSN:
      return "too long";
  }
  return "unparseable";
}

// The digits of a UK national significant number (no leading 0 or +44), or empty.
std::string UkNationalDigits(std::string_view number) {
  std::string digits;
  const std::string_view trimmed = TrimBlanks(number);
  for (const char c : trimmed) {
    if (IsDigit(c)) {
      digits += c;
      if (digits.size() > 20) return {};
    } else if (c != ' ' && c != '-' && c != '(' && c != ')' && c != '+') {
      return {};
    }
  }
  if (!trimmed.empty() && trimmed.front() == '+') {
    if (digits.size() < 2 || digits.compare(0, 2, "44") != 0) return {};
    return digits.substr(2);
  }
  if (digits.size() >= 4 && digits.compare(0, 4, "0044") == 0) return digits.substr(4);
  if (!digits.empty() && digits.front() == '0') return digits.substr(1);
  return {};
}

// Ofcom's drama ranges, as the first seven digits of a ten-digit national significant number;
// each covers the thousand numbers that follow.
constexpr std::array<std::string_view, 20> kDramaPrefixes = {
    "1134960", "1144960", "1154960", "1164960", "1174960", "1184960", "1214960",
    "1314960", "1414960", "1514960", "1614960", "1914980", "2079460", "2896496",
    "2920180", "1632960", "7700900", "8081570", "9098790", "3069990",
};

bool IsDramaNational(std::string_view nsn) {
  if (nsn.size() != 10 || !AllDigits(nsn)) return false;
  return std::find(kDramaPrefixes.begin(), kDramaPrefixes.end(), nsn.substr(0, 7)) !=
         kDramaPrefixes.end();
}

constexpr size_t kMaxPhoneText = 64;

}  // namespace

bool IsOfcomDramaNumber(std::string_view number) {
  if (number.size() > kMaxPhoneText) return false;
  return IsDramaNational(UkNationalDigits(number));
}

Result<std::string> NormalisePhone(std::string_view text, std::string_view default_region) {
  const std::string_view trimmed = TrimBlanks(text);
  if (trimmed.empty()) return Status::InvalidArgument("empty phone number");
  if (trimmed.size() > kMaxPhoneText) {
    return Status::InvalidArgument("phone number " + ascii::QuotedForMessage(trimmed) +
                                   " is too long");
  }
  if (default_region.size() != 2 || !IsUpper(default_region[0]) || !IsUpper(default_region[1])) {
    return Status::InvalidArgument("default region " + ascii::QuotedForMessage(default_region) +
                                   " is not an ISO 3166 alpha-2 code");
  }
  try {
    PhoneNumberUtil& util = PhoneUtil();
    PhoneNumber number;
    const PhoneNumberUtil::ErrorType error =
        util.Parse(std::string(trimmed), std::string(default_region), &number);
    if (error != PhoneNumberUtil::NO_PARSING_ERROR) {
      return Status::InvalidArgument("phone number " + ascii::QuotedForMessage(trimmed) + ": " +
                                     std::string(ParseErrorText(error)));
    }
    std::string e164;
    util.Format(number, PhoneNumberUtil::E164, &e164);
    if (!util.IsValidNumber(number) && !IsOfcomDramaNumber(e164)) {
      std::string region;
      util.GetRegionCodeForNumber(number, &region);
      return Status::InvalidArgument(
          "phone number " + ascii::QuotedForMessage(trimmed) + " is not a valid number" +
          (region.empty() || region == "ZZ" ? std::string() : " in " + region));
    }
    return e164;
  } catch (const std::exception& e) {
    return Status::Internal("phone number " + ascii::QuotedForMessage(trimmed) +
                            ": libphonenumber threw " + ascii::QuotedForMessage(e.what()));
  } catch (...) {
    return Status::Internal("phone number " + ascii::QuotedForMessage(trimmed) +
                            ": libphonenumber threw");
  }
}

bool IsDummyPhone(std::string_view e164) {
  if (e164.size() > kMaxPhoneText) return false;
  const std::string_view trimmed = TrimBlanks(e164);
  std::string nsn;
  if (!trimmed.empty() && trimmed.front() == '+' && trimmed.substr(0, 3) != "+44") {
    // Another country: the digits after its country code.
    std::string digits;
    for (const char c : trimmed) {
      if (IsDigit(c)) digits += c;
    }
    try {
      PhoneNumber number;
      if (PhoneUtil().Parse(std::string(trimmed), "ZZ", &number) ==
          PhoneNumberUtil::NO_PARSING_ERROR) {
        const size_t cc_digits = Number(number.country_code()).size();
        nsn = digits.size() > cc_digits ? digits.substr(cc_digits) : std::string();
      }
    } catch (...) {
      return false;
    }
  } else {
    nsn = UkNationalDigits(trimmed);
  }
  if (nsn.size() < 6 || IsDramaNational(nsn)) return false;
  const std::string_view n(nsn);
  return AllSameDigit(n) || AllSameDigit(n.substr(n.size() - 6)) ||
         (n.size() >= 9 && ConsecutiveDigits(n.substr(n.size() - 9)));
}

// ---------------------------------------------------------------------------------------------
// Email

namespace {

bool IsAtext(char c) { return IsLetter(c) || IsDigit(c) || OneOf(c, "!#$%&'*+/=?^_`{|}~-"); }

}  // namespace

Result<std::string> NormaliseEmail(std::string_view text) {
  const std::string_view trimmed = TrimBlanks(text);
  const auto fail = [&](std::string_view why) {
    return Status::InvalidArgument("email address " + ascii::QuotedForMessage(trimmed) + ": " +
                                   std::string(why));
  };
  if (trimmed.empty()) return Status::InvalidArgument("empty email address");
  if (trimmed.size() > 254) return fail("longer than 254 characters");
  const size_t at = trimmed.find('@');
  if (at == std::string_view::npos) return fail("no '@'");
  if (trimmed.find('@', at + 1) != std::string_view::npos) return fail("more than one '@'");
  const std::string_view local = trimmed.substr(0, at);
  const std::string_view domain = trimmed.substr(at + 1);
  if (local.empty()) return fail("nothing before the '@'");
  if (local.size() > 64) return fail("more than 64 characters before the '@'");
  for (size_t i = 0; i < local.size(); ++i) {
    const char c = local[i];
    if (c == '.') {
      if (i == 0 || i + 1 == local.size() || local[i - 1] == '.') {
        return fail("a dot before the '@' may not lead, trail or follow another dot");
      }
    } else if (!IsAtext(c)) {
      return fail("character " + ascii::QuotedForMessage(local.substr(i, 1)) +
                  " is not allowed before the '@'");
    }
  }
  if (domain.empty()) return fail("nothing after the '@'");
  size_t labels = 0;
  size_t start = 0;
  bool last_label_all_digits = false;
  while (start <= domain.size()) {
    size_t end = domain.find('.', start);
    if (end == std::string_view::npos) end = domain.size();
    const std::string_view label = domain.substr(start, end - start);
    if (label.empty()) return fail("empty label in the domain");
    if (label.size() > 63) return fail("a domain label is longer than 63 characters");
    for (const char c : label) {
      if (!IsLetter(c) && !IsDigit(c) && c != '-') {
        return fail("character " + ascii::QuotedForMessage(std::string_view(&c, 1)) +
                    " is not allowed in the domain");
      }
    }
    if (label.front() == '-' || label.back() == '-') {
      return fail("a domain label may not start or end with '-'");
    }
    ++labels;
    last_label_all_digits = AllDigits(label);
    start = end + 1;
  }
  if (labels < 2) return fail("the domain has no dot");
  if (last_label_all_digits) return fail("the top-level domain is all digits");
  std::string out(trimmed);
  for (char& c : out) c = ToLower(c);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Police identifiers

namespace {

constexpr std::string_view kCheckLetters = "ZABCDEFGHJKLMNPQRTUVWXY";

char CheckLetter(int64_t value) { return kCheckLetters[static_cast<size_t>(value % 23)]; }

// Reads a run of digits as a number; false when empty or longer than `max_digits`.
bool DigitsValue(std::string_view s, size_t max_digits, int64_t& value) {
  if (s.empty() || s.size() > max_digits || !AllDigits(s)) return false;
  value = 0;
  for (const char c : s) value = value * 10 + (c - '0');
  return true;
}

std::string PaddedNumber(int64_t v, size_t width) {
  std::string s = Number(v);
  if (s.size() < width) s.insert(0, width - s.size(), '0');
  return s;
}

// Upper-cased copy of trimmed text, or empty when it is too long to be an identifier.
std::string UpperTrimmed(std::string_view text, size_t max_size) {
  const std::string_view trimmed = TrimBlanks(text);
  if (trimmed.size() > max_size) return {};
  std::string out(trimmed);
  for (char& c : out) c = ToUpper(c);
  return out;
}

}  // namespace

char PncCheckLetter(int year_two_digits, int serial) {
  if (year_two_digits < 0 || year_two_digits > 99 || serial < 0 || serial > 9'999'999) return '\0';
  return CheckLetter(int64_t{year_two_digits} * 10'000'000 + serial);
}

Result<std::string> NormalisePncId(std::string_view text) {
  const std::string_view trimmed = TrimBlanks(text);
  if (trimmed.empty()) return Status::InvalidArgument("empty PNC ID");
  const std::string s = UpperTrimmed(trimmed, 16);
  const auto bad_shape = [&] {
    return Status::InvalidArgument("PNC ID " + ascii::QuotedForMessage(trimmed) +
                                   " is not in the form YYYY/NNNNNNNL or YY/NNNNNNNL");
  };
  if (s.size() < 4 || !IsUpper(s.back())) return bad_shape();
  const std::string_view body = std::string_view(s).substr(0, s.size() - 1);
  std::string_view year_text;
  std::string_view serial_text;
  const size_t slash = body.find('/');
  if (slash != std::string_view::npos) {
    year_text = body.substr(0, slash);
    serial_text = body.substr(slash + 1);
  } else if (body.size() == 11) {
    year_text = body.substr(0, 4);
    serial_text = body.substr(4);
  } else if (body.size() >= 3 && body.size() <= 9) {
    year_text = body.substr(0, 2);
    serial_text = body.substr(2);
  } else {
    return bad_shape();
  }
  int64_t year = 0;
  int64_t serial = 0;
  if ((year_text.size() != 2 && year_text.size() != 4) || !DigitsValue(year_text, 4, year) ||
      !DigitsValue(serial_text, 7, serial)) {
    return bad_shape();
  }
  if (year_text.size() == 2) {
    year += year >= 40 ? 1900 : 2000;
  } else if (year < 1900 || year > 2099) {
    return Status::InvalidArgument("PNC ID " + ascii::QuotedForMessage(trimmed) + ": year " +
                                   Number(year) + " out of range 1900..2099");
  }
  if (serial == 0)
    return Status::InvalidArgument("PNC ID " + ascii::QuotedForMessage(trimmed) + ": serial 0");
  const char expected = CheckLetter((year % 100) * 10'000'000 + serial);
  if (s.back() != expected) {
    return Status::InvalidArgument("PNC ID " + ascii::QuotedForMessage(trimmed) +
                                   " has check letter " + std::string(1, s.back()) + "; expected " +
                                   std::string(1, expected));
  }
  return Number(year) + "/" + PaddedNumber(serial, 7) + expected;
}

Result<std::string> NormaliseCroNumber(std::string_view text) {
  const std::string_view trimmed = TrimBlanks(text);
  if (trimmed.empty()) return Status::InvalidArgument("empty CRO number");
  const std::string s = UpperTrimmed(trimmed, 16);
  const auto bad_shape = [&] {
    return Status::InvalidArgument("CRO number " + ascii::QuotedForMessage(trimmed) +
                                   " is not in the form NNNNNN/YYL or SFYY/NNNNNNL");
  };
  if (s.size() < 5 || !IsUpper(s.back())) return bad_shape();
  const char letter = s.back();
  const std::string_view body = std::string_view(s).substr(0, s.size() - 1);
  const size_t slash = body.find('/');
  if (slash == std::string_view::npos) return bad_shape();
  const bool short_form = body.substr(0, 2) == "SF";
  const std::string_view year_text =
      short_form ? body.substr(2, slash - 2) : body.substr(slash + 1);
  const std::string_view serial_text = short_form ? body.substr(slash + 1) : body.substr(0, slash);
  int64_t year = 0;
  int64_t serial = 0;
  if (year_text.size() != 2 || !DigitsValue(year_text, 2, year) ||
      !DigitsValue(serial_text, 6, serial)) {
    return bad_shape();
  }
  if (serial == 0)
    return Status::InvalidArgument("CRO number " + ascii::QuotedForMessage(trimmed) + ": serial 0");
  // The check is over the year followed by the serial, as digits: padded to six in the standard
  // form, as written in the short form.
  int64_t checked = year;
  const size_t serial_width = short_form ? serial_text.size() : 6;
  for (size_t i = 0; i < serial_width; ++i) checked *= 10;
  checked += serial;
  const char expected = CheckLetter(checked);
  if (letter != expected) {
    return Status::InvalidArgument("CRO number " + ascii::QuotedForMessage(trimmed) +
                                   " has check letter " + std::string(1, letter) + "; expected " +
                                   std::string(1, expected));
  }
  if (short_form) return "SF" + std::string(year_text) + "/" + std::string(serial_text) + letter;
  return PaddedNumber(serial, 6) + "/" + std::string(year_text) + letter;
}

// ---------------------------------------------------------------------------------------------
// National Insurance number

Result<std::string> NormaliseNiNumber(std::string_view text) {
  const std::string_view trimmed = TrimBlanks(text);
  if (trimmed.empty()) return Status::InvalidArgument("empty National Insurance number");
  std::string s;
  for (const char c : trimmed) {
    if (c == ' ') continue;
    if (s.size() == 10) break;  // too long either way
    s += ToUpper(c);
  }
  const auto fail = [&](std::string_view why) {
    return Status::InvalidArgument("National Insurance number " + ascii::QuotedForMessage(trimmed) +
                                   ": " + std::string(why));
  };
  if (s.size() != 9 || !IsUpper(s[0]) || !IsUpper(s[1]) ||
      !AllDigits(std::string_view(s).substr(2, 6)) || !IsUpper(s[8])) {
    return fail("not in the form AA999999A");
  }
  if (OneOf(s[0], "DFIQUV")) return fail("D, F, I, Q, U and V are never the first letter");
  if (OneOf(s[1], "DFIOQUV")) return fail("D, F, I, O, Q, U and V are never the second letter");
  const std::string_view prefix = std::string_view(s).substr(0, 2);
  for (const std::string_view banned : {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}) {
    if (prefix == banned) return fail("prefix " + std::string(prefix) + " is never issued");
  }
  if (s[8] < 'A' || s[8] > 'D') return fail("the suffix letter must be A, B, C or D");
  return s;
}

}  // namespace tessera
