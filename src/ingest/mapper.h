// The mapping engine: a Record plus its MappingSpec become model values, standardised, with the
// raw values kept and bad optional fields flagged. This is where a partner's row turns into
// people, an event and places. Internal to ingest.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "ingest/record.h"
#include "ingest/spec.h"
#include "ingest/standardise.h"
#include "model/model.h"

namespace tessera::ingest {

struct MappedPerson {
  model::PersonRecord person;  // ids are filled in by the loader
  std::optional<model::Location> location;
};

struct MappedRecord {
  std::string key;
  std::vector<MappedPerson> people;
  std::optional<model::Event> event;
  std::optional<model::Location> event_location;
  std::string subject_key;                // FHIR: the Patient key an event refers to
  std::vector<model::QualityFlag> flags;  // flags on the record's own (event) fields

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
  std::optional<model::Location> MapAddress(const AddressSpec& spec, const Record& record,
                                            std::vector<model::RawValue>& raw,
                                            std::vector<model::QualityFlag>& flags);

  const MappingSpec& spec_;
  const Clock& clock_;
  std::unique_ptr<NameStandardiser> names_;
  PhoneStandardiser phones_;
};

}  // namespace tessera::ingest
