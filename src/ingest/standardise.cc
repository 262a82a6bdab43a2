// Name, date-of-birth and phone standardisation (see standardise.h).
//
// Names take one of two paths. Pure ASCII input (most rows) goes straight to the ASCII rules
// below; anything else is decoded, NFKC-normalised, transliterated to Latin and then ASCII by
// ICU, and finished by the same ASCII rules, so both paths agree on every ASCII input by
// construction.
#include "ingest/standardise.h"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <utility>

#include "core/ascii.h"
#include "core/identifiers.h"

namespace tessera::ingest {

namespace {

using ascii::IsDigit;
using ascii::IsLetter;
using ascii::ToLower;
using ascii::ToUpper;

// No real name is this long; anything past it is ignored so that a hostile field cannot make
// ICU work on megabytes. Applied on both paths, so they still agree.
constexpr size_t kMaxNameBytes = 1024;

// Phone texts longer than this are normalised but not cached, so the cache is bounded in bytes
// as well as in entries (core rejects phone texts over 64 characters anyway).
constexpr size_t kMaxCachedPhoneText = 64;

// ---------------------------------------------------------------------------------------------
// The ASCII rules, shared by both paths.

bool IsAlnum(char c) { return IsLetter(c) || IsDigit(c); }
bool IsJoiner(char c) { return c == '-' || c == '\'' || c == '`'; }

// Yields, one character at a time, the standard form of ASCII text: letters upper-cased,
// letters and digits kept, every other character a word separator, words joined by one space,
// nothing leading or trailing. Hyphens and apostrophes (and backticks, read as apostrophes)
// are kept only inside a word, between two letters or digits: a run of them becomes one
// hyphen if it holds a hyphen, else one apostrophe ("SMITH--JONES" -> "SMITH-JONES"); next to
// a space or at either end they separate words like other punctuation ("MARY - JANE" ->
// "MARY JANE", "'BOB'" -> "BOB"). Non-ASCII bytes separate words too (they only reach here
// from placeholder lists; names reach here as ASCII).
//
// One generator serves Standardise and the placeholder comparisons, which then need neither
// an allocation nor a second copy of the rules.
class StandardChars {
 public:
  explicit StandardChars(std::string_view text) : text_(text) {}

  // The next character, or -1 at the end.
  int Next() {
    if (pending_ >= 0) return std::exchange(pending_, -1);
    bool separated = false;
    char joiner = 0;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (IsAlnum(c)) {
        const char up = ToUpper(c);
        if (!started_) {
          started_ = true;
          return up;
        }
        if (separated) {
          pending_ = up;
          return ' ';
        }
        if (joiner != 0) {
          pending_ = up;
          return joiner;
        }
        return up;
      }
      if (IsJoiner(c)) {
        if (started_ && !separated) joiner = (c == '-' || joiner == '-') ? '-' : '\'';
      } else {
        separated = true;
        joiner = 0;
      }
    }
    return -1;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int pending_ = -1;
  bool started_ = false;
};

void AppendStandardAscii(std::string_view text, std::string& out) {
  StandardChars chars(text);
  for (int c = chars.Next(); c >= 0; c = chars.Next()) out.push_back(static_cast<char>(c));
}

bool IsAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (static_cast<unsigned char>(c) & 0x80) == 0; });
}

bool IsAscii(const icu::UnicodeString& text) {
  const char16_t* p = text.getBuffer();
  return std::all_of(p, p + text.length(), [](char16_t c) { return c < 0x80; });
}

