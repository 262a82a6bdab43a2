// The one search box read into typed terms. The reading is by shape, in this order at each
// word: an email (an '@'); a date ("14/03/1987", "1987-03-14", "14 Mar 1987", "03/1987"); a
// run of digit groups that makes an NHS number (valid check digit) or a UK phone number (as
// ingest normalises phones, so "07700 900123" finds "+447700900123"); a postcode written in
// one or two words, or its sector or district; a year; a house number, which starts address
// words; a street word ("AVENUE"), which takes the word before it into the address; anything
// else with a digit is an identifier (record key, PNC ID, CRO, NI number); the remaining words
// are names, standardised as ingest standardises them.
#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/ascii.h"
#include "core/identifiers.h"
#include "ingest/standardise.h"
#include "search/search.h"

namespace tessera::search {

namespace {

using ascii::IsDigit;
using ascii::IsLetter;

struct Token {
  std::string text;
  bool comma_after = false;  // "SMITH, JOHN": the family name first
};

std::vector<Token> Tokenise(std::string_view text) {
  std::vector<Token> out;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) out.push_back({std::move(current), false});
    current.clear();
  };
  for (char c : text) {
    if (ascii::IsBlank(c) || c == ';') {
      flush();
    } else if (c == ',') {
      flush();
      if (!out.empty()) out.back().comma_after = true;
    } else {
      current.push_back(c);
    }
  }
  flush();
  return out;
}

bool HasDigit(std::string_view s) { return std::any_of(s.begin(), s.end(), IsDigit); }
bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsDigit);
}
bool AllLetters(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsLetter);
}
// Digits and what people put between digit groups of a phone or NHS number.
bool DigitGroup(std::string_view s) {
  if (!HasDigit(s)) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return IsDigit(c) || c == '+' || c == '(' || c == ')' || c == '-';
  });
}
std::string DigitsOf(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (IsDigit(c)) out.push_back(c);
  }
  return out;
}

int CurrentYearBound() { return 2100; }  // a year of birth is 1900..2100 (plausibility is not ours)

bool PlausibleYear(int year) { return year >= 1900 && year <= CurrentYearBound(); }

// A full date in one word.
std::optional<CivilDate> ParseFullDate(std::string_view word) {
  static const std::vector<std::string> kPatterns = {"dd/mm/yyyy", "d/m/yyyy",   "yyyy-mm-dd",
                                                     "dd-mm-yyyy", "dd.mm.yyyy", "dd-MMM-yyyy",
                                                     "dd/mm/yy"};
  if (!HasDigit(word) || word.size() < 6) return std::nullopt;
  auto date = ParseDateAny(word, kPatterns, 2025);
  if (!date.ok() || !PlausibleYear(date->year)) return std::nullopt;
  return *date;
}

// "03/1987", "3/1987", "1987-03": month and year.
std::optional<CivilDate> ParseMonthYear(std::string_view word) {
  size_t sep = word.find_first_of("/-.");
  if (sep == std::string_view::npos || word.find_first_of("/-.", sep + 1) != std::string_view::npos)
    return std::nullopt;
  std::string_view a = word.substr(0, sep);
  std::string_view b = word.substr(sep + 1);
  if (!AllDigits(a) || !AllDigits(b)) return std::nullopt;
  std::string_view month = a.size() <= 2 ? a : b;
  std::string_view year = a.size() <= 2 ? b : a;
  if (year.size() != 4 || month.empty() || month.size() > 2) return std::nullopt;
  int y = std::stoi(std::string(year));
  int m = std::stoi(std::string(month));
  if (!PlausibleYear(y) || m < 1 || m > 12) return std::nullopt;
  return CivilDate{y, m, 1};
}

// An English month name or abbreviation ("Mar", "march", "Sept"): its number, or 0.
int MonthNumber(std::string_view word) {
  if (!AllLetters(word) || word.size() < 3) return 0;
  auto date = ParseDate("01 " + std::string(word) + " 2000", "dd MMM yyyy");
  return date.ok() ? date->month : 0;
}

