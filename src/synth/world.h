// Internal types of the generator, shared by its stages:
//   population.cc  places, streets, addresses, households, people (sequential, seeded)
//   life_course.cc latent risk -> events and outcomes, one household at a time (parallel)
//   persona.cc     how one source system holds a person: noise, nicknames, placeholders
//   render.cc      each source's dialect: CSV / JSON Lines / FHIR, malformed rows
//   generate.cc    orchestration, truth files, manifest
#pragma once

#include <array>
#include <climits>
#include <cstdint>
#include <string>
#include <vector>

#include "core/dates.h"
#include "core/random.h"
#include "synth/reference_data.h"
#include "synth/synth.h"

namespace tessera::synth {

constexpr uint32_t kNone = UINT32_MAX;
constexpr int32_t kNoDay = INT32_MIN;

enum Source : uint8_t {
  kPoliceCrime,
  kPoliceDomesticAbuse,
  kPoliceMissing,
  kCscChildren,
  kSchoolAttendance,
  kSubstanceMisuse,
  kHousing,
  kFireSafeWell,
  kAmbulance,
  kMentalHealth,
  kProbation,
  kDwp,
  kSourceCount,
};

// Which partner system holds a source's person records. Sources of one system share its
// person ids (the three police extracts come from one records management system).
enum SystemFamily : uint8_t {
  kPoliceSystem,
  kCscSystem,
  kSchoolSystem,
  kSubstanceSystem,
  kHousingSystem,
  kFireSystem,
  kAmbulanceSystem,
  kMentalHealthSystem,
  kProbationSystem,
  kDwpSystem,
};

struct SourceInfo {
  const char* id;
  const char* agency;
  const char* format;  // "csv", "jsonl", "fhir"
  SystemFamily family;
  double reuse;         // chance a mention uses the person's main record in that system
  double nhs_presence;  // chance the record carries the NHS number (0 if the source has none)
  bool ascii_only;      // the system drops accents
};

const SourceInfo& InfoOf(Source s);

enum Role : uint8_t {
  kRoleSubject,
  kRoleVictim,
  kRoleSuspect,
  kRoleOffender,
  kRoleWitness,
  kRoleMissing,
  kRolePatient,
  kRoleChild,
  kRoleParent,
  kRoleOccupant,
  kRolePupil,
  kRoleClient,
  kRoleApplicant,  // housing: the person who approached
  kRolePartner,    // housing: the applicant's partner
};

// Household risk factors (bit flags).
enum Factor : uint8_t {
  kFactorSubstance = 1,
  kFactorDomesticAbuse = 2,
  kFactorMentalHealth = 4,
  kFactorDeprivation = 8,
  kFactorWorkless = 16,
};

enum HouseholdKind : uint8_t {
  kSingle,
  kCouple,
  kCoupleWithChildren,
  kLoneParent,
  kMultiGeneration,
  kShared,
};

struct Sector {
  std::string code;            // "M14 5"
  int deprivation_decile = 5;  // 1 most deprived .. 10 least
};

struct Address {
  uint64_t uprn = 0;
  uint32_t street = 0;
  uint32_t place = 0;
  uint32_t sector = 0;
  uint16_t number = 0;
  uint16_t flat = 0;
  std::string postcode;
  double lat = 0;
  double lon = 0;
};

struct Person {
  uint32_t household = 0;
  uint32_t given = 0;
  uint32_t middle = kNone;
  uint32_t family = 0;               // current surname
  uint32_t family2 = kNone;          // second part of a double-barrelled surname
  uint32_t birth_family = 0;         // surname before a change (== family if none)
  int32_t name_change_day = kNoDay;  // on and after this day `family` is used
  int32_t dob = 0;                   // days since 1970-01-01
  uint8_t sex = 0;                   // SexIndex
  bool adult = false;
  bool twin = false;
  bool accented = false;         // really has the accented form of the given name (Zoë)
  uint32_t alias_given = kNone;  // a false first name given to police
  uint64_t nhs = 0;              // 10 digits, valid, in the 999 test range
  uint64_t mobile = 0;           // 07xxxxxxxxx as a number, 0 if none
};

struct Household {
  uint32_t first_person = 0;
  uint32_t size = 0;
  uint32_t address = 0;
  uint32_t new_address = kNone;  // after a move
  int32_t move_day = kNoDay;
  HouseholdKind kind = kSingle;
  uint8_t factors = 0;
  bool escalating = false;
  float risk = 0;
};

struct Population {
  std::vector<Place> places;         // the area's places
  std::vector<std::string> streets;  // "Mill Lane"
  std::vector<Sector> sectors;
  std::vector<Address> addresses;
  std::vector<Household> households;
  std::vector<Person> people;

