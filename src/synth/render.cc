// Each partner's dialect. A source's mentions, sorted by date, become rows in that partner's
// own columns, date formats, name conventions and encoding, with a few deliberately broken
// rows; and for each record, a truth row saying who it really is and whether it should load.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unordered_map>
#include <unordered_set>

#include "core/ascii.h"
#include "core/identifiers.h"
#include "synth/world.h"

namespace tessera::synth {
namespace {

enum Malform : uint8_t {
  kClean,
  // The record cannot be loaded: quarantine.
  kWrongColumns,
  kBrokenQuote,
  kBadBytes,
  kBadEventDate,
  kTruncatedJson,
  // A field is bad but the record loads, flagged.
  kBadDob,
  kBadNhs,
  kBadPostcode,
};

bool Quarantines(Malform m) { return m >= kWrongColumns && m <= kTruncatedJson; }

enum class DateStyle { kDmySlash, kIso, kYmd8 };

std::string Pad(int v, int width) {
  std::string s = std::to_string(v < 0 ? -v : v);
  if (static_cast<int>(s.size()) < width) s.insert(0, static_cast<size_t>(width) - s.size(), '0');
  return s;
}

std::string FormatYmd(int y, int m, int d, DateStyle style) {
  switch (style) {
    case DateStyle::kDmySlash:
      return Pad(d, 2) + "/" + Pad(m, 2) + "/" + Pad(y, 4);
    case DateStyle::kIso:
      return Pad(y, 4) + "-" + Pad(m, 2) + "-" + Pad(d, 2);
    case DateStyle::kYmd8:
      return Pad(y, 4) + Pad(m, 2) + Pad(d, 2);
  }
  return {};
}

std::string FormatDay(int32_t day, DateStyle style, bool impossible = false) {
  const CivilDate d = DayToDate(day);
  if (impossible) return FormatYmd(d.year, d.month == 2 ? 13 : 2, 30, style);
  return FormatYmd(d.year, d.month, d.day, style);
}

// Appends `s` with JSON string escaping (quotes included).
void JsonString(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

// UTF-8 to Windows-1252 for the characters our names use; others become '?', as a real
// export from a CP1252 system does.
std::string ToCp1252(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (size_t i = 0; i < utf8.size(); ++i) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if ((c & 0xE0) == 0xC0 && i + 1 < utf8.size()) {
      const unsigned cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(utf8[i + 1]) & 0x3Fu);
      out += cp >= 0xA0 && cp <= 0xFF ? static_cast<char>(cp) : '?';
      ++i;
    } else {
      // Three- and four-byte sequences: skip continuation bytes, write '?'.
      while (i + 1 < utf8.size() && (static_cast<unsigned char>(utf8[i + 1]) & 0xC0) == 0x80) ++i;
      out += '?';
    }
  }
  return out;
}

// Builds one CSV line, quoting as RFC 4180 requires, and breaks it on purpose when asked.
class CsvLine {
 public:
  CsvLine(Malform malform, int target_field) : malform_(malform), target_(target_field) {}

  CsvLine& Field(std::string_view value) {
    if (fields_++) line_ += ',';
    std::string v(value);
    if (fields_ - 1 == target_) {
      if (malform_ == kBrokenQuote) {
        // An unescaped quote inside a quoted field: "O"Brien""
        line_ += '"';
        line_ += v.substr(0, 1);
        line_ += '"';
        line_ += v.substr(1);
        line_ += "\"\"";
        return *this;
      }
      if (malform_ == kBadBytes) v.insert(v.size() / 2, "\xC3\x28\xFF");
    }
    if (v.find_first_of(",\"\r\n") != std::string::npos) {
      line_ += '"';
      for (char c : v) {
        if (c == '"') line_ += '"';
        line_ += c;
      }
      line_ += '"';
    } else {
      line_ += v;
    }
    return *this;
  }

  std::string Finish(std::string_view eol) {
    if (malform_ == kWrongColumns) {
      const size_t last = line_.rfind(',');
      if (fields_ % 2 == 0 && last != std::string::npos) {
        line_.erase(last);  // a field short
      } else {
        line_ += ",";  // a field over
        line_ += "EXTRA";
      }
    }
    line_ += eol;
    return std::move(line_);
  }

