// The mapping engine: a Record plus its MappingSpec become model values, standardised, with the
// raw values kept and bad optional fields flagged. This is where a partner's row turns into
// people, an event and places. Internal to ingest.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "ingest/record.h"
#include "ingest/spec.h"
#include "ingest/standardise.h"
#include "model/model.h"

namespace tessera::ingest {

// What became of one field of one record, for the data-quality report: the loader adds them
// up per load (store::FieldQuality). Only fields read from the record are tallied; constants
// from the spec are not.
struct FieldTally {
  enum class Outcome {
    kMissing,      // no raw value
    kValid,        // standardised and kept
    kFlagged,      // set aside as invalid (the record loads flagged, or the value is dropped)
    kPlaceholder,  // a stand-in value ("UNKNOWN", 01/01/1900, 0000000000) kept as missing
  };
  std::string_view attribute;  // "person.dob", "event.category": a string literal
  std::string_view field;      // the spec's first field: valid while the MappingSpec lives
  Outcome outcome = Outcome::kMissing;
};

struct MappedPerson {
  model::PersonRecord person;  // ids are filled in by the loader
  std::optional<model::Location> location;
  std::vector<FieldTally> tallies;  // the person's fields, address included
};

struct MappedRecord {
  std::string key;
  std::vector<MappedPerson> people;
  std::optional<model::Event> event;
  std::optional<model::Location> event_location;
  std::string subject_key;                // FHIR: the Patient key an event refers to
  std::vector<model::QualityFlag> flags;  // flags on the record's own (event) fields
  std::vector<FieldTally> tallies;        // the event's fields, location included

  // True when any value was set aside as invalid (the record loads flagged).
  bool Flagged() const;
};

// Why a record cannot be loaded.
struct MapFailure {
  std::string field;
  std::string reason;
};

class Mapper {
 public:
  enum class Outcome { kMapped, kFailed, kSkipped };

  static Result<std::unique_ptr<Mapper>> Create(const MappingSpec& spec, const Clock& clock);

  // kMapped: `out` holds the record. kFailed: `failure` says why it must be quarantined.
  // kSkipped: a FHIR resource type the spec does not map (it is neither loaded nor an error).
  Outcome Map(const Record& record, MappedRecord& out, MapFailure& failure);

 private:
  Mapper(const MappingSpec& spec, const Clock& clock, std::unique_ptr<NameStandardiser> names);

  struct Value;
  Value Evaluate(const ValueSpec& spec, const Record& record) const;
  bool MapPerson(const PersonSpec& spec, const Record& record, const std::string& key,
                 const std::optional<CivilDate>& event_date, MappedPerson& out,
                 MapFailure& failure);
  bool MapEvent(const EventSpec& spec, const Record& record, MappedRecord& out,
                MapFailure& failure);
  // The attribute names an address's fields are tallied under.
  struct AddressAttributes {
    std::string_view text, postcode, uprn;
  };
  std::optional<model::Location> MapAddress(const AddressSpec& spec, const Record& record,
                                            std::vector<model::RawValue>& raw,
                                            std::vector<model::QualityFlag>& flags,
                                            const AddressAttributes& attributes,
                                            std::vector<FieldTally>& tallies);

  const MappingSpec& spec_;
  const Clock& clock_;
  std::unique_ptr<NameStandardiser> names_;
  PhoneStandardiser phones_;
};

}  // namespace tessera::ingest
