#include "govern/visibility.h"

#include <array>

namespace tessera::govern {

namespace {

constexpr std::array<std::string_view, kFieldCount> kPaths = {
    "person.name",    "person.dob",     "person.sex",     "person.nhs_number", "person.identifiers",
    "person.address", "person.phone",   "person.email",   "event.type",        "event.category",
    "event.date",     "event.severity", "event.location", "event.reference",   "record.raw",
};

FieldMask GroupMask(std::string_view prefix) {
  FieldMask mask = 0;
  for (int i = 0; i < kFieldCount; ++i) {
    if (kPaths[i].starts_with(prefix)) mask |= FieldMask{1} << i;
  }
  return mask;
}

// Raw values are a record as the partner sent it: they can hold any field. So "record.raw" is
// shown only while every other field is too; a mask missing any field (not shared, or excluded
// by a restriction) loses it.
FieldMask WithRawOnlyWhenWhole(FieldMask mask) {
  if ((mask & Bit(Field::kRecordRaw)) != 0 && (mask | Bit(Field::kRecordRaw)) != kAllFields) {
    mask &= ~Bit(Field::kRecordRaw);
  }
  return mask;
}

}  // namespace

std::string_view FieldPath(Field field) { return kPaths[static_cast<int>(field)]; }

std::optional<FieldMask> FieldMaskFromPath(std::string_view path) {
  if (path == "*") return kAllFields;
  if (path == "person.*") return GroupMask("person.");
  if (path == "event.*") return GroupMask("event.");
  if (path == "record.*") return GroupMask("record.");
  for (int i = 0; i < kFieldCount; ++i) {
    if (kPaths[i] == path) return FieldMask{1} << i;
  }
  return std::nullopt;
}

std::vector<std::string> FieldPaths(FieldMask mask) {
  std::vector<std::string> out;
  for (int i = 0; i < kFieldCount; ++i) {
    if ((mask & (FieldMask{1} << i)) != 0) out.emplace_back(kPaths[i]);
  }
  return out;
}

const std::vector<std::string>& AllFieldPaths() {
  static const std::vector<std::string> paths = FieldPaths(kAllFields);
  return paths;
}

std::string_view RecordAccessName(RecordAccess access) {
  switch (access) {
    case RecordAccess::kVisible:
      return "visible";
    case RecordAccess::kWithheld:
      return "withheld";
    case RecordAccess::kSealed:
      return "sealed";
  }
  return "withheld";
}

void Visibility::ShareDataset(std::string_view source_id, FieldMask fields) {
  datasets_[std::string(source_id)] |= fields & kAllFields;
}

void Visibility::ExcludeFieldsOfDataset(std::string_view source_id, FieldMask fields) {
  dataset_exclusions_[std::string(source_id)] |= fields;
}

void Visibility::ExcludeFieldsOfNominal(model::NominalId id, FieldMask fields) {
  nominal_exclusions_[id] |= fields;
}

void Visibility::ExcludeFieldsOfSourceRecord(model::SourceRecordId id, FieldMask fields) {
  record_exclusions_[id] |= fields;
}

FieldMask Visibility::DatasetFields(std::string_view source_id) const {
  FieldMask mask = 0;
  if (all_datasets_) {
    mask = kAllFields;
  } else if (auto it = datasets_.find(source_id); it != datasets_.end()) {
    mask = it->second;
  }
  if (mask == 0) return 0;
  if (!dataset_exclusions_.empty()) {
    if (auto it = dataset_exclusions_.find(source_id); it != dataset_exclusions_.end()) {
      mask &= ~it->second;
    }
  }
  return WithRawOnlyWhenWhole(mask);
}

RecordVisibility Visibility::ForRecord(std::string_view source_id,
                                       model::SourceRecordId source_record,
                                       model::NominalId nominal) const {
  RecordVisibility out;
  if ((!sealed_records_.empty() && sealed_records_.contains(source_record)) ||
      (nominal != 0 && !sealed_nominals_.empty() && sealed_nominals_.contains(nominal))) {
    out.access = RecordAccess::kSealed;
    return out;
  }
  if ((!objected_records_.empty() && objected_records_.contains(source_record)) ||
      (nominal != 0 && !objected_nominals_.empty() && objected_nominals_.contains(nominal))) {
    out.access = RecordAccess::kWithheld;
    out.reason = kReasonObjection;
    return out;
  }
  FieldMask mask = DatasetFields(source_id);
  if (mask == 0) {
    out.access = RecordAccess::kWithheld;
    out.reason = kReasonNotShared;
    return out;
  }
  if (!record_exclusions_.empty()) {
    if (auto it = record_exclusions_.find(source_record); it != record_exclusions_.end()) {
      mask &= ~it->second;
    }
  }
  if (nominal != 0 && !nominal_exclusions_.empty()) {
    if (auto it = nominal_exclusions_.find(nominal); it != nominal_exclusions_.end()) {
      mask &= ~it->second;
    }
  }
  out.access = RecordAccess::kVisible;
  out.fields = WithRawOnlyWhenWhole(mask);
  return out;
}

}  // namespace tessera::govern