 private:
  Malform malform_;
  int target_;
  int fields_ = 0;
  std::string line_;
};

std::string Title(char sex, bool married_woman, Rng& rng) {
  if (sex == 'M') return rng.Chance(0.02) ? "Dr" : "Mr";
  if (sex == 'F') return married_woman ? "Mrs" : (rng.Chance(0.5) ? "Ms" : "Miss");
  return "";
}

// Everything one record of any source needs.
struct Record {
  const Mention* m = nullptr;
  Persona persona;
  Malform malform = kClean;
  std::string postcode;  // as written
  std::string address_line;
  std::string town;
  uint32_t address = kNone;
  Rng rng{0};
  // The given-name field as written, where a source writes forenames together ("Amy Louise").
  std::string forenames;
};

class SourceRenderer {
 public:
  SourceRenderer(Source source, const Population& pop, const ReferenceData& ref, uint64_t seed,
                 double malformed_fraction)
      : source_(source),
        info_(InfoOf(source)),
        pop_(pop),
        ref_(ref),
        seed_(seed),
        malformed_fraction_(malformed_fraction) {}

  Result<RenderedSource> Run(std::vector<Mention>& mentions, const std::string& landing_dir) {
    std::sort(mentions.begin(), mentions.end(), [](const Mention& a, const Mention& b) {
      if (a.day != b.day) return a.day < b.day;
      if (a.event != b.event) return a.event < b.event;
      if (a.role != b.role) return a.role < b.role;
      return a.person < b.person;
    });
    out_.summary.source_id = info_.id;
    out_.summary.agency = info_.agency;
    out_.summary.format = info_.format;
    dir_ = landing_dir + "/" + info_.id;
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) return Status::IoError("cannot create " + dir_ + ": " + ec.message());

    if (std::string_view(info_.format) == "fhir") {
      TRY(RenderFhir(mentions));
    } else {
      TRY(RenderRows(mentions));
    }
    return std::move(out_);
  }

 private:
  Record MakeRecord(const Mention& m, uint64_t row) {
    Record r;
    r.m = &m;
    r.persona = MakePersona(pop_, ref_, seed_, m);
    r.rng = Rng(DeriveSeed(seed_, 0xf00d + source_, row));
    for (int bit = 0; bit < 16; ++bit) {
      if (r.persona.noise & (1u << bit)) ++out_.noise_counts[bit];
    }
    r.address = m.address;
    if (m.address != kNone) {
      const Address& a = pop_.addresses[m.address];
      r.postcode = a.postcode;
      r.address_line = AddressLine(pop_, m.address);
      r.town = pop_.places[a.place].name;
      if (r.rng.Chance(0.04)) {
        r.postcode.clear();  // not recorded
      } else if (r.rng.Chance(0.02)) {
        // Wrong postcode: one character mistyped; usually another real-looking code.
        const size_t i = r.postcode.size() - 1 - r.rng.Below(2);
        r.postcode[i] = static_cast<char>('A' + r.rng.Below(26));
      }
    }
    return r;
  }

  Malform PickMalform(Rng& rng, bool jsonl, bool has_nhs) {
    if (!rng.Chance(malformed_fraction_)) return kClean;
    std::vector<Malform> kinds;
    if (jsonl) {
      kinds = {kTruncatedJson, kBadEventDate, kBadDob, kBadPostcode};
    } else {
      kinds = {kWrongColumns, kBrokenQuote, kBadBytes, kBadEventDate, kBadDob, kBadPostcode};
    }
    if (has_nhs) kinds.push_back(kBadNhs);
    return kinds[rng.Below(kinds.size())];
  }

  void ApplyFieldMalform(Record& r) {
    switch (r.malform) {
      case kBadDob:
        r.persona.dob_missing = false;
        r.persona.dob_month = 2;
        r.persona.dob_day = 30;
        break;
      case kBadNhs:
        if (r.persona.nhs.empty()) r.persona.nhs = FormatNhs(pop_.people[r.m->person].nhs);
        r.persona.nhs.back() = static_cast<char>('0' + (r.persona.nhs.back() - '0' + 1) % 10);
        break;
      case kBadPostcode:
        r.postcode =
            r.rng.Chance(0.5)
                ? "QX1 1ZZ"
                : (r.postcode.empty() ? "M99" : r.postcode.substr(0, r.postcode.size() - 1));
        break;
      default:
        break;
    }
  }

