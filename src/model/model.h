// The POLE model (Person, Object, Location, Event) that every partner dataset maps onto.
//
// These are plain value types: no storage, no HTTP. A partner's row becomes a SourceRecord
// (what was sent, with provenance) holding one or more PersonRecords (each person mentioned,
// standardised, raw values kept) and at most one Event. Resolution then attaches each
// PersonRecord to a Nominal, the golden record of one real person.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dates.h"

namespace tessera::model {

using LoadId = int64_t;
using SourceRecordId = int64_t;
using PersonRecordId = int64_t;
using NominalId = int64_t;
using LocationId = int64_t;
using EventId = int64_t;
using ObjectId = int64_t;
using HouseholdId = int64_t;

// ---------------------------------------------------------------------------------------------
// Vocabulary

enum class Agency {
  kPolice,
  kFireRescue,
  kAmbulance,
  kChildrensSocialCare,
  kAdultSocialCare,
  kEducation,
  kHousing,
  kHealth,
  kMentalHealth,
  kSubstanceMisuse,
  kProbation,
  kDwp,
  kYouthJustice,  // youth offending teams
};

enum class Sex { kUnknown, kMale, kFemale };

// How a person took part in an event. Partners use many words; mappings translate them to these.
enum class Role {
  kSubject,  // the person the record is about (default)
  kVictim,
  kSuspect,
  kOffender,
  kWitness,
  kMissingPerson,
  kPatient,
  kChild,
  kParent,
  kCarer,
  kOccupant,  // a resident at an address visited (fire Safe and Well, housing)
  kPupil,
  kClient,  // a service user (substance misuse, probation, DWP)
};

enum class IdentifierKind {
  kNhsNumber,
  kPncId,      // Police National Computer ID, e.g. 2001/0012345X
  kCroNumber,  // Criminal Records Office number, e.g. 012345/01Z
  kNiNumber,   // National Insurance number
  kUprn,
  kLocalId,  // a partner system's own person id, scoped to its source
  kOtherId,  // an id several partners share that is none of the above (a foreign social
             // security number, a shared case number): not validated, compared across sources
};

enum class ObjectKind { kVehicle, kPhone, kEmail };

std::string_view AgencyName(Agency a);  // "police", "childrens_social_care", ...
std::optional<Agency> AgencyFromName(std::string_view name);
std::string AgencyNames();  // "police, fire_rescue, ...": for error messages
std::string RoleNames();
std::string_view SexName(Sex s);    // "unknown", "male", "female"
std::string_view RoleName(Role r);  // "victim", "suspect", ...
std::optional<Role> RoleFromName(std::string_view name);
std::string_view IdentifierKindName(IdentifierKind k);  // "nhs_number", "pnc_id", ...
std::optional<IdentifierKind> IdentifierKindFromName(std::string_view name);
std::string_view ObjectKindName(ObjectKind k);

// ---------------------------------------------------------------------------------------------
// Provenance: every fact says where it came from.

struct Provenance {
  std::string source_id;    // the mapping's source id, e.g. "police_crime"
  std::string file;         // landing file path relative to the hub, or "api"
  int64_t line = 0;         // 1-based physical line where the record starts (0 if n/a)
  int64_t byte_offset = 0;  // offset of the record's first byte in the file
  LoadId load_id = 0;
  int64_t received_at_micros = 0;
  std::string content_hash;  // hex SHA-256 of the record's raw bytes
};

// ---------------------------------------------------------------------------------------------
// People

struct PersonName {
  std::string given;
  std::string middle;
  std::string family;
  std::string title;   // "MR", "DR"...
  std::string suffix;  // "JR", "III"...
};

struct Identifier {
  IdentifierKind kind = IdentifierKind::kLocalId;
  std::string value;   // normalised form (digits only for NHS numbers, etc.)
  bool valid = false;  // passed its check-digit / shape rules
};

// A value as the partner sent it, next to the field it came from.
struct RawValue {
  std::string field;
  std::string value;
};

// A quality flag on a loaded value: bad but kept ("load_flagged").
struct QualityFlag {
  std::string field;
  std::string reason;
};

// One person as mentioned by one source record: standardised attributes plus raw values.
struct PersonRecord {
  PersonRecordId id = 0;
  SourceRecordId source_record_id = 0;
  std::string source_id;    // the source that sent it: filled in by the store's bulk reads
  std::string mention_key;  // "<row key>" or "<row key>#<role>" where a row names several people
  Role role = Role::kSubject;
  PersonName name;
  std::vector<PersonName> aliases;
  std::optional<CivilDate> dob;
  Sex sex = Sex::kUnknown;
  std::vector<Identifier> identifiers;
  std::optional<LocationId> location_id;
  std::vector<std::string> phones;  // E.164
  std::vector<std::string> emails;  // normalised
  std::vector<RawValue> raw;
  std::vector<QualityFlag> flags;
};

// A resolved person: the golden nominal. Its attributes summarise its PersonRecords.
struct Nominal {
  NominalId id = 0;  // stable: survives re-resolution; merges keep the older id
  PersonName name;
  std::vector<PersonName> other_names;
  std::optional<CivilDate> dob;
  Sex sex = Sex::kUnknown;
  std::vector<Identifier> identifiers;
  std::vector<PersonRecordId> records;
};

// ---------------------------------------------------------------------------------------------
// Locations, objects, events

struct Location {
  LocationId id = 0;
  std::string uprn;               // up to 12 digits, empty if unknown
  std::string address_text;       // single-line, as standardised
  std::string postcode;           // normalised "SW1A 1AA", empty if unknown or invalid
  std::string postcode_district;  // outcode, "SW1A"
  std::string small_area;         // postcode sector, "SW1A 1"
  std::optional<double> latitude;
  std::optional<double> longitude;
  // How closely the coordinates place the address when a gazetteer gave them from the postcode
  // (geocode::PrecisionName: "postcode", "sector", "district", "area"); empty when there are
  // none or they came some other way.
  std::string geo_precision;
  bool no_fixed_abode = false;  // NHS pseudo-postcode ZZ99 3VZ and similar
};

struct Object {
  ObjectId id = 0;
  ObjectKind kind = ObjectKind::kPhone;
  std::string value;  // normalised: E.164, lower-case email, upper-case VRM without spaces
};

struct EventInvolvement {
  PersonRecordId person_record_id = 0;
  Role role = Role::kSubject;
};

struct Event {
  EventId id = 0;
  SourceRecordId source_record_id = 0;
  std::string source_id;
  std::string event_ref;  // the source's own event reference, shared by its rows
  std::string type;       // "crime", "domestic_abuse", "missing_episode", "cin_referral"...
  Agency agency = Agency::kPolice;
  std::string category;  // mapped from the source's codes
  int severity = 0;      // 0 (none) .. 5 (most severe), as mapped
  CivilDate date;
  std::optional<LocationId> location_id;
  std::vector<EventInvolvement> involvements;
};

// ---------------------------------------------------------------------------------------------
// Relationships

// A person living at an address as part of a household, over a period.
struct HouseholdMembership {
  HouseholdId household_id = 0;
  NominalId nominal_id = 0;
  LocationId location_id = 0;
  std::optional<CivilDate> from;
  std::optional<CivilDate> to;  // empty while current
};

// People living at one address over one period: an address entity (Location) with the
// nominals seen there together. Found by household resolution (src/resolve/households.h).
struct Household {
  HouseholdId id = 0;  // stable: kept while the address and most members stay the same
  LocationId location_id = 0;
  std::optional<CivilDate> from;
  std::optional<CivilDate> to;               // empty while current
  std::vector<HouseholdMembership> members;  // in nominal id order
  bool dissolved = false;                    // no longer found; kept so that its id still reads
};

// Two people linked because they appear in the same event.
struct Association {
  NominalId a = 0;
  NominalId b = 0;
  EventId event_id = 0;
  Role role_a = Role::kSubject;
  Role role_b = Role::kSubject;
};

// ---------------------------------------------------------------------------------------------
// What a partner sent: one record (a row, a JSON line, a FHIR resource), versioned by its key.

struct SourceRecord {
  SourceRecordId id = 0;
  std::string source_id;
  std::string record_key;  // the source's own key for the row
  int version = 1;         // a changed record is a new version; history is kept
  Provenance provenance;
  std::string payload;   // the raw record as received (UTF-8), for audit and re-mapping
  bool deleted = false;  // tombstone from an explicit delete or a full refresh
};

}  // namespace tessera::model
