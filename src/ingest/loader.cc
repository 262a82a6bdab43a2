// Where a record goes in: read, map, and write one file as one store transaction.
#include <cstdio>
#include <filesystem>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "core/ascii.h"
#include "core/sha256.h"
#include "ingest/ingest.h"
#include "ingest/mapper.h"
#include "ingest/push_reader.h"
#include "ingest/readers_internal.h"
#include "ingest/record.h"
#include "ingest/spec.h"

namespace tessera::ingest {
namespace {

Result<std::string> HashFile(const std::string& path, int64_t& size) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Status::IoError("cannot open " + path);
  Sha256 h;
  std::vector<char> buf(1 << 18);
  size = 0;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) {
    h.Update(buf.data(), n);
    size += static_cast<int64_t>(n);
  }
  const bool error = std::ferror(f);
  std::fclose(f);
  if (error) return Status::IoError("cannot read " + path);
  return h.HexDigest();
}

// Whether any event the spec maps refers to a subject person record (FHIR "Patient/<id>").
bool SpecNamesSubjects(const MappingSpec& spec) {
  if (spec.event && spec.event->subject.configured()) return true;
  for (const ResourceSpec& resource : spec.resources) {
    if (resource.event && resource.event->subject.configured()) return true;
  }
  return false;
}

// Adds up what the mapper made of each field over a load's mapped records (the data-quality
// report's numbers). Fields are kept in the order first met, so a re-run writes the same rows.
class LoadQualityCounter {
 public:
  void Add(const MappedRecord& mapped) {
    ++quality_.records;
    if (mapped.Flagged()) ++quality_.flagged_records;
    for (const FieldTally& t : mapped.tallies) Add(t);
    for (const MappedPerson& mp : mapped.people) {
      for (const FieldTally& t : mp.tallies) Add(t);
    }
    if (mapped.event && !mapped.event->category.empty()) ++categories_[mapped.event->category];
  }

  store::LoadQuality Finish() && {
    quality_.categories.assign(categories_.begin(), categories_.end());
    return std::move(quality_);
  }

 private:
  void Add(const FieldTally& t) {
    auto [it, inserted] = index_.try_emplace({t.attribute, t.field}, quality_.fields.size());
    if (inserted) {
      quality_.fields.push_back({std::string(t.attribute), std::string(t.field)});
    }
    store::FieldQuality& f = quality_.fields[it->second];
    ++f.records;
    if (t.outcome == FieldTally::Outcome::kMissing) return;
    ++f.present;
    switch (t.outcome) {
      case FieldTally::Outcome::kValid:
        ++f.valid;
        break;
      case FieldTally::Outcome::kFlagged:
        ++f.flagged;
        break;
      case FieldTally::Outcome::kPlaceholder:
        ++f.placeholder;
        break;
      case FieldTally::Outcome::kMissing:
        break;
    }
  }

  store::LoadQuality quality_;
  // Keys view the MappingSpec's strings and literals, which outlive the load.
  std::map<std::pair<std::string_view, std::string_view>, size_t> index_;
  std::map<std::string, int64_t> categories_;
};

// Records what became of record `index`, when the caller asked for outcomes.
void Note(FileLoadResult& result, const IngestOptions& options, int64_t index, std::string key,
          RecordOutcome::Kind kind, std::string field = {}, std::string reason = {}) {
  if (!options.record_outcomes) return;
  result.records.push_back({index, std::move(key), kind, std::move(field), std::move(reason)});
}

}  // namespace

struct Ingestor::Impl {
  store::Store& store;
  const Clock& clock;
  std::shared_ptr<const geocode::Gazetteer> gazetteer;  // never null
  // By path and the source id loaded under ("": the spec's own): parsed once.
  std::map<std::pair<std::string, std::string>, MappingSpec> specs;

  Result<const MappingSpec*> Spec(const std::string& path, const std::string& source_id) {
    auto it = specs.find({path, source_id});
    if (it == specs.end()) {
      TRY_ASSIGN(MappingSpec spec, LoadMappingSpec(path));
      if (!source_id.empty()) spec.source_id = source_id;
      it = specs.emplace(std::make_pair(path, source_id), std::move(spec)).first;
    }
    return &it->second;
  }