  // The expected outcome of a record as written.
  const char* Outcome(const Record& r) const {
    if (Quarantines(r.malform)) return "quarantine";
    const Persona& p = r.persona;
    if (!p.dob_missing && !(p.dob_year == 1900 && p.dob_month == 1 && p.dob_day == 1)) {
      auto dob = CivilDate::FromYmd(p.dob_year, p.dob_month, p.dob_day);
      if (!dob.ok() || dob->ToDays() > r.m->day || p.dob_year < 1900) return "load_flagged";
    }
    if (!p.nhs.empty() && !IsValidNhsNumber(p.nhs)) return "load_flagged";
    if (!r.postcode.empty() && !ParsePostcode(r.postcode).ok()) return "load_flagged";
    return "load";
  }

  std::string Dob(const Persona& p, DateStyle style) const {
    if (p.dob_missing) return "";
    return FormatYmd(p.dob_year, p.dob_month, p.dob_day, style);
  }

  void AddTruth(const Record& r, std::string record_id) {
    TruthRow t;
    t.record_id = std::move(record_id);
    t.person = r.m->person;
    t.household = pop_.people[r.m->person].household;
    t.address = r.address;
    t.outcome = Outcome(r);
    if (std::string_view(t.outcome) == "quarantine") ++out_.summary.quarantine;
    if (std::string_view(t.outcome) == "load_flagged") ++out_.summary.load_flagged;
    ++out_.summary.rows;
    out_.truth.push_back(std::move(t));
    out_.given.push_back(r.forenames.empty() ? r.persona.given : r.forenames);
    out_.family.push_back(r.persona.family);
    out_.dob_iso.push_back(Dob(r.persona, DateStyle::kIso));
  }

  // A sequential reference for each event, in order of first appearance.
  uint32_t EventNumber(uint64_t event) {
    auto [it, inserted] =
        event_numbers_.emplace(event, static_cast<uint32_t>(event_numbers_.size() + 1));
    return it->second;
  }

  std::string NiNumber(uint32_t person) const {
    static const std::vector<std::string> prefixes = [] {
      std::vector<std::string> out;
      const std::string first = "ABCEGHJKLMNOPRSTWXYZ", second = "ABCEGHJKLMNPRSTWXYZ";
      for (char a : first) {
        for (char b : second) {
          const std::string p{a, b};
          if (p != "BG" && p != "GB" && p != "NK" && p != "KN" && p != "TN" && p != "NT" &&
              p != "ZZ") {
            out.push_back(p);
          }
        }
      }
      return out;
    }();
    const uint64_t space = prefixes.size() * 1000000ULL;
    const uint64_t v = (static_cast<uint64_t>(person) * 1000003ULL + 424242ULL) % space;
    return prefixes[v / 1000000] + Pad(static_cast<int>(v % 1000000), 6) +
           static_cast<char>('A' + person % 4);
  }

  std::string PncId(uint32_t person) const {
    const int yy = static_cast<int>((85 + person % 38) % 100);
    const int serial =
        static_cast<int>((static_cast<uint64_t>(person) * 1000003ULL + 17) % 10000000ULL);
    const int year = yy >= 50 ? 1900 + yy : 2000 + yy;
    return std::to_string(year) + "/" + Pad(serial, 7) + PncCheckLetter(yy, serial);
  }

  Status WriteFile(const std::string& name, const std::string& bytes) {
    std::ofstream f(dir_ + "/" + name, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!f) return Status::IoError("cannot write " + dir_ + "/" + name);
    return Status::Ok();
  }

  // --- CSV and JSON Lines sources ------------------------------------------------------------