  uint32_t AddressOn(const Household& h, int32_t day) const {
    return (h.new_address != kNone && day >= h.move_day) ? h.new_address : h.address;
  }
};

// One person's part in one event, as a source will record it.
struct Mention {
  int32_t day = 0;
  uint32_t person = 0;
  uint32_t address = kNone;  // the address the record names (may be stale); kNone: none/NFA
  uint64_t event = 0;        // world-unique event number
  Source source = kPoliceCrime;
  Role role = kRoleSubject;
  uint8_t category = 0;  // index into the source's category table
  uint8_t severity = 0;
  uint16_t detail = 0;        // source-specific (attendance %, DASH level, ...)
  uint8_t system_record = 0;  // which of the person's records in the source's system
};

// Outcome labels for one person (see docs/formats/synthetic-world.md).
struct Outcomes {
  // [window]: 0 = the last observed year, 1 = the unobserved year after it.
  // -1: not eligible, 0/1: label.
  std::array<int8_t, 2> cp_plan{-1, -1};
  std::array<int8_t, 2> repeat_da{-1, -1};
  std::array<int8_t, 2> mh_crisis{-1, -1};
};

struct WorldClock {
  int32_t start_day;    // first observed day
  int32_t end_day;      // first day after the observed period
  int32_t outcome_end;  // first day after the outcome year
  int first_year;
  int years;
};

Result<Population> BuildPopulation(const WorldConfig& config, const ReferenceData& ref,
                                   const WorldClock& clock);

// Simulates one household's life course; appends its members' mentions (observed period and
// outcome year) and fills the outcomes of its members.
void SimulateHousehold(uint32_t household_index, const Population& pop, const WorldClock& clock,
                       uint64_t seed, std::vector<Mention>& mentions,
                       std::vector<Outcomes>& outcomes);

// Category tables, per source.
struct Category {
  const char* code;   // the source's own code
  const char* label;  // the source's own description
};
const std::vector<Category>& CategoriesOf(Source s);

// How one source system holds one person at one time: the noisy attributes it writes.
struct Persona {
  std::string given;  // display case, may be a nickname, a typo, or "UNKNOWN"
  std::string middle;
  std::string family;
  int dob_year = 0, dob_month = 0, dob_day = 0;  // may be impossible (flagged rows)
  bool dob_missing = false;
  char sex = 'U';     // 'M', 'F', 'U'
  std::string nhs;    // "" when the record has none
  std::string phone;  // national format "07700 900123", "" when none
  std::string email;
  std::string local_id;
  uint32_t noise = 0;  // NoiseKind bits applied, for the manifest's rates
};

enum NoiseKind : uint32_t {
  kNoiseTypo = 1u << 0,
  kNoiseNickname = 1u << 1,
  kNoisePhonetic = 1u << 2,
  kNoiseOcr = 1u << 3,
  kNoiseDobSwap = 1u << 4,
  kNoiseDobTypo = 1u << 5,
  kNoisePlaceholderName = 1u << 6,
  kNoisePlaceholderDob = 1u << 7,
  kNoisePlaceholderNhs = 1u << 8,
  kNoiseDummyPhone = 1u << 9,
  kNoiseNamesSwapped = 1u << 10,
  kNoiseMissingDob = 1u << 11,
  kNoiseAlias = 1u << 12,
  kNoiseOldSurname = 1u << 13,
  kNoiseSurnameVariant = 1u << 14,
  kNoiseBabyOf = 1u << 15,
};

Persona MakePersona(const Population& pop, const ReferenceData& ref, uint64_t seed,
                    const Mention& m);

// Renders every source into DIR/landing and returns, per source, the truth rows.
struct TruthRow {
  std::string record_id;
  uint32_t person = 0;
  uint32_t household = 0;
  uint32_t address = kNone;
  const char* outcome = "load";
};

struct RenderedSource {
  SourceSummary summary;
  std::vector<TruthRow> truth;
  // For the naive-match view: what each truth row's record says.
  std::vector<std::string> given, family, dob_iso;
  uint64_t noise_counts[16] = {};
};

Result<RenderedSource> RenderSource(Source source, std::vector<Mention>& mentions,
                                    const Population& pop, const ReferenceData& ref, uint64_t seed,
                                    double malformed_fraction, const std::string& landing_dir);

// Helpers shared by the stages.
std::string FormatNhs(uint64_t nhs);                               // "9990001234"
std::string AddressLine(const Population& pop, uint32_t address);  // "Flat 2, 14 Mill Lane"
std::string FullAddress(const Population& pop, uint32_t address);  // line, town
CivilDate DayToDate(int32_t day);

}  // namespace tessera::synth