  Result<FileLoadResult> LoadWithSpec(const std::string& spec_path, const std::string& source_id,
                                      const std::string& path, const std::string& display,
                                      const IngestOptions& options) {
    TRY_ASSIGN(const MappingSpec* spec, Spec(spec_path, source_id));
    auto result = Load(*spec, path, display, options);
    if (!result.ok()) return result.status().WithContext(display);
    return result;
  }

  Result<std::unique_ptr<RecordReader>> OpenReader(const MappingSpec& spec,
                                                   const std::string& path) {
    if (spec.format == "csv") {
      CsvOptions options;
      options.encoding = spec.encoding;
      options.delimiter = spec.delimiter;
      options.header = spec.header;
      options.trim_headers = spec.trim_headers;
      return OpenCsvReader(path, options);
    }
    if (spec.format == "jsonl") return OpenJsonLinesReader(path, JsonOptions{});
    return OpenFhirReader(path, JsonOptions{});
  }

  Result<std::unique_ptr<RecordReader>> OpenPushReader(const MappingSpec& spec, std::string bytes,
                                                       PushFormat format) {
    if (spec.format == "fhir") {
      if (format != PushFormat::kFhir) {
        return Status::InvalidArgument("source " + spec.source_id +
                                       " takes a FHIR Bundle (application/fhir+json), not JSON "
                                       "records");
      }
      return internal::OpenFhirReaderFromString(std::move(bytes), JsonOptions{});
    }
    if (format != PushFormat::kJsonRecords) {
      return Status::InvalidArgument("source " + spec.source_id +
                                     " takes JSON records (application/json), not FHIR");
    }
    return OpenJsonRecordsReader(std::move(bytes), JsonOptions{}, spec.format == "csv");
  }

  // The current person record of a person in this source (FHIR subjects), if any.
  Result<std::optional<model::PersonRecordId>> FindPerson(
      const std::string& source_id, const std::string& key,
      std::unordered_map<std::string, model::PersonRecordId>& cache) {
    auto it = cache.find(key);
    if (it != cache.end()) return std::optional<model::PersonRecordId>(it->second);
    TRY_ASSIGN(auto current, store.GetCurrentSourceRecord(source_id, key));
    if (!current || current->deleted) return std::optional<model::PersonRecordId>();
    TRY_ASSIGN(auto people, store.ListPersonRecordsForSourceRecord(current->id));
    if (people.empty()) return std::optional<model::PersonRecordId>();
    cache[key] = people.front().id;
    return std::optional<model::PersonRecordId>(people.front().id);
  }

  Result<FileLoadResult> Load(const MappingSpec& spec, const std::string& path,
                              const std::string& display, const IngestOptions& options) {
    FileLoadResult result;
    result.source_id = spec.source_id;
    result.file = display;
    TRY_ASSIGN(const std::string file_hash, HashFile(path, result.bytes));
    TRY_ASSIGN(auto previous, store.FindCompletedLoadByFileHash(spec.source_id, file_hash));
    if (previous) {
      result.already_loaded = true;
      result.load_id = previous->id;
      return result;
    }
    TRY_ASSIGN(auto reader, OpenReader(spec, path));
    const store::LoadMode mode =
        spec.full_refresh ? store::LoadMode::kFullRefresh : store::LoadMode::kIncremental;
    TRY(LoadRecords(spec, *reader, file_hash, mode, display, options, result));
    return result;
  }

  Result<FileLoadResult> LoadPushed(const MappingSpec& spec, std::string bytes, PushFormat format,
                                    const std::string& display, const IngestOptions& options) {
    auto fresh = [&] {
      FileLoadResult result;
      result.source_id = spec.source_id;
      result.file = display;
      result.bytes = static_cast<int64_t>(bytes.size());
      return result;
    };
    FileLoadResult result = fresh();
    TRY_ASSIGN(const std::string body_hash, Sha256Hex(bytes));
    TRY_ASSIGN(auto previous, store.FindCompletedLoadByFileHash(spec.source_id, body_hash));
    if (previous) {
      TRY_ASSIGN(auto reader, OpenPushReader(spec, bytes, format));
      TRY_ASSIGN(const bool current, StillCurrent(spec, *reader, options, result));
      if (current) {
        result.already_loaded = true;
        result.load_id = previous->id;
        return result;
      }
      result = fresh();
    }
    TRY_ASSIGN(auto reader, OpenPushReader(spec, std::move(bytes), format));
    TRY(LoadRecords(spec, *reader, body_hash, store::LoadMode::kIncremental, display, options,
                    result));
    return result;
  }