  Status RenderRows(const std::vector<Mention>& mentions) {
    std::string body;
    body.reserve(mentions.size() * 180);
    std::string eol = "\n";
    std::string header;
    std::string file = std::string(info_.id) + ".csv";
    switch (source_) {
      case kPoliceCrime:
        header =
            "InvolvementID,CrimeRef,OffenceDate,HOCategory,OffenceDescription,InvolvementType,"
            "NominalID,Name,DateOfBirth,Gender,Address,Postcode,PNCID";
        break;
      case kPoliceDomesticAbuse:
        header =
            "PersonLinkID,DA_Ref,IncidentDate,Role,Forename,Surname,DoB,Sex,AddressLine1,Town,"
            "PostCode,DASHRisk,ContactNumber,NominalID";
        eol = "\r\n";
        break;
      case kPoliceMissing:
        file = "missing_episodes.jsonl";
        break;
      case kCscChildren:
        header =
            "RecordID,ReferralRef,ReferralDate,PersonRole,PersonID,LegalForename,LegalSurname,"
            "DateOfBirth,Gender,Postcode,NHSNumber,Category,PrimaryNeed,CPCategory";
        eol = "\r\n";
        break;
      case kSchoolAttendance:
        header =
            "RecordRef,PupilID,AcademicYear,CensusDate,Forename,MiddleNames,Surname,DOB,Sex,"
            "Postcode,SessionsPossible,SessionsMissed,AbsenceBand";
        break;
      case kSubstanceMisuse:
        header =
            "EpisodeID,ClientRef,ClientName,DateOfBirth,Sex,Postcode,ReferralDate,"
            "PrimarySubstance,ReferralSource";
        break;
      case kHousing:
        header =
            "CaseMemberID,CaseRef,ApproachDate,Relationship,Title,FirstName,LastName,DOB,Gender,"
            "NINO,CurrentAddress,Postcode,NoFixedAbode,Reason,Duty";
        break;
      case kFireSafeWell:
        header =
            "OccupantRecordID,VisitRef,VisitDate,RecordType,Title,Forename,Surname,DateOfBirth,"
            "UPRN,AddressLine,Postcode,Telephone";
        break;
      case kProbation:
        header =
            "RecordID,CRN,PNCNumber,Surname,FirstName,SecondName,DateOfBirth,Gender,Postcode,"
            "SentenceDate,Disposal,OffenceCategory,Tier";
        break;
      case kDwp:
        header = "CLAIM_ID,NINO,SURNAME,FORENAMES,DOB,POSTCODE,BENEFIT,CLAIM_START";
        break;
      default:
        return Status::Internal("not a row source");
    }
    if (!header.empty()) body += header + eol;

    std::unordered_map<std::string, int> crn_events;
    uint64_t row = 0;
    for (const Mention& m : mentions) {
      ++row;
      Record r = MakeRecord(m, row);
      const bool jsonl = source_ == kPoliceMissing;
      const bool has_nhs = source_ == kCscChildren;
      r.malform = PickMalform(r.rng, jsonl, has_nhs);
      ApplyFieldMalform(r);
      const Persona& p = r.persona;
      const bool bad_date = r.malform == kBadEventDate;
      const auto& cat = CategoriesOf(source_)[m.category];
      std::string key;
      std::string line;

      switch (source_) {
        case kPoliceCrime: {
          key = "INV" + Pad(static_cast<int>(row), 8);
          const CivilDate d = DayToDate(m.day);
          static constexpr const char* kInvolvement[] = {"SUBJECT", "VICTIM", "SUSPECT", "OFFENDER",
                                                         "WITNESS"};
          r.forenames = p.given + (p.middle.empty() ? "" : " " + p.middle);
          std::string name = ascii::UpperCase(p.family) + ", " + r.forenames;
          const bool pnc = (m.role == kRoleSuspect || m.role == kRoleOffender) && r.rng.Chance(0.7);
          CsvLine l(r.malform, 7);
          l.Field(key)
              .Field("CR/" + std::to_string(d.year) + "/" +
                     Pad(static_cast<int>(EventNumber(m.event)), 6))
              .Field(FormatDay(m.day, DateStyle::kDmySlash, bad_date))
              .Field(cat.code)
              .Field(cat.label)
              .Field(kInvolvement[std::min<int>(m.role, 4)])
              .Field(p.local_id)
              .Field(name)
              .Field(Dob(p, DateStyle::kDmySlash))
              .Field(std::string(1, p.sex))
              .Field(r.address == kNone ? "" : r.address_line + ", " + r.town)
              .Field(r.postcode)
              .Field(pnc ? PncId(m.person) : "");
          line = l.Finish(eol);
          break;
        }
        case kPoliceDomesticAbuse: {
          key = "DAP" + Pad(static_cast<int>(row), 7);
          static constexpr const char* kRisk[] = {"Standard", "Medium", "High"};
          const char* role = m.role == kRoleVictim    ? "Victim"
                             : m.role == kRoleSuspect ? "Perpetrator"
                                                      : "Child Present";
          CsvLine l(r.malform, 5);
          l.Field(key)
              .Field("DA" + Pad(DayToDate(m.day).year % 100, 2) +
                     Pad(static_cast<int>(EventNumber(m.event)), 6))
              .Field(FormatDay(m.day, DateStyle::kIso, bad_date))
              .Field(role)
              .Field(p.given)
              .Field(p.family)
              .Field(Dob(p, DateStyle::kIso))
              .Field(p.sex == 'U' ? "" : std::string(1, p.sex))
              .Field(r.address_line)
              .Field(r.town)
              .Field(r.postcode)
              .Field(kRisk[std::min<int>(m.severity, 2)])
              .Field(m.role == kRoleChild ? "" : p.phone)
              .Field(p.local_id);
          line = ToCp1252(l.Finish(eol));
          if (r.malform == kBadBytes) {
            // CP1252 leaves 0x81 undefined: a byte no Windows-1252 system can have meant.
            line.insert(line.find(',') + 1, "\x81");
          }
          break;
        }
        case kPoliceMissing: {
          key = "MP-" + std::to_string(DayToDate(m.day).year) + "-" + Pad(static_cast<int>(row), 6);
          static constexpr const char* kRisk[] = {"low", "medium", "high"};
          const int32_t hours = m.detail;
          std::string j = "{\"episode_id\":";
          JsonString(j, key);
          j += ",\"reported_missing\":";
          JsonString(j, FormatDay(m.day, DateStyle::kIso, bad_date) + "T" +
                            Pad(static_cast<int>(r.rng.Below(24)), 2) + ":" +
                            Pad(static_cast<int>(r.rng.Below(60)), 2) + ":00Z");
          j += ",\"duration_hours\":" + std::to_string(hours);
          j += ",\"category\":";
          JsonString(j, m.category == 1 ? "absent" : "missing");
          j += ",\"risk_grading\":";
          JsonString(j, kRisk[std::min<int>(m.severity, 2)]);
          j += ",\"person\":{\"nominal_id\":";
          JsonString(j, p.local_id);
          j += ",\"forenames\":";
          r.forenames = p.given + (p.middle.empty() ? "" : " " + p.middle);
          JsonString(j, r.forenames);
          j += ",\"surname\":";
          JsonString(j, p.family);
          j += ",\"dob\":";
          if (p.dob_missing) {
            j += "null";
          } else {
            JsonString(j, Dob(p, DateStyle::kYmd8));
          }
          j += ",\"gender\":";
          JsonString(j, p.sex == 'M' ? "male" : p.sex == 'F' ? "female" : "unknown");
          j += "},\"home_address\":";
          if (r.address == kNone) {
            j += "null";
          } else {
            j += "{\"line1\":";
            JsonString(j, r.address_line);
            j += ",\"town\":";
            JsonString(j, r.town);
            j += ",\"postcode\":";
            JsonString(j, r.postcode);
            j += "}";
          }
          j += "}";
          if (r.malform == kTruncatedJson) j.resize(j.size() * 2 / 3);
          line = j + "\n";
          break;
        }
        case kCscChildren: {
          key = "CSC" + Pad(static_cast<int>(row), 8);
          static constexpr const char* kNeed[] = {"N1", "N2", "N3", "N4", "N5",
                                                  "N6", "N7", "N8", "N9"};
          static constexpr const char* kCp[] = {"Neglect", "Physical abuse", "Sexual abuse",
                                                "Emotional abuse"};
          const bool plan = m.category == 2;
          CsvLine l(r.malform, 6);
          l.Field(key)
              .Field((plan ? "P" : "R") + Pad(static_cast<int>(EventNumber(m.event)), 7))
              .Field(FormatDay(m.day, DateStyle::kDmySlash, bad_date))
              .Field(m.role == kRoleChild ? "Child" : "Parent")
              .Field(p.local_id)
              .Field(p.given)
              .Field(p.family)
              .Field(Dob(p, DateStyle::kDmySlash))
              .Field(p.sex == 'M'   ? "1"
                     : p.sex == 'F' ? "2"
                                    : "0")
              .Field(r.postcode)
              .Field(p.nhs)
              .Field(cat.code)
              .Field(plan ? "" : kNeed[m.detail % 9])
              .Field(plan ? kCp[m.detail % 4] : "");
          line = l.Finish(eol);
          break;
        }
        case kSchoolAttendance: {
          const int year = DayToDate(m.day).year;
          const std::string academic = Pad((year - 1) % 100, 2) + Pad(year % 100, 2);
          key = p.local_id + "-" + academic;
          const int possible = 320 + static_cast<int>(r.rng.Below(60));
          const int missed = possible * m.detail / 1000;
          CsvLine l(r.malform, 6);
          l.Field(key)
              .Field(p.local_id)
              .Field(std::to_string(year - 1) + "/" + Pad(year % 100, 2))
              .Field(FormatDay(m.day, DateStyle::kYmd8, bad_date))
              .Field(p.given)
              .Field(p.middle)
              .Field(p.family)
              .Field(Dob(p, DateStyle::kYmd8))
              .Field(p.sex == 'U' ? "" : std::string(1, p.sex))
              .Field(r.postcode)
              .Field(std::to_string(possible))
              .Field(std::to_string(missed))
              .Field(cat.label);
          line = l.Finish(eol);
          break;
        }
        case kSubstanceMisuse: {
          key = "EP" + Pad(static_cast<int>(row), 7);
          static constexpr const char* kReferral[] = {"Self", "GP", "Criminal justice", "Hospital",
                                                      "Social care"};
          CsvLine l(r.malform, 2);
          l.Field(key)
              .Field(p.local_id)
              .Field(ascii::UpperCase(p.family) + ", " + p.given)
              .Field(Dob(p, DateStyle::kDmySlash))
              .Field(std::string(1, p.sex))
              .Field(r.postcode)
              .Field(FormatDay(m.day, DateStyle::kDmySlash, bad_date))
              .Field(cat.label)
              .Field(kReferral[r.rng.Below(5)]);
          line = l.Finish(eol);
          break;
        }
        case kHousing: {
          const uint32_t case_no = EventNumber(m.event);
          const int member = ++housing_members_[case_no];
          const std::string case_ref = "HOM" + std::to_string(DayToDate(m.day).year) + "-" +
                                       Pad(static_cast<int>(case_no), 6);
          key = case_ref + "-" + std::to_string(member);
          const bool nfa = m.detail & 1;
          static constexpr const char* kReasons[] = {
              "Domestic abuse", "End of private tenancy",
              "Family or friends no longer willing to accommodate", "Rent arrears", "Other"};
          static constexpr const char* kDuty[] = {"Prevention", "Relief", "Main duty"};
          const char* rel = m.role == kRoleApplicant ? "Applicant"
                            : m.role == kRolePartner ? "Partner"
                                                     : "Child";
          if (nfa) {
            r.address_line.clear();
            r.postcode = "ZZ99 3VZ";
          }
          const Person& person = pop_.people[m.person];
          const bool married = person.birth_family != person.family;
          CsvLine l(r.malform, 6);
          l.Field(key)
              .Field(case_ref)
              .Field(FormatDay(m.day, DateStyle::kIso, bad_date))
              .Field(rel)
              .Field(m.role == kRoleChild ? "" : Title(p.sex, married, r.rng))
              .Field(p.given)
              .Field(p.family)
              .Field(Dob(p, DateStyle::kIso))
              .Field(p.sex == 'M'   ? "Male"
                     : p.sex == 'F' ? "Female"
                                    : "Not known")
              .Field(m.role != kRoleChild && r.rng.Chance(0.4) ? NiNumber(m.person) : "")
              .Field(r.address_line.empty() ? "" : r.address_line + ", " + r.town)
              .Field(r.postcode)
              .Field(nfa ? "Y" : "N")
              .Field(kReasons[(m.detail >> 1) % 5])
              .Field(kDuty[m.category % 3]);
          line = l.Finish(eol);
          if (nfa) r.address = kNone;
          break;
        }
        case kFireSafeWell: {
          key = "F" + Pad(static_cast<int>(row), 8);
          const Person& person = pop_.people[m.person];
          const bool married = person.birth_family != person.family;
          const std::string given = r.rng.Chance(0.3) ? p.given.substr(0, 1) : p.given;  // "J"
          r.forenames = given;
          const bool uprn = r.rng.Chance(0.8);
          CsvLine l(r.malform, 6);
          l.Field(key)
              .Field(std::string(m.category == 0 ? "SAW-" : "DWF-") +
                     std::to_string(DayToDate(m.day).year) + "-" +
                     Pad(static_cast<int>(EventNumber(m.event)), 5))
              .Field(FormatDay(m.day, DateStyle::kYmd8, bad_date))
              .Field(cat.code)
              .Field(Title(p.sex, married, r.rng))
              .Field(given)
              .Field(ascii::UpperCase(p.family))
              .Field(Dob(p, DateStyle::kYmd8))
              .Field(uprn && r.address != kNone ? std::to_string(pop_.addresses[r.address].uprn)
                                                : "")
              .Field(r.address_line)
              .Field(r.postcode)
              .Field(p.phone);
          line = l.Finish(eol);
          break;
        }
        case kProbation: {
          const int event_no = ++crn_events[p.local_id];
          key = p.local_id + "/" + std::to_string(event_no);
          static constexpr const char* kTier[] = {"A1", "B2", "C2", "D3"};
          CsvLine l(r.malform, 3);
          l.Field(key)
              .Field(p.local_id)
              .Field(r.rng.Chance(0.9) ? PncId(m.person) : "")
              .Field(p.family)
              .Field(p.given)
              .Field(p.middle)
              .Field(Dob(p, DateStyle::kIso))
              .Field(p.sex == 'M'   ? "Male"
                     : p.sex == 'F' ? "Female"
                                    : "Unknown")
              .Field(r.postcode)
              .Field(FormatDay(m.day, DateStyle::kIso, bad_date))
              .Field(cat.label)
              .Field(CategoriesOf(kPoliceCrime)[m.detail % 9].label)
              .Field(kTier[m.severity % 4]);
          line = l.Finish(eol);
          break;
        }
        case kDwp: {
          key = "CL" + Pad(static_cast<int>(row), 9);
          CsvLine l(r.malform, 2);
          l.Field(key)
              .Field(NiNumber(m.person))
              .Field(ascii::UpperCase(p.family))
              .Field(ascii::UpperCase(r.forenames =
                                          p.given + (p.middle.empty() ? "" : " " + p.middle)))
              .Field(Dob(p, DateStyle::kDmySlash))
              .Field(r.postcode)
              .Field(cat.code)
              .Field(FormatDay(m.day, DateStyle::kDmySlash, bad_date));
          line = l.Finish(eol);
          break;
        }
        default:
          break;
      }
      if (source_ == kPoliceMissing && r.malform == kBadBytes) r.malform = kTruncatedJson;
      body += line;
      AddTruth(r, key);
    }

    if (source_ == kCscChildren) body.insert(0, "\xEF\xBB\xBF");  // UTF-8 byte order mark
    return WriteFile(file, body);
  }