// Code points mapped before NFKC. Apostrophe look-alikes become "'" (NFKC would turn the acute
// accent U+00B4 into a space and a combining mark, splitting "O´BRIEN"); dash look-alikes
// become "-". The Cyrillic soft sign is dropped, as ICAO passport transliteration does
// ("Ольга" -> "OLGA", not "OL'GA"), and the hard sign becomes "a", its sound in Bulgarian
// names ("Първанов" -> "PARVANOV"; it is all but absent from Russian names). U+FFFD, which
// stands for invalid UTF-8, is dropped. Returns -1 to drop.
UChar32 PreMap(UChar32 c) {
  switch (c) {
    case 0x2018:  // left single quotation mark
    case 0x2019:  // right single quotation mark
    case 0x201B:  // single high-reversed-9 quotation mark
    case 0x2032:  // prime
    case 0x00B4:  // acute accent
    case 0x02B9:  // modifier letter prime
    case 0x02BB:  // modifier letter turned comma (okina)
    case 0x02BC:  // modifier letter apostrophe
      return '\'';
    case 0x2010:  // hyphen
    case 0x2011:  // non-breaking hyphen
    case 0x2012:  // figure dash
    case 0x2013:  // en dash
    case 0x2014:  // em dash
    case 0x2015:  // horizontal bar
    case 0x2212:  // minus sign
      return '-';
    case 0x042C:  // Cyrillic capital soft sign
    case 0x044C:  // Cyrillic small soft sign
    case 0xFFFD:  // replacement character
      return -1;
    case 0x042A:  // Cyrillic capital hard sign
      return 0x0410;
    case 0x044A:  // Cyrillic small hard sign
      return 0x0430;
    default:
      return c;
  }
}

// Russian and Greek go through the BGN/PCGN and UN romanisations, the ones British records
// use ("Щукин" -> "SHCHUKIN", "Ιωάννης" -> "IOANNIS"); Any-Latin's defaults for them (ISO 9
// and classical Greek) give "SUKIN" and "IOANNES" once the diacritics go. Any-Latin takes
// every other script, and Latin-ASCII removes what diacritics remain.
constexpr const char* kTransliteratorId =
    "Russian-Latin/BGN; Greek-Latin/UNGEGN; Any-Latin; Latin-ASCII";

// ---------------------------------------------------------------------------------------------
// Titles, suffixes and family-name particles, as standardised words.

constexpr std::string_view kTitles[] = {"MR",   "MRS",  "MS",  "MISS", "MX",  "MSTR", "MASTER",
                                        "DR",   "PROF", "REV", "REVD", "FR",  "SIR",  "DAME",
                                        "LADY", "LORD", "SGT", "CAPT", "CPL", "MAJ",  "COL",
                                        "LT",   "CLLR", "HON", "RT"};
constexpr std::string_view kSuffixes[] = {"JR",  "JNR", "SR",  "SNR", "II",  "III",
                                          "IV",  "PHD", "OBE", "MBE", "CBE", "KBE",
                                          "DBE", "BEM", "QC",  "KC",  "MP",  "ESQ"};
// Separate words that belong to the family name that follows them ("VAN BEETHOVEN", "ST CLAIR",
// "BIN SALMAN"). Prefixes written as part of the word (MAC, MC, O') need nothing: they are
// already one word.
constexpr std::string_view kParticles[] = {
    "VAN", "VON", "DER", "DEN",   "DE", "DA", "DI",  "DU",  "DEL", "DELLA", "LA",  "LE",
    "AL",  "EL",  "BIN", "BINTI", "AP", "ST", "DOS", "DAS", "TER", "TEN",   "BINT"};

template <size_t N>
bool IsOneOf(std::string_view word, const std::string_view (&words)[N]) {
  return std::find(std::begin(words), std::end(words), word) != std::end(words);
}
bool IsTitle(std::string_view word) { return IsOneOf(word, kTitles); }
bool IsSuffix(std::string_view word) { return IsOneOf(word, kSuffixes); }
bool IsParticle(std::string_view word) { return IsOneOf(word, kParticles); }

std::vector<std::string_view> Words(std::string_view standardised) {
  std::vector<std::string_view> words;
  while (!standardised.empty()) {
    const size_t space = standardised.find(' ');
    words.push_back(standardised.substr(0, space));
    if (space == std::string_view::npos) break;
    standardised.remove_prefix(space + 1);
  }
  return words;
}

std::string Join(const std::vector<std::string_view>& words, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end; ++i) {
    if (!out.empty()) out.push_back(' ');
    out.append(words[i]);
  }
  return out;
}