const std::set<std::string, std::less<>>& StreetWords() {
  static const std::set<std::string, std::less<>> kWords = {
      "ROAD",  "RD",      "STREET",  "ST",     "AVENUE", "AVE",   "LANE",     "LN",
      "CLOSE", "DRIVE",   "DR",      "WAY",    "GROVE",  "PLACE", "CRESCENT", "COURT",
      "WALK",  "TERRACE", "GARDENS", "SQUARE", "HILL",   "PARK",  "MEWS",     "ROW",
      "VIEW",  "GREEN",   "RISE",    "FOLD",   "BROW",   "BANK",  "FLAT",     "HOUSE"};
  return kWords;
}

const std::set<std::string, std::less<>>& Titles() {
  static const std::set<std::string, std::less<>> kTitles = {"MR", "MRS", "MS",  "MISS", "MX",
                                                             "DR", "REV", "SIR", "PROF"};
  return kTitles;
}

// Name words to ingest's standard form ("Zoë" -> "ZOE"). ICU-backed, one per thread.
std::string StandardiseName(std::string_view word) {
  thread_local std::unique_ptr<ingest::NameStandardiser> standardiser = [] {
    auto made = ingest::NameStandardiser::Create();
    return made.ok() ? std::move(made).value() : nullptr;
  }();
  if (standardiser != nullptr) return standardiser->Standardise(word);
  return ascii::UpperCase(word);
}

QueryTerm Term(TermKind kind, std::string value, std::string typed) {
  QueryTerm t;
  t.kind = kind;
  t.value = std::move(value);
  t.typed = std::move(typed);
  return t;
}

QueryTerm DateTerm(TermKind kind, CivilDate date, std::string typed) {
  QueryTerm t = Term(kind, date.ToIso(), std::move(typed));
  if (kind == TermKind::kBirthYear) t.value = std::to_string(date.year);
  if (kind == TermKind::kBirthMonth) t.value = t.value.substr(0, 7);
  t.date = date;
  return t;
}

// A postcode written as `text`: full, sector ("LS6 2") or district ("LS6"); nullopt otherwise.
std::optional<QueryTerm> PostcodeTerm(std::string_view text, bool allow_district) {
  if (auto pc = ParsePostcode(text); pc.ok() && !pc->pseudo) {
    return Term(TermKind::kPostcode, pc->normalised, std::string(text));
  }
  std::string_view t = ascii::TrimBlanks(text);
  size_t space = t.find(' ');
  if (space != std::string_view::npos) {
    std::string_view out = t.substr(0, space);
    std::string_view in = ascii::TrimBlanks(t.substr(space + 1));
    if (in.size() == 1 && IsDigit(in[0]) && out.size() >= 2 && out.size() <= 4) {
      if (auto d = NormalisePostcodeDistrict(out); d.ok()) {
        return Term(TermKind::kPostcodeSector, *d + " " + std::string(in), std::string(text));
      }
    }
    return std::nullopt;
  }
  if (allow_district && t.size() >= 2 && t.size() <= 4 && HasDigit(t) && IsLetter(t[0])) {
    if (auto d = NormalisePostcodeDistrict(t); d.ok()) {
      return Term(TermKind::kPostcodeDistrict, *d, std::string(text));
    }
  }
  return std::nullopt;
}

std::vector<std::string> IdentifierForms(std::string_view typed) {
  std::vector<std::string> forms = {std::string(typed), ascii::UpperCase(typed)};
  if (auto v = NormalisePncId(typed); v.ok()) forms.push_back(*v);
  if (auto v = NormaliseCroNumber(typed); v.ok()) forms.push_back(*v);
  if (auto v = NormaliseNiNumber(typed); v.ok()) forms.push_back(*v);
  std::sort(forms.begin(), forms.end());
  forms.erase(std::unique(forms.begin(), forms.end()), forms.end());
  return forms;
}

}  // namespace