  // --- FHIR R4 transaction Bundles -----------------------------------------------------------

  Status RenderFhir(const std::vector<Mention>& mentions) {
    constexpr size_t kEncountersPerBundle = 500;
    const bool ambulance = source_ == kAmbulance;
    std::unordered_map<std::string, std::string> patients;  // id -> resource JSON
    std::string bundle;
    std::unordered_set<std::string> in_bundle;
    size_t encounters = 0;
    int bundle_no = 0;
    uint64_t row = 0;

    auto flush = [&]() -> Status {
      if (encounters == 0) return Status::Ok();
      bundle += "]}\n";
      ++bundle_no;
      TRY(WriteFile("bundle-" + Pad(bundle_no, 5) + ".json", bundle));
      bundle.clear();
      in_bundle.clear();
      encounters = 0;
      return Status::Ok();
    };

    for (const Mention& m : mentions) {
      ++row;
      if (encounters == 0) {
        bundle = "{\"resourceType\":\"Bundle\",\"id\":\"" + std::string(info_.id) + "-" +
                 Pad(bundle_no + 1, 5) + "\",\"type\":\"transaction\",\"entry\":[";
      }
      Record r = MakeRecord(m, row);
      std::string patient_id =
          ambulance ? "amb-pat-" + Pad(static_cast<int>(row), 8) : r.persona.local_id;
      auto found = patients.find(patient_id);
      if (found == patients.end()) {
        // A new Patient: its flaws belong to the record, so every bundle sends the same one.
        Rng record_rng(DeriveSeed(seed_, 0xfa11 + source_, std::hash<std::string>{}(patient_id)));
        r.malform = PickMalform(record_rng, false, true);
        if (Quarantines(r.malform)) r.malform = kClean;
        ApplyFieldMalform(r);
        found = patients.emplace(patient_id, PatientJson(patient_id, r)).first;
        AddTruth(r, patient_id);
      }
      if (in_bundle.insert(patient_id).second) {
        if (encounters) bundle += ",";
        bundle += "{\"fullUrl\":\"urn:uuid:patient-" + patient_id +
                  "\",\"resource\":" + found->second +
                  ",\"request\":{\"method\":\"PUT\",\"url\":\"Patient/" + patient_id + "\"}}";
      }
      bundle += ",";
      bundle += EncounterJson(m, patient_id, row, r.rng);
      if (++encounters == kEncountersPerBundle) TRY(flush());
    }
    return flush();
  }

