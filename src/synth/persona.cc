// How one partner system holds one person. A system keeps a record per person (sometimes a
// duplicate or two), and the record carries that system's mistakes: typos, nicknames, swapped
// day and month, placeholders. The record is a pure function of (world seed, person, system,
// record number), so every stage and thread sees the same record for the same person.
#include <algorithm>
#include <cctype>

#include "synth/world.h"

namespace tessera::synth {
namespace {

const SourceInfo kSources[kSourceCount] = {
    {"police_crime", "police", "csv", kPoliceSystem, 0.72, 0.0, true},
    {"police_domestic_abuse", "police", "csv", kPoliceSystem, 0.72, 0.0, false},
    {"police_missing", "police", "jsonl", kPoliceSystem, 0.72, 0.0, false},
    {"csc_children", "childrens_social_care", "csv", kCscSystem, 0.9, 0.35, false},
    {"school_attendance", "education", "csv", kSchoolSystem, 0.97, 0.0, false},
    {"substance_misuse", "substance_misuse", "csv", kSubstanceSystem, 0.85, 0.0, true},
    {"housing", "housing", "csv", kHousingSystem, 0.8, 0.0, false},
    {"fire_safe_well", "fire_rescue", "csv", kFireSystem, 0.0, 0.0, true},
    {"ambulance", "ambulance", "fhir", kAmbulanceSystem, 0.0, 0.6, false},
    {"mental_health", "mental_health", "fhir", kMentalHealthSystem, 0.95, 0.97, false},
    {"probation", "probation", "csv", kProbationSystem, 0.97, 0.0, true},
    {"dwp_worklessness", "dwp", "csv", kDwpSystem, 0.99, 0.0, true},
};

// How careless each system's data entry is, relative to the average.
constexpr double kCareless[] = {
    /* police */ 1.3,    /* csc */ 0.8,       /* school */ 0.5,
    /* substance */ 1.2, /* housing */ 1.0,
    /* fire */ 1.5,      /* ambulance */ 1.6, /* mental health */ 0.6,
    /* probation */ 0.6, /* dwp */ 0.3,
};

struct Accent {
  const char* plain;
  const char* accented;
};
// Real accented spellings of names in the reference lists; the Polish ones are not in CP1252.
constexpr Accent kAccents[] = {
    {"Zoe", "Zoë"},         {"Chloe", "Chloë"},   {"Renee", "Renée"},   {"Sean", "Seán"},
    {"Jose", "José"},       {"Andre", "André"},   {"Noel", "Noël"},     {"Aine", "Áine"},
    {"Siobhan", "Siobhán"}, {"Ciaran", "Ciarán"}, {"Eoin", "Eoin"},     {"Niamh", "Niamh"},
    {"Lukasz", "Łukasz"},   {"Jozef", "Józef"},   {"Zofia", "Zofia"},   {"Rene", "René"},
    {"Amelie", "Amélie"},   {"Leonie", "Léonie"}, {"Sinead", "Sinéad"}, {"Padraig", "Pádraig"},
};

constexpr const char* kKeyboardRows[] = {"qwertyuiop", "asdfghjkl", "zxcvbnm"};

char NeighbourKey(char c, Rng& rng) {
  const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (int row = 0; row < 3; ++row) {
    const std::string_view keys = kKeyboardRows[row];
    const size_t at = keys.find(lower);
    if (at == std::string_view::npos) continue;
    size_t next = at;
    if (at == 0) {
      next = 1;
    } else if (at + 1 == keys.size()) {
      next = at - 1;
    } else {
      next = rng.Chance(0.5) ? at - 1 : at + 1;
    }
    const char out = keys[next];
    return std::isupper(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(out)) : out;
  }
  return c;
}

// One keyboard slip: substitution by a neighbouring key, deletion, insertion or transposition,
// never on the first letter (people rarely get that wrong).
void Typo(std::string& s, Rng& rng) {
  if (s.size() < 3) return;
  // Byte-level slips would split a multi-byte UTF-8 character (Zoë) into invalid bytes, which
  // no keyboard produces: such names keep their spelling.
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return;
  }
  const size_t i = 1 + rng.Below(s.size() - 1);
  switch (rng.Below(4)) {
    case 0:
      s[i] = NeighbourKey(s[i], rng);
      break;
    case 1:
      s.erase(i, 1);
      break;
    case 2:
      s.insert(s.begin() + static_cast<long>(i), NeighbourKey(s[i], rng));
      break;
    default:
      if (i + 1 < s.size())
        std::swap(s[i], s[i + 1]);
      else
        std::swap(s[i - 1], s[i]);
  }
}

bool ReplaceFirst(std::string& s, std::string_view from, std::string_view to, size_t from_pos = 1) {
  const size_t at = s.find(from, from_pos);
  if (at == std::string::npos) return false;
  s.replace(at, from.size(), to);
  return true;
}

// Spelling by ear: what a name sounds like, written down by someone who did not ask.
void Phonetic(std::string& s, Rng& rng) {
  static constexpr std::pair<const char*, const char*> kRules[] = {
      {"ph", "f"},   {"f", "ph"},    {"ck", "k"}, {"ey", "y"}, {"ie", "y"},  {"y", "ie"},
      {"mps", "ms"}, {"son", "sen"}, {"th", "t"}, {"ll", "l"}, {"tt", "t"},  {"nn", "n"},
      {"ss", "s"},   {"l", "ll"},    {"z", "s"},  {"s", "z"},  {"ou", "ow"}, {"ai", "ay"},
      {"ei", "ie"},  {"ch", "tch"},  {"ae", "a"}, {"w", "wh"},
  };
  const size_t start = rng.Below(std::size(kRules));
  for (size_t k = 0; k < std::size(kRules); ++k) {
    const auto& [from, to] = kRules[(start + k) % std::size(kRules)];
    if (ReplaceFirst(s, from, to)) return;
  }
  Typo(s, rng);
}

// Misreads of a scanned or handwritten form.
void Ocr(std::string& s, Rng& rng) {
  static constexpr std::pair<const char*, const char*> kRules[] = {
      {"rn", "m"}, {"m", "rn"}, {"cl", "d"}, {"d", "cl"}, {"e", "c"}, {"h", "b"},
      {"n", "ri"}, {"l", "I"},  {"O", "0"},  {"S", "5"},  {"i", "l"}, {"u", "v"},
  };
  const size_t start = rng.Below(std::size(kRules));
  for (size_t k = 0; k < std::size(kRules); ++k) {
    const auto& [from, to] = kRules[(start + k) % std::size(kRules)];
    if (ReplaceFirst(s, from, to, 0)) return;
  }
}

// A national-format mobile from the number stored for the person.
std::string MobileText(uint64_t mobile) {
  const std::string digits = "0" + std::to_string(mobile);
  return digits.substr(0, 5) + " " + digits.substr(5);
}

uint64_t LocalNumber(uint32_t person, uint8_t record, uint64_t salt, uint64_t modulus) {
  const uint64_t x = static_cast<uint64_t>(person) * 4 + record;
  return (x * 1000003ULL + salt) % modulus;  // 1000003 is prime: a bijection mod 10^k
}

std::string Digits(uint64_t n, int width) {
  std::string s = std::to_string(n);
  if (static_cast<int>(s.size()) < width) s.insert(0, static_cast<size_t>(width) - s.size(), '0');
  return s;
}

}  // namespace

