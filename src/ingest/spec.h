// Mapping specs: one YAML file per partner source says how its records map onto the model.
// The format is documented in docs/formats/mapping.md. Internal to ingest.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/status.h"
#include "ingest/standardise.h"
#include "model/model.h"

namespace tessera::ingest {

// How one value is taken from a record: which field(s), then transforms, then checks.
struct ValueSpec {
  std::vector<std::string> fields;      // several are joined with a space
  std::optional<std::string> constant;  // `value:` instead of a field
  std::optional<std::string> default_value;
  enum class Case { kKeep, kUpper, kLower } text_case = Case::kKeep;
  // Code values to model values ("M" -> "male"); keys compare case-insensitively.
  std::unordered_map<std::string, std::string> map;
  enum class Unmapped { kInvalid, kKeep, kDefault } unmapped = Unmapped::kInvalid;
  std::vector<std::string> formats;  // date patterns, tried in order
  bool required = false;             // missing or invalid: the record is quarantined
  std::vector<std::string> one_of;   // allowed raw values
  std::string pattern;               // a simple shape: 9 digit, A letter, ? any, others literal
  std::optional<double> min, max;    // numeric range
  std::string where;                 // "file:line" of the spec, for messages

  bool configured() const { return !fields.empty() || constant.has_value(); }
  // The name used in flags and quarantine reasons: the first field, or "(constant)".
  std::string Name() const { return fields.empty() ? std::string("(constant)") : fields.front(); }
};

enum class NameSplit { kNone, kSurnameFirst, kFullName, kForenames };

struct NameSpec {
  ValueSpec full;  // with split
  NameSplit split = NameSplit::kNone;
  ValueSpec given, middle, family, title, suffix;
};

struct AddressSpec {
  ValueSpec text;                // a whole one-line address
  std::vector<ValueSpec> lines;  // or separate lines, joined with ", "
  ValueSpec town, postcode, uprn;
  bool configured() const {
    return text.configured() || !lines.empty() || town.configured() || postcode.configured() ||
           uprn.configured();
  }
};

struct PersonSpec {
  std::string key_suffix;  // mention key "<row key>#<suffix>" when a row names several people
  ValueSpec role;          // mapped to model role names; a constant for fixed roles
  NameSpec name;
  ValueSpec dob, sex;
  std::vector<std::pair<model::IdentifierKind, ValueSpec>> identifiers;
  AddressSpec address;
  ValueSpec phone, email;
  // When the record was made (FHIR meta.lastUpdated): bounds the date of birth when the row has
  // no event date.
  ValueSpec recorded_on;
  // The mention exists only when one of these fields has a value (e.g. an optional partner).
  std::vector<std::string> present_if_any;
};

struct EventSpec {
  std::string type;  // "crime", "domestic_abuse", ...
  model::Agency agency = model::Agency::kPolice;
  ValueSpec ref, date, category, severity;
  AddressSpec location;
  ValueSpec subject;  // FHIR: "Patient/<id>" reference to the person record in this source
};

// FHIR: what each resource type becomes.
struct ResourceSpec {
  std::string resource_type;  // "Patient", "Encounter", "Condition"
  ValueSpec key;              // default: id
  std::optional<PersonSpec> person;
  std::optional<EventSpec> event;
};

struct MappingSpec {
  std::string path;
  std::string source_id, agency_name, dataset, description;
  model::Agency agency = model::Agency::kPolice;
  std::string format;  // "csv", "jsonl", "fhir"
  std::string encoding = "utf-8";
  char delimiter = ',';
  bool header = true;
  bool trim_headers = false;  // " given_name" is found as "given_name"
  bool full_refresh = false;
  // How often the partner is expected to send (`expected_every: 24h` or `7d`), in hours; empty
  // when the spec does not say. A feed with no completed load for longer is late.
  std::optional<int> expected_every_hours;
  ValueSpec record_key;
  std::optional<EventSpec> event;
  std::vector<PersonSpec> people;
  std::vector<ValueSpec> validate;
  std::vector<ResourceSpec> resources;
  PlaceholderRules placeholders = PlaceholderRules::Defaults();
};

// Source ids (a spec's `source:`, or `ingest --source`): lower case letters, digits and '_'.
bool IsValidSourceId(std::string_view source_id);

// Reads and checks a spec. Errors name the file, the line and the key:
//   "examples/x.yaml:14: people[0].dob.formats[1]: unknown date pattern 'dd/mm/yy yy'".
Result<MappingSpec> LoadMappingSpec(const std::string& path);
Result<MappingSpec> ParseMappingSpec(const std::string& yaml_text, const std::string& path);

}  // namespace tessera::ingest