  std::string PatientJson(const std::string& id, const Record& r) const {
    const Persona& p = r.persona;
    std::string j = "{\"resourceType\":\"Patient\",\"id\":";
    JsonString(j, id);
    // When the record was made: a FHIR Patient has no event date of its own.
    j += ",\"meta\":{\"lastUpdated\":\"" + FormatDay(r.m->day, DateStyle::kIso) + "T00:00:00Z\"}";
    if (!p.nhs.empty()) {
      j += ",\"identifier\":[{\"system\":\"https://fhir.nhs.uk/Id/nhs-number\",\"value\":";
      JsonString(j, p.nhs);
      j += "}]";
    }
    j += ",\"name\":[{\"use\":\"official\",\"family\":";
    JsonString(j, p.family);
    j += ",\"given\":[";
    JsonString(j, p.given);
    if (!p.middle.empty()) {
      j += ",";
      JsonString(j, p.middle);
    }
    j += "]}]";
    if (!p.phone.empty() || !p.email.empty()) {
      j += ",\"telecom\":[";
      if (!p.phone.empty()) {
        j += "{\"system\":\"phone\",\"use\":\"mobile\",\"value\":";
        JsonString(j, p.phone);
        j += "}";
      }
      if (!p.email.empty()) {
        if (!p.phone.empty()) j += ",";
        j += "{\"system\":\"email\",\"value\":";
        JsonString(j, p.email);
        j += "}";
      }
      j += "]";
    }
    j += ",\"gender\":";
    JsonString(j, p.sex == 'M' ? "male" : p.sex == 'F' ? "female" : "unknown");
    if (!p.dob_missing) {
      j += ",\"birthDate\":";
      JsonString(j, FormatYmd(p.dob_year, p.dob_month, p.dob_day, DateStyle::kIso));
    }
    if (r.address != kNone) {
      j += ",\"address\":[{\"use\":\"home\",\"line\":[";
      JsonString(j, r.address_line);
      j += "],\"city\":";
      JsonString(j, r.town);
      if (!r.postcode.empty()) {
        j += ",\"postalCode\":";
        JsonString(j, r.postcode);
      }
      j += "}]";
    }
    j += "}";
    return j;
  }