  // Whether every record read is still the current version of its key, so that loading them
  // again would write nothing but quarantine rows already written. Reads and maps only; fills
  // `result` with the outcomes and counts such a load would have.
  Result<bool> StillCurrent(const MappingSpec& spec, RecordReader& reader,
                            const IngestOptions& options, FileLoadResult& result) {
    TRY_ASSIGN(auto mapper, Mapper::Create(spec, clock));
    store::LoadCounts& counts = result.counts;
    MappedRecord mapped;
    MapFailure failure;
    BrokenRecord broken;
    const Record* record = nullptr;
    for (int64_t index = 0;; ++index) {
      TRY_ASSIGN(ReadOutcome outcome, reader.Next(record, broken));
      if (outcome == ReadOutcome::kEnd) return true;
      if (outcome == ReadOutcome::kBroken) {
        ++counts.read;
        ++counts.quarantined;
        Note(result, options, index, "", RecordOutcome::Kind::kQuarantined, broken.field,
             broken.reason);
        continue;
      }
      const Mapper::Outcome m = mapper->Map(*record, mapped, failure);
      if (m == Mapper::Outcome::kSkipped) {
        ++result.skipped;
        Note(result, options, index, "", RecordOutcome::Kind::kSkipped);
        continue;
      }
      if (m == Mapper::Outcome::kFailed) {
        ++counts.read;
        ++counts.quarantined;
        Note(result, options, index, mapped.key, RecordOutcome::Kind::kQuarantined, failure.field,
             failure.reason);
        continue;
      }
      TRY_ASSIGN(auto current, store.GetCurrentSourceRecord(spec.source_id, mapped.key));
      TRY_ASSIGN(const std::string hash, Sha256Hex(record->Raw()));
      if (!current || current->deleted || current->provenance.content_hash != hash) return false;
      ++counts.read;
      ++counts.unchanged;
      if (mapped.Flagged()) ++result.flagged;
      Note(result, options, index, mapped.key, RecordOutcome::Kind::kUnchanged);
    }
  }