// Takes titles off the front of words[begin, end), leaving at least `keep` words.
std::string TakeTitles(const std::vector<std::string_view>& words, size_t& begin, size_t end,
                       size_t keep) {
  const size_t first = begin;
  while (end - begin > keep && IsTitle(words[begin])) ++begin;
  return Join(words, first, begin);
}

// Takes suffixes off the back of words[begin, end), leaving at least one word.
std::string TakeSuffixes(const std::vector<std::string_view>& words, size_t begin, size_t& end) {
  const size_t last = end;
  while (end - begin > 1 && IsSuffix(words[end - 1])) --end;
  return Join(words, end, last);
}

// ---------------------------------------------------------------------------------------------

class IcuNameStandardiser final : public NameStandardiser {
 public:
  IcuNameStandardiser(const icu::Normalizer2* nfkc, const icu::Normalizer2* nfd,
                      std::unique_ptr<icu::Transliterator> transliterator)
      : nfkc_(nfkc), nfd_(nfd), transliterator_(std::move(transliterator)) {}

  std::string Standardise(std::string_view raw) override {
    raw = raw.substr(0, std::min(raw.size(), kMaxNameBytes));
    std::string out;
    if (IsAscii(raw)) {
      out.reserve(raw.size());
      AppendStandardAscii(raw, out);
    } else {
      AppendStandardAscii(IcuToAscii(raw), out);
    }
    return out;
  }

  // Given names first: [titles] given [middle...] [particles] family [suffixes]. A single word
  // is the family name ("MADONNA": family MADONNA, given empty), because a lone word in a full
  // name field is far more often a surname than a forename. A title or suffix is only taken
  // when a word is left for the name, so "LORD" alone is a family name. Particles join the
  // family name but never take the first word: "VAN MORRISON" is given VAN, family MORRISON.
  NameParts SplitFullName(std::string_view raw) override {
    NameParts parts;
    const std::string standard = Standardise(raw);
    const std::vector<std::string_view> words = Words(standard);
    size_t begin = 0;
    size_t end = words.size();
    parts.title = TakeTitles(words, begin, end, 1);
    parts.suffix = TakeSuffixes(words, begin, end);
    if (begin == end) return parts;
    size_t family = end - 1;
    while (family > begin + 1 && IsParticle(words[family - 1])) --family;
    parts.family = Join(words, family, end);
    if (family > begin) {
      parts.given = std::string(words[begin]);
      parts.middle = Join(words, begin + 1, family);
    }
    return parts;
  }

  // "FAMILY, forenames": the part before the first comma is the family name (a title at its
  // front or a suffix at its end is taken off: "SMITH JR, JOHN"), the rest is read by
  // SplitForenames.
  NameParts SplitSurnameFirst(std::string_view raw) override {
    const size_t comma = raw.find(',');
    if (comma == std::string_view::npos) return SplitFullName(raw);
    NameParts parts = SplitForenames(raw.substr(comma + 1));

    const std::string standard = Standardise(raw.substr(0, comma));
    const std::vector<std::string_view> words = Words(standard);
    size_t begin = 0;
    size_t end = words.size();
    std::string title = TakeTitles(words, begin, end, 1);
    std::string suffix = TakeSuffixes(words, begin, end);
    parts.family = Join(words, begin, end);
    if (parts.title.empty()) parts.title = std::move(title);
    if (parts.suffix.empty()) parts.suffix = std::move(suffix);
    return parts;
  }

  // "[titles] given [middle...] [titles] [suffixes]". A forenames field holding only a title
  // ("MRS") has no forename, so titles are taken even when no word is left. Surname-first
  // systems often write the title last ("SMITH, JOHN MR"), so titles are taken from the end
  // too, once a forename is left. A lone suffix-like word stays a forename: "JR" in a
  // forenames field is more likely initials than "junior".
  NameParts SplitForenames(std::string_view raw) override {
    NameParts parts;
    const std::string standard = Standardise(raw);
    const std::vector<std::string_view> words = Words(standard);
    size_t begin = 0;
    size_t end = words.size();
    parts.title = TakeTitles(words, begin, end, 0);
    parts.suffix = TakeSuffixes(words, begin, end);
    const size_t names_end = end;
    while (end - begin > 1 && IsTitle(words[end - 1])) --end;
    if (end < names_end) {
      const std::string trailing = Join(words, end, names_end);
      parts.title = parts.title.empty() ? trailing : parts.title + " " + trailing;
    }
    if (begin == end) return parts;
    parts.given = std::string(words[begin]);
    parts.middle = Join(words, begin + 1, end);
    return parts;
  }

