// Visibility: what one request may see, decided once by the policy engine (policy.h) and then
// consulted by everything that reads personal data for that request (search, the single view,
// explanations). It is plain data with no store access, so the readers stay simple and fast:
// asking about a record is a few hash lookups.
//
// The vocabulary is fixed (issue 5): a dataset is a mapping's source id ("police_crime"); a
// field is a model attribute path ("person.dob", "event.category"). Every source record, with
// the person records and events mapped from it, is in exactly one of three states for a
// request:
//   - visible:  its dataset is shared for the request's purpose with the user's agency and role
//               (or break-glass is on), and no restriction forbids it. Only the fields in its
//               FieldMask may be shown or used (in a match, a summary, a "why").
//   - withheld: it exists and the user is told so ("3 records withheld under agreement terms"),
//               but nothing of its content is shown or used: not its fields, not its events,
//               not its contribution to a search score or a best-known value.
//   - sealed:   as if it did not exist: not shown, not counted, not found by search. A sealed
//               record stays sealed under break-glass.
// A forbid (a restriction) always beats a permit (an agreement).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "model/model.h"

namespace tessera::govern {

// The fields agreements share, restrictions exclude and readers check. Paths are the names
// used in agreements, restrictions and the API ("person.name").
enum class Field : uint8_t {
  kPersonName,         // "person.name": given, middle, family names, title, suffix, aliases
  kPersonDob,          // "person.dob"
  kPersonSex,          // "person.sex"
  kPersonNhsNumber,    // "person.nhs_number"
  kPersonIdentifiers,  // "person.identifiers": every identifier but the NHS number
  kPersonAddress,      // "person.address": the record's location (address, postcode, point)
  kPersonPhone,        // "person.phone"
  kPersonEmail,        // "person.email"
  kEventType,          // "event.type"
  kEventCategory,      // "event.category"
  kEventDate,          // "event.date"
  kEventSeverity,      // "event.severity"
  kEventLocation,      // "event.location"
  kEventReference,     // "event.reference": the source's own event reference
  kRecordRaw,          // "record.raw": raw values as received, and the payload; as these can
                       // hold any field, a mask keeps it only while it holds every other field
};
inline constexpr int kFieldCount = 15;

using FieldMask = uint32_t;
inline constexpr FieldMask Bit(Field f) { return FieldMask{1} << static_cast<int>(f); }
inline constexpr FieldMask kAllFields = (FieldMask{1} << kFieldCount) - 1;

std::string_view FieldPath(Field field);  // "person.dob"
// Accepts a path, or "person.*" / "event.*" / "record.*" / "*" for a group; nullopt otherwise.
std::optional<FieldMask> FieldMaskFromPath(std::string_view path);
std::vector<std::string> FieldPaths(FieldMask mask);  // in enum order
const std::vector<std::string>& AllFieldPaths();

enum class RecordAccess : uint8_t { kVisible, kWithheld, kSealed };
std::string_view RecordAccessName(RecordAccess access);  // "visible", "withheld", "sealed"

// The answer about one source record (and the person records and events mapped from it).
struct RecordVisibility {
  RecordAccess access = RecordAccess::kWithheld;
  FieldMask fields = 0;     // with kVisible: what may be shown; 0 otherwise
  std::string_view reason;  // with kWithheld: "not shared under agreement terms", "objection"

  bool visible() const { return access == RecordAccess::kVisible; }
  bool Has(Field f) const { return visible() && (fields & Bit(f)) != 0; }
};

inline constexpr std::string_view kReasonNotShared = "not shared under agreement terms";
inline constexpr std::string_view kReasonObjection = "objection recorded";

// What one request may see. Built by the policy engine (or directly in tests); immutable once
// built and safe to share between threads.
class Visibility {
  // Lets the maps be searched with a string_view, so that asking costs no allocation.
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using ByDataset = std::unordered_map<std::string, FieldMask, StringHash, std::equal_to<>>;

 public:
  // Nothing visible: every record withheld (deny by default).
  Visibility() = default;

  // --- building (the policy engine)

  // Shares a dataset's fields (adds to what was shared before).
  void ShareDataset(std::string_view source_id, FieldMask fields);
  // Break-glass: every dataset is shared with every field, except what restrictions forbid.
  void ShareAllDatasets() { all_datasets_ = true; }
  // Restrictions. Source records are named by id: the engine resolves a restriction on
  // (source, record key) to every version's id, and one on a nominal to its live id.
  void SealNominal(model::NominalId id) { sealed_nominals_.insert(id); }
  void SealSourceRecord(model::SourceRecordId id) { sealed_records_.insert(id); }
  void WithholdNominal(model::NominalId id) { objected_nominals_.insert(id); }
  void WithholdSourceRecord(model::SourceRecordId id) { objected_records_.insert(id); }
  void ExcludeFieldsOfDataset(std::string_view source_id, FieldMask fields);
  void ExcludeFieldsOfNominal(model::NominalId id, FieldMask fields);
  void ExcludeFieldsOfSourceRecord(model::SourceRecordId id, FieldMask fields);

  // --- asking (search, the single view)

  // The answer for a source record of `source_id`, currently attached (through its person
  // records) to `nominal` (0 if none). Sealing beats everything; then an objection withholds;
  // then the dataset must be shared; then field exclusions narrow the mask.
  RecordVisibility ForRecord(std::string_view source_id, model::SourceRecordId source_record,
                             model::NominalId nominal) const;
  // A sealed nominal is invisible as a whole: it is not found, and its page is "not found".
  bool NominalSealed(model::NominalId id) const { return sealed_nominals_.contains(id); }
  // Whether any dataset is shared at all (no dataset: the request is refused before reading).
  bool SharesAnything() const { return all_datasets_ || !datasets_.empty(); }
  // The fields shared for `source_id` before record-level restrictions; 0 if not shared.
  FieldMask DatasetFields(std::string_view source_id) const;
  bool break_glass() const { return all_datasets_; }

 private:
  bool all_datasets_ = false;
  ByDataset datasets_;
  ByDataset dataset_exclusions_;
  std::unordered_set<model::NominalId> sealed_nominals_;
  std::unordered_set<model::SourceRecordId> sealed_records_;
  std::unordered_set<model::NominalId> objected_nominals_;
  std::unordered_set<model::SourceRecordId> objected_records_;
  std::unordered_map<model::NominalId, FieldMask> nominal_exclusions_;
  std::unordered_map<model::SourceRecordId, FieldMask> record_exclusions_;
};

}  // namespace tessera::govern
