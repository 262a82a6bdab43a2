// Standardisation: partner values in, comparable values out. Raw values are always kept beside
// the standardised ones by the caller; these functions only compute the standard form.
// Internal to ingest.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/dates.h"
#include "core/status.h"

namespace tessera::ingest {

// Values that real systems hold in place of a missing one. A match becomes "missing", never
// evidence. Configurable per hub (and per spec); Defaults() is the shipped list.
//
// Name entries are compared in standard form (upper case, punctuation as spaces), so a spec may
// write "N/K" and it matches the standardised "N K".
struct PlaceholderRules {
  // Whole standardised name values: "UNKNOWN", "NOT KNOWN", "NK", "N K", "NONE", "ANON", ...
  std::vector<std::string> names;
  // Standardised name prefixes, matched on whole words: "BABY OF", "BABY", "UNBORN" ...
  // ("BABY" and "BABY OF SMITH" are placeholders, "BABYCHAM" is not).
  std::vector<std::string> name_prefixes;
  // Dates of birth: "1900-01-01", "1901-01-01", "1800-01-01" ...
  std::vector<CivilDate> dobs;
  // NHS numbers, on top of core's IsPlaceholderNhsNumber (all one digit, 1234567890 ...).
  // Compared on digits only, so "000 000 0000" is fine.
  std::vector<std::string> nhs_numbers;
  // Phones in E.164, on top of core's IsDummyPhone. Compared on digits and '+' only.
  std::vector<std::string> phones_e164;
  // Emails, compared ignoring case: a whole address ("none@none.com"), a local part at any
  // domain ("noemail@"), or any address at a domain ("@noemail.com").
  std::vector<std::string> emails;

  static PlaceholderRules Defaults();

  // An empty name is not a placeholder: it is missing already.
  bool IsPlaceholderName(std::string_view standardised) const;
  bool IsPlaceholderDob(const CivilDate& dob) const;
  bool IsPlaceholderNhs(std::string_view ten_digits) const;
  bool IsPlaceholderPhone(std::string_view e164) const;
  bool IsPlaceholderEmail(std::string_view normalised) const;
};

struct NameParts {
  std::string title;  // "MR", "MRS", "DR" ...
  std::string given;
  std::string middle;  // all middle names, space separated
  std::string family;  // "SMITH-JONES", "O'BRIEN", "VAN DER BERG"
  std::string suffix;  // "JR", "SR", "III" ...
};

// Names to one comparable form: Unicode NFKC, case folded to upper case, transliterated to
// ASCII ("Zoë" -> "ZOE", "Łukasz" -> "LUKASZ", "Сергей" -> "SERGEY": Russian and Greek by
// BGN/PCGN and UN romanisation), letters and digits kept, punctuation other than hyphen and
// apostrophe turned into spaces, runs of spaces collapsed, trimmed. Hyphens and apostrophes
// (’ ‘ ` ´ read as ') are kept only inside a word: "MARY - JANE" -> "MARY JANE". ASCII input
// takes a fast path that never touches ICU and gives the same result. Input past 1024 bytes is
// ignored. Not thread-safe: use one per thread.
//
// The Split functions return standardised parts. A title or suffix is taken only when a name
// word is left ("LORD" alone is a family name); a one-word full name is a family name
// ("MADONNA": family MADONNA, given empty); separate-word particles (VAN, DER, DE, LA, BIN, AL,
// ST ...) join the family name but never take the first word ("VAN MORRISON": given VAN).
class NameStandardiser {
 public:
  static Result<std::unique_ptr<NameStandardiser>> Create();
  virtual ~NameStandardiser() = default;

  // One name field ("  Zoë  o'brien " -> "ZOE O'BRIEN"). Invalid UTF-8 is dropped (decoded as
  // U+FFFD, then removed), never a crash.
  virtual std::string Standardise(std::string_view raw) = 0;

  // "Mrs Joan Mary Smith-Jones Jr" (given names first).
  virtual NameParts SplitFullName(std::string_view raw) = 0;
  // "SMITH-JONES, Joan Mary" (family name, comma, given names, read as by SplitForenames, so
  // "SMITH, JOHN MR" has title MR). Without a comma, falls back to SplitFullName.
  virtual NameParts SplitSurnameFirst(std::string_view raw) = 0;
  // "Joan Mary" -> given JOAN, middle MARY. Titles at the front are taken off even when nothing
  // is left ("Mrs" -> title MRS), titles at the end and suffixes when a forename is left.
  virtual NameParts SplitForenames(std::string_view raw) = 0;
};

// A date of birth is plausible when it is on or after 1900-01-01, not after `on_or_before`
// (the event date, or today), and the person would be at most 120 on that day; otherwise
// InvalidArgument says which. Check IsPlaceholderDob first: 1900-01-01 is a placeholder, a
// missing date rather than an implausible one.
Status CheckDobPlausible(const CivilDate& dob, const CivilDate& on_or_before);

// Phone numbers to E.164 through libphonenumber, which costs ~14 µs a number: this caches by
// raw text (bounded: when full, the cache is emptied and refilled), so repeated numbers in a
// file cost a hash lookup. Returns exactly what NormalisePhone(raw, "GB") returns. Not
// thread-safe.
class PhoneStandardiser {
 public:
  explicit PhoneStandardiser(size_t max_cache_entries = 100000);
  Result<std::string> Standardise(std::string_view raw);

 private:
  size_t max_entries_;
  std::unordered_map<std::string, Result<std::string>> cache_;
};

}  // namespace tessera::ingest