std::string_view TermKindName(TermKind kind) {
  switch (kind) {
    case TermKind::kName:
      return "name";
    case TermKind::kInitial:
      return "initial";
    case TermKind::kDob:
      return "dob";
    case TermKind::kBirthMonth:
      return "birth_month";
    case TermKind::kBirthYear:
      return "birth_year";
    case TermKind::kDobRange:
      return "dob_range";
    case TermKind::kPostcode:
      return "postcode";
    case TermKind::kPostcodeSector:
      return "postcode_sector";
    case TermKind::kPostcodeDistrict:
      return "postcode_district";
    case TermKind::kAddressWords:
      return "address";
    case TermKind::kNhsNumber:
      return "nhs_number";
    case TermKind::kPhone:
      return "phone";
    case TermKind::kEmail:
      return "email";
    case TermKind::kIdentifier:
      return "identifier";
  }
  return "name";
}

std::string ParsedQuery::Describe() const {
  std::string out;
  for (const QueryTerm& t : terms) {
    if (!out.empty()) out += "; ";
    out += std::string(TermKindName(t.kind)) + " " + t.value;
    if (t.kind == TermKind::kName) {
      static constexpr std::string_view kRoles[] = {"", " (given)", " (middle)", " (family)"};
      out += kRoles[static_cast<int>(t.role)];
    }
    if (t.kind == TermKind::kDobRange) out += ".." + t.date_to.ToIso();
    if (t.required) out += " (filter)";
  }
  return out;
}