  // Reads, maps and writes every record of `reader` as one load, in one transaction.
  Status LoadRecords(const MappingSpec& spec, RecordReader& reader, const std::string& file_hash,
                     store::LoadMode mode, const std::string& display, const IngestOptions& options,
                     FileLoadResult& result) {
    TRY_ASSIGN(auto mapper, Mapper::Create(spec, clock));
    // A load commits whole or not at all, so write calls need no savepoints of their own.
    TRY_ASSIGN(auto txn, store.Begin(store::Store::TransactionMode::kAllOrNothing));
    TRY_ASSIGN(result.load_id, store.BeginLoad(*txn, spec.source_id, display, file_hash, mode));
    const int64_t received = clock.NowMicros();

    // The keys this load has seen, for a full refresh to delete the rest; and the person record
    // each key named, for events that refer to a subject (FHIR). Kept only when the spec needs
    // them: for every row of a large load they were 3% of its time.
    const bool keep_keys = mode == store::LoadMode::kFullRefresh;
    const bool keep_people = SpecNamesSubjects(spec);
    std::unordered_set<std::string> seen_keys;
    std::unordered_map<std::string, model::PersonRecordId> person_by_key;
    store::LoadCounts& counts = result.counts;
    MappedRecord mapped;
    MapFailure failure;
    LoadQualityCounter quality;
    BrokenRecord broken;
    const Record* record = nullptr;
    int64_t index = -1;  // of the record being read, for its outcome
    auto quarantine = [&](const RecordPosition& pos, std::string key, std::string field,
                          std::string reason, std::string raw) -> Status {
      Note(result, options, index, std::move(key), RecordOutcome::Kind::kQuarantined, field,
           reason);
      store::QuarantinedRow row;
      row.load_id = result.load_id;
      row.source_id = spec.source_id;
      row.file = display;
      row.line = pos.line;
      row.byte_offset = pos.byte_offset;
      row.field = std::move(field);
      row.reason = std::move(reason);
      row.raw = std::move(raw);
      ++counts.read;
      ++counts.quarantined;
      return store.AddQuarantined(*txn, row).status();
    };

    while (true) {
      TRY_ASSIGN(ReadOutcome outcome, reader.Next(record, broken));
      if (outcome == ReadOutcome::kEnd) break;
      ++index;
      if (options.on_progress && (counts.read + result.skipped) % 5000 == 0) {
        options.on_progress(Progress{display, reader.BytesRead(), result.bytes, counts.read});
      }
      if (outcome == ReadOutcome::kBroken) {
        TRY(quarantine(broken.position, "", broken.field, broken.reason, broken.raw));
        continue;
      }
      const Mapper::Outcome m = mapper->Map(*record, mapped, failure);
      if (m == Mapper::Outcome::kSkipped) {
        ++result.skipped;
        Note(result, options, index, "", RecordOutcome::Kind::kSkipped);
        continue;
      }
      if (m == Mapper::Outcome::kFailed) {
        TRY(quarantine(record->Position(), mapped.key, failure.field, failure.reason,
                       record->Raw()));
        continue;
      }
      ++counts.read;
      if (keep_keys) seen_keys.insert(mapped.key);
      if (mapped.Flagged()) ++result.flagged;
      quality.Add(mapped);

      model::SourceRecord sr;
      sr.source_id = spec.source_id;
      sr.record_key = mapped.key;
      sr.payload = record->Raw();
      sr.provenance.source_id = spec.source_id;
      sr.provenance.file = display;
      sr.provenance.line = record->Position().line;
      sr.provenance.byte_offset = record->Position().byte_offset;
      sr.provenance.load_id = result.load_id;
      sr.provenance.received_at_micros = received;
      TRY_ASSIGN(sr.provenance.content_hash, Sha256Hex(sr.payload));
      TRY_ASSIGN(store::PutOutcome put, store.PutSourceRecord(*txn, sr));
      if (put.change == store::RecordChange::kUnchanged) {
        ++counts.unchanged;
        Note(result, options, index, mapped.key, RecordOutcome::Kind::kUnchanged);
        continue;
      }
      ++counts.loaded;
      const bool inserted = put.change == store::RecordChange::kInserted;
      ++(inserted ? result.inserted : result.updated);
      Note(result, options, index, mapped.key,
           inserted ? RecordOutcome::Kind::kInserted : RecordOutcome::Kind::kUpdated);

      std::vector<model::EventInvolvement> involvements;
      for (MappedPerson& mp : mapped.people) {
        model::PersonRecord& person = mp.person;
        person.source_record_id = put.id;
        // Flags on the record's own fields travel with each person it names.
        person.flags.insert(person.flags.end(), mapped.flags.begin(), mapped.flags.end());
        if (mp.location) {
          geocode::PlaceLocation(*gazetteer, *mp.location);
          TRY_ASSIGN(person.location_id, store.UpsertLocation(*txn, *mp.location));
        }
        TRY_ASSIGN(person.id, store.PutPersonRecord(*txn, person));
        if (keep_people) person_by_key[mapped.key] = person.id;
        involvements.push_back({person.id, person.role});
      }
      if (mapped.event) {
        model::Event& event = *mapped.event;
        event.source_record_id = put.id;
        if (mapped.event_location) {
          geocode::PlaceLocation(*gazetteer, *mapped.event_location);
          TRY_ASSIGN(event.location_id, store.UpsertLocation(*txn, *mapped.event_location));
        } else if (!mapped.people.empty() && mapped.people.front().person.location_id) {
          event.location_id = mapped.people.front().person.location_id;
        }
        if (!mapped.subject_key.empty()) {
          TRY_ASSIGN(auto subject, FindPerson(spec.source_id, mapped.subject_key, person_by_key));
          if (subject) {
            involvements.push_back({*subject, model::Role::kPatient});
          } else {
            result.warnings.push_back(display + ":" + std::to_string(record->Position().line) +
                                      ": event " + mapped.key + " refers to " + mapped.subject_key +
                                      ", which this source has not sent");
          }
        }
        event.involvements = std::move(involvements);
        TRY(store.PutEvent(*txn, event).status());
      }
    }
    for (const auto& w : reader.Warnings()) {
      result.warnings.push_back(display + ":" + std::to_string(w.position.line) + ": " + w.message);
    }

    if (mode == store::LoadMode::kFullRefresh) {
      TRY_ASSIGN(auto keys, store.ListCurrentRecordKeys(spec.source_id));
      for (const auto& key : keys) {
        if (seen_keys.count(key)) continue;
        TRY_ASSIGN(auto put, store.DeleteSourceRecord(*txn, spec.source_id, key, result.load_id));
        if (put.change == store::RecordChange::kDeleted) ++counts.deleted;
      }
    }
    TRY(store.PutLoadQuality(*txn, result.load_id, std::move(quality).Finish()));
    TRY(store.FinishLoad(*txn, result.load_id, counts));
    TRY(txn->Commit());
    if (options.on_progress) {
      options.on_progress(Progress{display, result.bytes, result.bytes, counts.read});
    }
    return Status::Ok();
  }
};