  std::string EncounterJson(const Mention& m, const std::string& patient_id, uint64_t row,
                            Rng& rng) const {
    const auto& cat = CategoriesOf(source_)[m.category];
    const bool ambulance = source_ == kAmbulance;
    const std::string id = (ambulance ? "amb-enc-" : "mh-enc-") + Pad(static_cast<int>(row), 8);
    const char* cls = ambulance ? "EMER"
                                : (m.category == 0   ? "AMB"
                                   : m.category == 1 ? "EMER"
                                                     : "IMP");
    const char* cls_display = ambulance ? "emergency"
                                        : (m.category == 0   ? "ambulatory"
                                           : m.category == 1 ? "emergency"
                                                             : "inpatient encounter");
    std::string j = "{\"fullUrl\":\"urn:uuid:" + id +
                    "\",\"resource\":{\"resourceType\":\"Encounter\",\"id\":\"" + id +
                    "\",\"status\":\"finished\",\"class\":{\"system\":\"http://terminology.hl7.org/"
                    "CodeSystem/v3-ActCode\",\"code\":\"" +
                    cls + "\",\"display\":\"" + cls_display +
                    "\"},\"type\":[{\"coding\":[{\"system\":\"https://tessera.example/CodeSystem/" +
                    info_.id + "-category\",\"code\":";
    JsonString(j, cat.code);
    j += ",\"display\":";
    JsonString(j, cat.label);
    j += "}]}],\"subject\":{\"reference\":\"Patient/" + patient_id +
         "\"},\"period\":{\"start\":\"" + FormatDay(m.day, DateStyle::kIso) + "T" +
         Pad(static_cast<int>(rng.Below(24)), 2) + ":" + Pad(static_cast<int>(rng.Below(60)), 2) +
         ":00Z\"}}";
    j += ",\"request\":{\"method\":\"POST\",\"url\":\"Encounter\"}}";
    return j;
  }

 private:
  Source source_;
  const SourceInfo& info_;
  const Population& pop_;
  const ReferenceData& ref_;
  uint64_t seed_;
  double malformed_fraction_;
  std::string dir_;
  RenderedSource out_;
  std::unordered_map<uint64_t, uint32_t> event_numbers_;
  std::unordered_map<uint32_t, int> housing_members_;
};

}  // namespace

Result<RenderedSource> RenderSource(Source source, std::vector<Mention>& mentions,
                                    const Population& pop, const ReferenceData& ref, uint64_t seed,
                                    double malformed_fraction, const std::string& landing_dir) {
  SourceRenderer renderer(source, pop, ref, seed, malformed_fraction);
  return renderer.Run(mentions, landing_dir);
}

}  // namespace tessera::synth