 private:
  // Decode (invalid UTF-8 becomes U+FFFD and is dropped), NFKC, transliterate, upper-case;
  // then ASCII is kept, other letters and marks ICU could not romanise are dropped, and
  // anything else (symbols, emoji, punctuation) becomes a space.
  std::string IcuToAscii(std::string_view raw) {
    text_.remove();
    const auto* bytes = reinterpret_cast<const uint8_t*>(raw.data());
    const auto length = static_cast<int32_t>(raw.size());
    for (int32_t i = 0; i < length;) {
      UChar32 c = 0;
      U8_NEXT_OR_FFFD(bytes, i, length, c);
      c = PreMap(c);
      if (c >= 0) text_.append(c);
    }

    UErrorCode status = U_ZERO_ERROR;
    nfkc_->normalize(text_, normalised_, status);
    icu::UnicodeString& text = U_SUCCESS(status) ? normalised_ : text_;
    std::string out;
    if (!IsAscii(text) && StripDiacriticsToAscii(text, out)) return out;
    if (!IsAscii(text)) {
      transliterator_->transliterate(text);
      // Latin-ASCII leaves ASCII; full case mapping is for whatever it could not romanise.
      if (!IsAscii(text)) text.toUpper(icu::Locale::getRoot());
    }

    out.clear();
    out.reserve(static_cast<size_t>(text.length()));
    const char16_t* units = text.getBuffer();
    const int32_t units_length = text.length();
    for (int32_t i = 0; i < units_length;) {
      UChar32 c = 0;
      U16_NEXT(units, i, units_length, c);
      if (c < 0x80) {
        out.push_back(static_cast<char>(c));
      } else if ((U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_M_MASK)) == 0) {
        out.push_back(' ');
      }
    }
    return out;
  }

  // Most non-ASCII names are Latin letters with diacritics ("Zoë", "Seán", "Dvořák"), which
  // Latin-ASCII turns into their base letters. Decomposing and dropping the combining
  // diacritics gives the same at a fraction of the cost (standardise_test checks the two agree
  // on every Latin letter); whatever this leaves non-ASCII (Ł, Ø, ß, other scripts) goes
  // through the transliterator. False, with `out` undefined, when it does not apply.
  bool StripDiacriticsToAscii(const icu::UnicodeString& text, std::string& out) {
    UErrorCode status = U_ZERO_ERROR;
    nfd_->normalize(text, decomposed_, status);
    if (U_FAILURE(status)) return false;
    out.clear();
    const char16_t* units = decomposed_.getBuffer();
    for (int32_t i = 0; i < decomposed_.length(); ++i) {
      const char16_t c = units[i];
      if (c >= 0x0300 && c <= 0x036F) continue;  // Combining Diacritical Marks
      if (c >= 0x80) return false;
      out.push_back(static_cast<char>(c));
    }
    return true;
  }

  const icu::Normalizer2* nfkc_;  // owned by ICU
  const icu::Normalizer2* nfd_;   // owned by ICU
  std::unique_ptr<icu::Transliterator> transliterator_;
  icu::UnicodeString text_;  // scratch, reused between calls
  icu::UnicodeString normalised_;
  icu::UnicodeString decomposed_;
};

// Placeholder entries come from specs as typed; input may carry stray spaces. Both go through
// StandardChars, so "N/K" in a list matches the standardised "N K".
bool SameStandardName(std::string_view a, std::string_view b) {
  StandardChars x(a);
  StandardChars y(b);
  for (;;) {
    const int cx = x.Next();
    const int cy = y.Next();
    if (cx != cy) return false;
    if (cx < 0) return true;
  }
}