Ingestor::Ingestor(store::Store& store, const Clock& clock,
                   std::shared_ptr<const geocode::Gazetteer> gazetteer)
    : impl_(new Impl{
          store, clock, gazetteer ? std::move(gazetteer) : geocode::Gazetteer::Compiled(), {}}) {}

Ingestor::~Ingestor() = default;

Result<FileLoadResult> Ingestor::LoadFile(const std::string& spec_path, const std::string& path,
                                          const std::string& display_path,
                                          const IngestOptions& options) {
  return impl_->LoadWithSpec(spec_path, "", path, display_path, options);
}

Result<FileLoadResult> Ingestor::LoadFileAs(const std::string& source_id,
                                            const std::string& spec_path, const std::string& path,
                                            const std::string& display_path,
                                            const IngestOptions& options) {
  TRY(CheckSourceId(source_id));
  return impl_->LoadWithSpec(spec_path, source_id, path, display_path, options);
}

Result<FileLoadResult> Ingestor::LoadBytes(const std::string& source_id,
                                           const std::string& spec_path, std::string bytes,
                                           PushFormat format, const std::string& display,
                                           const IngestOptions& options) {
  if (!source_id.empty()) TRY(CheckSourceId(source_id));
  TRY_ASSIGN(const MappingSpec* spec, impl_->Spec(spec_path, source_id));
  auto result = impl_->LoadPushed(*spec, std::move(bytes), format, display, options);
  if (!result.ok()) return result.status().WithContext(display);
  return result;
}

std::string_view RecordOutcomeName(RecordOutcome::Kind kind) {
  switch (kind) {
    case RecordOutcome::Kind::kInserted:
      return "inserted";
    case RecordOutcome::Kind::kUpdated:
      return "updated";
    case RecordOutcome::Kind::kUnchanged:
      return "unchanged";
    case RecordOutcome::Kind::kQuarantined:
      return "quarantined";
    case RecordOutcome::Kind::kSkipped:
      return "skipped";
  }
  return "unknown";
}

Status CheckMappingSpec(const std::string& spec_path) {
  return LoadMappingSpec(spec_path).status();
}

Result<std::string> MappingSourceId(const std::string& spec_path) {
  TRY_ASSIGN(MappingSpec spec, LoadMappingSpec(spec_path));
  return spec.source_id;
}

Status CheckSourceId(std::string_view source_id) {
  if (IsValidSourceId(source_id)) return Status::Ok();
  return Status::InvalidArgument("source ids are lower case letters, digits and '_': " +
                                 ascii::QuotedForMessage(source_id));
}

}  // namespace tessera::ingest
