// Validation and normalisation of the UK identifiers that partners send: NHS numbers,
// postcodes, UPRNs, phone numbers, email addresses, police PNC IDs and CRO numbers, and
// National Insurance numbers.
//
// Every function is total over arbitrary bytes: bad input is an InvalidArgument that says what
// was wrong, never a crash or an exception. Normalised forms are canonical: normalising a
// normalised value returns it unchanged, so they can be compared and used as blocking keys.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tessera {

// ---------------------------------------------------------------------------------------------
// NHS number: ten digits, the last a modulus 11 check digit over the first nine (weights 10..2).

// True for exactly ten ASCII digits with a correct check digit.
bool IsValidNhsNumber(std::string_view ten_digits);

// The check digit for nine ASCII digits; nullopt when the input is not nine digits or when the
// check value would be 10 (no NHS number is issued with those nine digits).
std::optional<int> NhsNumberCheckDigit(std::string_view nine_digits);

// "943 476 5919", "943-476-5919", "9434765919" -> "9434765919". Spaces and hyphens between
// digits are dropped; anything else, a count other than ten or a bad check digit is an error.
// Placeholders such as 0000000000 pass the check digit: see IsPlaceholderNhsNumber.
Result<std::string> NormaliseNhsNumber(std::string_view text);

// Numbers starting 999 are reserved for testing and never issued to patients.
bool IsTestRangeNhsNumber(std::string_view ten_digits);

// Values typed when the real number is unknown: one digit repeated (0000000000, 1111111111,
// all of which pass the check digit) and runs such as 0123456789, 1234567890, 9876543210.
bool IsPlaceholderNhsNumber(std::string_view ten_digits);

// ---------------------------------------------------------------------------------------------
// UK postcodes.

struct Postcode {
  std::string normalised;  // "SW1A 1AA"
  std::string outward;     // "SW1A"
  std::string inward;      // "1AA"
  std::string area;        // "SW"
  std::string district;    // "SW1A"
  std::string sector;      // "SW1A 1"
  // NHS pseudo-postcodes ZZ99 9AA: "ZZ99 3VZ" no fixed abode, "ZZ99 3WZ" address not known,
  // "ZZ99 3CZ" England not otherwise specified, and country codes for people living abroad.
  bool pseudo = false;

  friend bool operator==(const Postcode&, const Postcode&) = default;
};

// Case-insensitive and tolerant of missing or extra spaces ("sw1a1aa", " SW1A  1AA "). Checks
// the shape (A9 9AA, A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA, AA9A 9AA) and the Royal Mail letter
// rules; also accepts GIR 0AA and the ZZ99 pseudo-postcodes. It does not check that the
// postcode exists.
Result<Postcode> ParsePostcode(std::string_view text);

// An outward code alone: "sw1a" -> "SW1A", " b33 " -> "B33".
Result<std::string> NormalisePostcodeDistrict(std::string_view text);

// ---------------------------------------------------------------------------------------------
// UPRN (Unique Property Reference Number): 1 to 12 digits; leading zeros are dropped and zero
// itself is not a UPRN. "000010033544614" -> "10033544614".
Result<std::string> NormaliseUprn(std::string_view text);

// ---------------------------------------------------------------------------------------------
// Phone numbers (libphonenumber).

// E.164 ("+447700900123") for a number valid in its region. National numbers are read in
// `default_region` (ISO 3166 alpha-2); an extension is dropped. Ofcom's drama ranges (07700
// 900000-900999, 01632 960000-960999, 020 7946 0000-0999 and the rest) are accepted although
// libphonenumber 8.12 calls some of them invalid, because they are what test and synthetic
// data use.
Result<std::string> NormalisePhone(std::string_view text, std::string_view default_region = "GB");

// True for a number in one of Ofcom's ranges reserved for TV and radio drama, which will never
// be allocated to a subscriber. Takes E.164 ("+447700900123") or a UK national number.
bool IsOfcomDramaNumber(std::string_view number);

// Placeholders typed when the real number is unknown: one digit repeated (00000000000,
// 07777777777), a subscriber part of six repeated digits (07000000000, 07911111111) and runs
// of consecutive digits (01234567890, 07123456789, 09876543210). Takes E.164 or a UK national
// number. Ofcom drama numbers are not placeholders: they are valid test numbers.
bool IsDummyPhone(std::string_view e164);

// ---------------------------------------------------------------------------------------------
// Email addresses.

// Trims, then checks one '@', a local part of 1..64 characters (RFC 5322 dot-atoms: letters,
// digits and !#$%&'*+/=?^_`{|}~-, dots not leading, trailing or doubled) and a domain of at
// least two labels of letters, digits and hyphens (not at either end of a label, 1..63 each,
// the last not all digits), 254 characters at most in all. The whole address is lower-cased:
// the local part is case-sensitive in RFC 5321, but no provider partners use treats it so, and
// record linkage needs "J.Smith@" and "j.smith@" to match. Quoted local parts, address
// literals and non-ASCII (internationalised) addresses are rejected.
Result<std::string> NormaliseEmail(std::string_view text);

// ---------------------------------------------------------------------------------------------
// Police identifiers.
//
// Both carry a check letter: the two-digit year and the serial, written as one number, modulo
// 23, indexed into "ZABCDEFGHJKLMNPQRTUVWXY" (no I, O or S). Confirmed against published
// examples from the Ministry of Justice (hmpps-person-record tests: PNC 2008/0056560Z,
// 1981/0154257C, 79/163001B; CRO 265416/21G, 65656/91H, SF05/482703J, SF83/50058Z).

// The PNC check letter for a two-digit year (0..99) and serial (0..9999999); '\0' outside those.
char PncCheckLetter(int year_two_digits, int serial);

// PNC ID "YYYY/NNNNNNNL" or "YY/NNNNNNNL" (serial 1..7 digits, slash optional) ->
// "YYYY/NNNNNNNL" with the serial zero-padded to 7 digits. Two-digit years 40..99 are 19yy and
// 00..39 are 20yy (the PNC began in the 1970s). Years 1900..2099 only; serial 0 is rejected.
Result<std::string> NormalisePncId(std::string_view text);

// CRO (Criminal Records Office) number "NNNNNN/YYL", serial first (1..6 digits, zero-padded to
// 6) -> "012345/01Z"; the check letter is over YY followed by the 6-digit serial. Also the
// short form "SFYY/NNNNNNL" issued without fingerprints, kept as written because its check
// letter is over YY followed by the serial as written, unpadded.
Result<std::string> NormaliseCroNumber(std::string_view text);

// ---------------------------------------------------------------------------------------------
// National Insurance number "AA999999A" with HMRC's prefix rules: first letter not D, F, I, Q,
// U or V; second not D, F, I, O, Q, U or V; not BG, GB, KN, NK, NT, TN or ZZ; suffix A to D.
// Spaces are removed and letters upper-cased: "ab 12 34 56 c" -> "AB123456C".
Result<std::string> NormaliseNiNumber(std::string_view text);

}  // namespace tessera