Result<ParsedQuery> ParseQuery(const SearchQuery& query) {
  if (query.limit < 1 || query.limit > kMaxLimit) {
    return Status::InvalidArgument("limit must be between 1 and " + std::to_string(kMaxLimit) +
                                   ", not " + std::to_string(query.limit));
  }
  if (query.text.size() > 1000) {
    return Status::InvalidArgument("the search text is too long (1000 characters at most)");
  }
  ParsedQuery out;
  out.limit = query.limit;
  out.sources = query.sources;
  std::vector<Token> tokens = Tokenise(query.text);

  struct NameWord {
    std::string value;
    std::string typed;
    bool comma_after;
    bool initial;
    size_t pos;
  };
  std::vector<NameWord> names;
  std::vector<std::string> unusable;
  QueryTerm address;
  address.kind = TermKind::kAddressWords;
  bool in_address = false;  // after a house number, until something else than a word
  size_t address_start = 0;

  auto add_address_word = [&](const std::string& word, const std::string& typed, size_t pos) {
    if (address.words.empty()) address_start = pos;
    address.words.push_back(word);
    if (!address.typed.empty()) address.typed += ' ';
    address.typed += typed;
  };

  // Where each term starts in the text, so that the terms (and the why) keep the typed order.
  std::vector<size_t> starts;
  auto emit = [&](size_t at, QueryTerm term) {
    out.terms.push_back(std::move(term));
    starts.push_back(at);
  };
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& w = tokens[i].text;
    const std::string next = i + 1 < tokens.size() ? tokens[i + 1].text : "";
    const std::string next2 = i + 2 < tokens.size() ? tokens[i + 2].text : "";

    if (w.find('@') != std::string::npos) {
      in_address = false;
      if (auto email = NormaliseEmail(w); email.ok()) {
        emit(i, Term(TermKind::kEmail, *email, w));
      } else {
        unusable.push_back(w);
      }
      continue;
    }
    // "14 Mar 1987", "Mar 1987".
    if (AllDigits(w) && w.size() <= 2 && MonthNumber(next) != 0 && AllDigits(next2) &&
        next2.size() == 4) {
      auto date = CivilDate::FromYmd(std::stoi(next2), MonthNumber(next), std::stoi(w));
      if (date.ok() && PlausibleYear(date->year)) {
        emit(i, DateTerm(TermKind::kDob, *date, w + " " + next + " " + next2));
        i += 2;
        in_address = false;
        continue;
      }
    }
    if (MonthNumber(w) != 0 && AllDigits(next) && next.size() == 4 &&
        PlausibleYear(std::stoi(next))) {
      emit(i, DateTerm(TermKind::kBirthMonth, CivilDate{std::stoi(next), MonthNumber(w), 1},
                       w + " " + next));
      ++i;
      in_address = false;
      continue;
    }
    if (auto date = ParseFullDate(w)) {
      emit(i, DateTerm(TermKind::kDob, *date, w));
      in_address = false;
      continue;
    }
    if (auto month = ParseMonthYear(w)) {
      emit(i, DateTerm(TermKind::kBirthMonth, *month, w));
      in_address = false;
      continue;
    }
    // NHS numbers and phones, written in one word or several digit groups: the longest run of
    // groups (up to four) that reads as one.
    if (DigitGroup(w)) {
      size_t run = 1;
      while (run < 4 && i + run < tokens.size() && DigitGroup(tokens[i + run].text)) ++run;
      bool taken = false;
      for (size_t n = run; n >= 1 && !taken; --n) {
        std::string joined;
        std::string typed;
        for (size_t k = 0; k < n; ++k) {
          joined += tokens[i + k].text;
          typed += (k ? " " : "") + tokens[i + k].text;
        }
        const std::string digits = DigitsOf(joined);
        if (digits.size() == 10 && joined.find('+') == std::string::npos &&
            IsValidNhsNumber(digits)) {
          emit(i, Term(TermKind::kNhsNumber, digits, typed));
          taken = true;
        } else if (digits.size() >= 10) {
          if (auto phone = NormalisePhone(joined, "GB"); phone.ok()) {
            emit(i, Term(TermKind::kPhone, *phone, typed));
            taken = true;
          }
        }
        if (taken) i += n - 1;
      }
      if (taken) {
        in_address = false;
        continue;
      }
    }
    // Postcodes: "LS6 2AB", "LS62AB", "LS6 2", "LS6".
    if (HasDigit(w) && IsLetter(w[0]) && w.size() <= 4 && !next.empty()) {
      if (auto pc = PostcodeTerm(w + " " + next, false)) {
        emit(i, std::move(*pc));
        ++i;
        in_address = false;
        continue;
      }
    }
    if (HasDigit(w) && IsLetter(w[0])) {
      if (auto pc = PostcodeTerm(w, true)) {
        emit(i, std::move(*pc));
        in_address = false;
        continue;
      }
    }
    if (AllDigits(w) && w.size() == 4 && PlausibleYear(std::stoi(w))) {
      emit(i, DateTerm(TermKind::kBirthYear, CivilDate{std::stoi(w), 1, 1}, w));
      in_address = false;
      continue;
    }
    // A house number ("12", "12A") starts an address.
    if (IsDigit(w[0]) && w.size() <= 4 &&
        std::all_of(w.begin(), w.end(), [](char c) { return IsDigit(c) || IsLetter(c); }) &&
        std::count_if(w.begin(), w.end(), IsLetter) <= 1) {
      in_address = true;
      add_address_word(ascii::UpperCase(w), w, i);
      continue;
    }
    if (HasDigit(w)) {
      in_address = false;
      QueryTerm t = Term(TermKind::kIdentifier, ascii::UpperCase(w), w);
      t.variants = IdentifierForms(w);
      emit(i, std::move(t));
      continue;
    }
    std::string word = StandardiseName(w);
    if (word.empty()) {
      if (!std::all_of(w.begin(), w.end(), [](char c) { return c == '-' || c == '.'; }))
        unusable.push_back(w);
      continue;
    }
    if (Titles().contains(word) && names.empty() && !in_address) continue;
    if (in_address || StreetWords().contains(word)) {
      // The street's name is the word before its street word ("ACACIA AVENUE").
      if (!in_address && !names.empty() && !names.back().initial && !names.back().comma_after &&
          names.size() >= 1) {
        add_address_word(names.back().value, names.back().typed, names.back().pos);
        names.pop_back();
      }
      add_address_word(word, w, i);
      // A street word ends the street ("12 ACACIA AVENUE JON SMITH"); FLAT and HOUSE begin one.
      in_address = !StreetWords().contains(word) || word == "FLAT" || word == "HOUSE";
      continue;
    }
    names.push_back({word, w, tokens[i].comma_after, word.size() == 1, i});
  }

  if (!address.words.empty()) {
    address.value = address.typed;
    std::string joined;
    for (const auto& word : address.words) joined += (joined.empty() ? "" : " ") + word;
    address.value = joined;
    // A house number alone is not an address search.
    bool has_word = std::any_of(address.words.begin(), address.words.end(),
                                [](const std::string& s) { return !HasDigit(s); });
    if (has_word) {
      emit(address_start, std::move(address));
    } else {
      for (const auto& word : address.words) unusable.push_back(word);
    }
  }

  // Names: "GIVEN [MIDDLE...] FAMILY", or "FAMILY, GIVEN [MIDDLE...]"; one word alone may be
  // either. Initials are given-name initials.
  std::vector<size_t> full;  // indexes of whole names (not initials)
  for (size_t k = 0; k < names.size(); ++k) {
    if (!names[k].initial) full.push_back(k);
  }
  const bool family_first = !names.empty() && names.front().comma_after && full.size() >= 2;
  for (size_t k = 0; k < names.size(); ++k) {
    const NameWord& n = names[k];
    QueryTerm t = Term(n.initial ? TermKind::kInitial : TermKind::kName, n.value, n.typed);
    if (n.initial) {
      t.role = NameRole::kGiven;
    } else if (full.size() >= 2) {
      const size_t pos = static_cast<size_t>(std::find(full.begin(), full.end(), k) - full.begin());
      if (family_first) {
        t.role = pos == 0 ? NameRole::kFamily : pos == 1 ? NameRole::kGiven : NameRole::kMiddle;
      } else {
        t.role = pos + 1 == full.size() ? NameRole::kFamily
                 : pos == 0             ? NameRole::kGiven
                                        : NameRole::kMiddle;
      }
    } else if (full.size() == 1 && names.size() > 1) {
      t.role = NameRole::kFamily;  // "J SMITH"
    }
    emit(n.pos, std::move(t));
  }

  // Explicit filters, after what was typed.
  if (query.dob_from.has_value() || query.dob_to.has_value()) {
    QueryTerm t;
    t.kind = TermKind::kDobRange;
    t.date = query.dob_from.value_or(CivilDate{1800, 1, 1});
    t.date_to = query.dob_to.value_or(CivilDate{9999, 12, 31});
    if (!t.date.IsValid() || !t.date_to.IsValid()) {
      return Status::InvalidArgument("dob_from and dob_to must be valid dates");
    }
    if (t.date_to < t.date) {
      return Status::InvalidArgument("dob_from " + t.date.ToIso() + " is after dob_to " +
                                     t.date_to.ToIso());
    }
    t.value = t.date.ToIso();
    t.required = true;
    emit(tokens.size(), std::move(t));
  }
  if (!query.postcode.empty()) {
    auto pc = PostcodeTerm(ascii::TrimBlanks(query.postcode), true);
    if (!pc.has_value()) {
      return Status::InvalidArgument("postcode filter " + ascii::QuotedForMessage(query.postcode) +
                                     " is not a postcode, a postcode sector or a district");
    }
    pc->required = true;
    emit(tokens.size() + 1, std::move(*pc));
  }

  std::vector<size_t> order(out.terms.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return starts[a] < starts[b]; });
  std::vector<QueryTerm> sorted;
  for (size_t k : order) sorted.push_back(std::move(out.terms[k]));
  out.terms = std::move(sorted);

  if (out.terms.empty()) {
    if (tokens.empty())
      return Status::InvalidArgument(
          "empty search: type a name, a date of birth, a postcode or an identifier");
    return Status::InvalidArgument("nothing to search for in " +
                                   ascii::QuotedForMessage(query.text));
  }
  const bool only_initials =
      std::all_of(out.terms.begin(), out.terms.end(),
                  [](const QueryTerm& t) { return t.kind == TermKind::kInitial; });
  if (only_initials) {
    return Status::InvalidArgument(
        "an initial alone is too little to search for: add a name, "
        "a date of birth or a postcode");
  }
  return out;
}

}  // namespace tessera::search