// True when the words of `prefix` (standardised) begin `name` and end on a word boundary.
bool StartsWithStandardWords(std::string_view name, std::string_view prefix) {
  StandardChars n(name);
  StandardChars p(prefix);
  int cp = p.Next();
  if (cp < 0) return false;  // an empty prefix would match every name
  for (; cp >= 0; cp = p.Next()) {
    if (n.Next() != cp) return false;
  }
  const int after = n.Next();
  return after < 0 || after == ' ';
}

// Compares the digits (and a leading '+') only, so that "000 000 0000" in a spec matches.
bool SameDigits(std::string_view a, std::string_view b) {
  auto next = [](std::string_view s, size_t& i) -> int {
    while (i < s.size() && !IsDigit(s[i]) && s[i] != '+') ++i;
    return i < s.size() ? s[i++] : -1;
  };
  size_t i = 0;
  size_t j = 0;
  for (;;) {
    const int ca = next(a, i);
    const int cb = next(b, j);
    if (ca != cb) return false;
    if (ca < 0) return true;
  }
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLower(a[i]) != ToLower(b[i])) return false;
  }
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

Result<std::unique_ptr<NameStandardiser>> NameStandardiser::Create() {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  if (U_FAILURE(status) || nfkc == nullptr || nfd == nullptr) {
    return Status::Internal(std::string("ICU normalisers unavailable: ") + u_errorName(status));
  }
  std::unique_ptr<icu::Transliterator> transliterator(icu::Transliterator::createInstance(
      icu::UnicodeString::fromUTF8(kTransliteratorId), UTRANS_FORWARD, status));
  if (U_FAILURE(status) || transliterator == nullptr) {
    return Status::Internal(std::string("ICU transliterator \"") + kTransliteratorId +
                            "\" unavailable: " + u_errorName(status));
  }
  return std::unique_ptr<NameStandardiser>(
      std::make_unique<IcuNameStandardiser>(nfkc, nfd, std::move(transliterator)));
}

// ---------------------------------------------------------------------------------------------

PlaceholderRules PlaceholderRules::Defaults() {
  PlaceholderRules rules;
  rules.names = {"UNKNOWN", "NOT KNOWN",      "NOT GIVEN", "NK",      "N K", "NA",   "N A",
                 "NONE",    "ANON",           "ANONYMOUS", "UNNAMED", "TBC", "TEST", "XXX",
                 "ZZZ",     "PERSON UNKNOWN", "NO NAME"};
  rules.name_prefixes = {"BABY OF",   "BABY",      "UNBORN", "INFANT OF",
                         "TWIN 1 OF", "TWIN 2 OF", "UNNAMED"};
  // 1900-01-01 and 1901-01-01 are the usual typed placeholders and SQL Server's datetime zero;
  // 1899-12-30 is day zero of OLE Automation dates (Excel, Access, Delphi) and 1899-12-31 that
  // zero read one day out; 1800-01-01, 1753-01-01 (SQL Server's datetime minimum) and
  // 0001-01-01 (.NET's DateTime.MinValue) are other systems' "no date".
  rules.dobs = {{1900, 1, 1}, {1901, 1, 1}, {1899, 12, 30}, {1899, 12, 31},
                {1800, 1, 1}, {1753, 1, 1}, {1, 1, 1}};
  rules.nhs_numbers = {"0000000000", "1111111111", "9999999999", "1234567890"};
  // Core's IsDummyPhone already recognises the shapes typed for unknown numbers.
  rules.phones_e164 = {};
  rules.emails = {"none@none.com", "noemail@noemail.com", "no@email.com", "unknown@unknown.com",
                  "na@na.com", "test@test.com",
                  // Local parts that are never a person's mailbox, at any domain.
                  "noemail@", "nomail@", "none@", "unknown@", "notknown@", "na@", "no@", "noreply@",
                  "no-reply@", "donotreply@",
                  // Domains that exist only to fill the field. Not example.com: synthetic and
                  // test data use it for addresses that stand for real ones.
                  "@noemail.com", "@none.com", "@unknown.com", "@nomail.com"};
  return rules;
}