const SourceInfo& InfoOf(Source s) { return kSources[s]; }

std::string FormatNhs(uint64_t nhs) { return Digits(nhs, 10); }

CivilDate DayToDate(int32_t day) { return CivilDate::FromDays(day); }

std::string AddressLine(const Population& pop, uint32_t address) {
  const Address& a = pop.addresses[address];
  std::string line;
  if (a.flat) line = "Flat " + std::to_string(a.flat) + ", ";
  line += std::to_string(a.number);
  line += ' ';
  line += pop.streets[a.street];
  return line;
}

std::string FullAddress(const Population& pop, uint32_t address) {
  return AddressLine(pop, address) + ", " + pop.places[pop.addresses[address].place].name;
}

Persona MakePersona(const Population& pop, const ReferenceData& ref, uint64_t seed,
                    const Mention& m) {
  const SourceInfo& info = kSources[m.source];
  const Person& person = pop.people[m.person];
  const double q = kCareless[info.family];
  // Per-event systems (an ambulance record per call-out) write a fresh record every time.
  const uint64_t record_salt = info.reuse == 0.0 ? m.event : m.system_record;
  Rng rng(DeriveSeed(seed, (static_cast<uint64_t>(m.person) << 8) | info.family, record_salt));
  Persona p;

  const double age = (m.day - person.dob) / 365.2425;

  // Given name: the true one, perhaps accented, perhaps a nickname or an alias.
  uint32_t given = person.given;
  if (info.family == kPoliceSystem && person.alias_given != kNone && rng.Chance(0.5)) {
    given = person.alias_given;
    p.noise |= kNoiseAlias;
  } else if (auto v = ref.given_variants.find(given);
             v != ref.given_variants.end() &&
             rng.Chance(age >= 16 ? 0.07 * (q > 1 ? 1.6 : 1.0) : 0.02)) {
    given = v->second.Pick(rng);
    p.noise |= kNoiseNickname;
  }
  p.given = ref.given_names[given];
  if (person.accented && !info.ascii_only) {
    for (const Accent& a : kAccents) {
      if (p.given == a.plain) p.given = a.accented;
    }
  }
  if (person.middle != kNone && rng.Chance(0.8)) p.middle = ref.given_names[person.middle];

  // Family name as at the day, or as the system last heard it.
  uint32_t family = person.family;
  if (person.name_change_day != kNoDay && m.day < person.name_change_day)
    family = person.birth_family;
  if (family != person.birth_family && rng.Chance(0.1)) {
    family = person.birth_family;
    p.noise |= kNoiseOldSurname;
  }
  p.family = ref.surnames[family];
  if (person.family2 != kNone && family == person.family) {
    if (rng.Chance(0.75)) p.family += "-" + ref.surnames[person.family2];
  }
  if (auto v = ref.surname_variants.find(family);
      v != ref.surname_variants.end() && rng.Chance(0.01 * q)) {
    p.family = ref.surnames[v->second[rng.Below(v->second.size())]];
    p.noise |= kNoiseSurnameVariant;
  }

  if (rng.Chance(0.025 * q)) {
    Typo(p.given, rng);
    p.noise |= kNoiseTypo;
  }
  if (rng.Chance(0.025 * q)) {
    Typo(p.family, rng);
    p.noise |= kNoiseTypo;
  }
  if (rng.Chance(0.02 * q)) {
    Phonetic(p.family, rng);
    p.noise |= kNoisePhonetic;
  }
  if (info.family == kFireSystem && rng.Chance(0.04)) {
    Ocr(rng.Chance(0.5) ? p.given : p.family, rng);
    p.noise |= kNoiseOcr;
  }
  if (rng.Chance(0.004 * q)) {
    std::swap(p.given, p.family);
    p.noise |= kNoiseNamesSwapped;
  }
  if ((info.family == kPoliceSystem || info.family == kAmbulanceSystem) && rng.Chance(0.003 * q)) {
    p.given = "UNKNOWN";
    p.noise |= kNoisePlaceholderName;
  }
  if (age < 1.0 && (info.family == kAmbulanceSystem || info.family == kCscSystem) &&
      rng.Chance(0.3)) {
    p.given = "BABY OF " + ref.surnames[person.family];
    p.middle.clear();
    p.noise |= kNoiseBabyOf;
  }

  // Date of birth.
  const CivilDate dob = DayToDate(person.dob);
  p.dob_year = dob.year;
  p.dob_month = dob.month;
  p.dob_day = dob.day;
  const double missing_dob =
      info.family == kPoliceSystem && m.role != kRoleSuspect ? 0.05 : 0.015 * q;
  if (rng.Chance(missing_dob)) {
    p.dob_missing = true;
    p.noise |= kNoiseMissingDob;
  } else if (rng.Chance(0.003 * q)) {
    p.dob_year = 1900, p.dob_month = 1, p.dob_day = 1;
    p.noise |= kNoisePlaceholderDob;
  } else {
    if (p.dob_day <= 12 && p.dob_day != p.dob_month && rng.Chance(0.012 * q)) {
      std::swap(p.dob_day, p.dob_month);
      p.noise |= kNoiseDobSwap;
    }
    if (rng.Chance(0.008 * q)) {
      // One mistyped digit: it may produce an impossible date, which loads flagged.
      switch (rng.Below(3)) {
        case 0:
          p.dob_day = (p.dob_day / 10) * 10 + static_cast<int>(rng.Below(10));
          break;
        case 1:
          p.dob_month = (p.dob_month / 10) * 10 + static_cast<int>(rng.Below(10));
          break;
        default:
          p.dob_year = (p.dob_year / 10) * 10 + static_cast<int>(rng.Below(10));
          break;
      }
      p.noise |= kNoiseDobTypo;
    }
    if (rng.Chance(0.005 * q)) p.dob_year += rng.Chance(0.5) ? 1 : -1;
  }

  p.sex = rng.Chance(0.01 * q) ? 'U' : (person.sex == kMaleIndex ? 'M' : 'F');

  if (info.nhs_presence > 0 && rng.Chance(info.nhs_presence)) {
    if (rng.Chance(0.004)) {
      p.nhs = "0000000000";
      p.noise |= kNoisePlaceholderNhs;
    } else {
      p.nhs = FormatNhs(person.nhs);
    }
  }

  if (person.mobile && rng.Chance(0.55)) {
    if (rng.Chance(0.012)) {
      static constexpr const char* kDummies[] = {"07000 000000", "01234 567890", "00000 000000",
                                                 "07777 777777"};
      p.phone = kDummies[rng.Below(std::size(kDummies))];
      p.noise |= kNoiseDummyPhone;
    } else {
      p.phone = MobileText(person.mobile);
    }
  }
  if (age >= 16 && rng.Chance(0.25)) {
    std::string local;
    for (char c : ref.given_names[person.given] + "." + ref.surnames[person.family]) {
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '.') {
        local += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
    }
    static constexpr const char* kDomains[] = {"example.com", "example.org", "example.net"};
    p.email = local + std::to_string(m.person % 97) + "@" + kDomains[m.person % 3];
  }

  // The system's own id for this record.
  switch (info.family) {
    case kPoliceSystem:
      p.local_id = "N" + Digits(LocalNumber(m.person, m.system_record, 1234567, 100000000), 8);
      break;
    case kCscSystem:
      p.local_id = "C" + Digits(LocalNumber(m.person, m.system_record, 777, 100000000), 8);
      break;
    case kSchoolSystem:
      p.local_id = "P" + Digits(LocalNumber(m.person, m.system_record, 4242, 1000000000), 9);
      break;
    case kSubstanceSystem:
      p.local_id = "SM" + Digits(LocalNumber(m.person, m.system_record, 99, 10000000), 7);
      break;
    case kHousingSystem:
      p.local_id = "HP" + Digits(LocalNumber(m.person, m.system_record, 5, 10000000), 7);
      break;
    case kMentalHealthSystem:
      p.local_id = "mh-" + Digits(LocalNumber(m.person, m.system_record, 31337, 100000000), 8);
      break;
    case kProbationSystem: {
      const uint64_t n = LocalNumber(m.person, m.system_record, 271828, 26000000);
      p.local_id = std::string(1, static_cast<char>('A' + n / 1000000)) + Digits(n % 1000000, 6);
      break;
    }
    default:
      break;  // fire, ambulance and DWP: set by their renderers
  }
  return p;
}

}  // namespace tessera::synth