bool PlaceholderRules::IsPlaceholderName(std::string_view standardised) const {
  StandardChars probe(standardised);
  if (probe.Next() < 0) return false;  // an empty name is missing already
  for (const std::string& name : names) {
    if (SameStandardName(standardised, name)) return true;
  }
  for (const std::string& prefix : name_prefixes) {
    if (StartsWithStandardWords(standardised, prefix)) return true;
  }
  return false;
}

bool PlaceholderRules::IsPlaceholderDob(const CivilDate& dob) const {
  return std::find(dobs.begin(), dobs.end(), dob) != dobs.end();
}

bool PlaceholderRules::IsPlaceholderNhs(std::string_view ten_digits) const {
  if (IsPlaceholderNhsNumber(ten_digits)) return true;
  return std::any_of(nhs_numbers.begin(), nhs_numbers.end(),
                     [&](const std::string& n) { return SameDigits(n, ten_digits); });
}

bool PlaceholderRules::IsPlaceholderPhone(std::string_view e164) const {
  if (IsDummyPhone(e164)) return true;
  return std::any_of(phones_e164.begin(), phones_e164.end(),
                     [&](const std::string& p) { return SameDigits(p, e164); });
}

bool PlaceholderRules::IsPlaceholderEmail(std::string_view normalised) const {
  normalised = ascii::TrimBlanks(normalised);
  const size_t at = normalised.rfind('@');
  if (normalised.empty() || at == std::string_view::npos) return false;
  const std::string_view local = normalised.substr(0, at);
  const std::string_view domain = normalised.substr(at + 1);
  for (const std::string& entry : emails) {
    const std::string_view e = ascii::TrimBlanks(entry);
    if (e.size() < 2) continue;
    if (e.back() == '@') {
      if (EqualsIgnoringCase(local, e.substr(0, e.size() - 1))) return true;
    } else if (e.front() == '@') {
      if (EqualsIgnoringCase(domain, e.substr(1))) return true;
    } else if (EqualsIgnoringCase(normalised, e)) {
      return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------

// Placeholder dates (1900-01-01 and the rest of PlaceholderRules::dobs) are recognised by the
// caller before this check, so that they become a missing date rather than an implausible one.
Status CheckDobPlausible(const CivilDate& dob, const CivilDate& on_or_before) {
  static constexpr CivilDate kEarliest{1900, 1, 1};
  static constexpr int kMaxAge = 120;
  if (!dob.IsValid()) return Status::InvalidArgument("not a calendar date");
  if (!on_or_before.IsValid()) {
    return Status::InvalidArgument("the date to check against is not a calendar date");
  }
  if (dob < kEarliest) {
    return Status::InvalidArgument(dob.ToIso() + " is before " + kEarliest.ToIso());
  }
  if (dob > on_or_before) {
    return Status::InvalidArgument(dob.ToIso() + " is after " + on_or_before.ToIso());
  }
  const int age = dob.AgeOn(on_or_before);
  if (age > kMaxAge) {
    return Status::InvalidArgument(dob.ToIso() + " makes the person " + std::to_string(age) +
                                   " on " + on_or_before.ToIso() + ", over " +
                                   std::to_string(kMaxAge));
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------

PhoneStandardiser::PhoneStandardiser(size_t max_cache_entries) : max_entries_(max_cache_entries) {}

// When the cache is full it is emptied and refilled: bounded, with no bookkeeping per lookup,
// and a file's repeated numbers are back in it after one miss each.
Result<std::string> PhoneStandardiser::Standardise(std::string_view raw) {
  if (max_entries_ == 0 || raw.size() > kMaxCachedPhoneText) return NormalisePhone(raw);
  std::string key(raw);
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  Result<std::string> e164 = NormalisePhone(raw);
  if (cache_.size() >= max_entries_) cache_.clear();
  cache_.emplace(std::move(key), e164);
  return e164;
}

}  // namespace tessera::ingest
