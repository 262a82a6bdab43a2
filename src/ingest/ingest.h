// Ingest: partner files in, standardised records out, exactly once, nothing lost.
//
// A file is read by its format's reader, each record is mapped by the source's mapping spec
// (docs/formats/mapping.md), and the whole file is loaded in one store transaction with its
// provenance. Rows that cannot be loaded are quarantined with file, line, field and reason;
// rows with a bad optional field load flagged. Counts reconcile:
//   read = loaded + unchanged + quarantined.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "geocode/geocode.h"
#include "store/store.h"

namespace tessera::ingest {

// What became of one record of a load (IngestOptions::record_outcomes): a pushing partner is
// told this for each record it sent.
struct RecordOutcome {
  enum class Kind {
    kInserted,     // a new key
    kUpdated,      // a new version of a known key
    kUnchanged,    // the same content as the key's current version: nothing written
    kQuarantined,  // not loaded: `field` and `reason` say why
    kSkipped,      // FHIR: a resource type the spec does not map
  };
  int64_t index = 0;  // the record's 0-based position among those read (array element, line)
  std::string key;    // the record key; empty when the record could not be read that far
  Kind outcome = Kind::kInserted;
  std::string field;   // quarantined: the field at fault ("" for the record as a whole)
  std::string reason;  // quarantined: why

  friend bool operator==(const RecordOutcome&, const RecordOutcome&) = default;
};
// "inserted", "updated", "unchanged", "quarantined", "skipped"
std::string_view RecordOutcomeName(RecordOutcome::Kind kind);

struct FileLoadResult {
  std::string source_id;
  std::string file;
  model::LoadId load_id = 0;
  bool already_loaded = false;  // the same bytes were loaded before: nothing was done
  store::LoadCounts counts;     // read, loaded, unchanged, quarantined, deleted
  int64_t inserted = 0;         // of `loaded`: new keys
  int64_t updated = 0;          // of `loaded`: new versions of known keys
  int64_t flagged = 0;          // loaded or unchanged rows with a value set aside as invalid
  int64_t skipped = 0;          // FHIR resources of types the spec does not map
  int64_t bytes = 0;
  std::vector<std::string> warnings;
  std::vector<RecordOutcome> records;  // one per record read, when IngestOptions asks
};

struct Progress {
  std::string file;
  int64_t bytes_read = 0;
  int64_t bytes_total = 0;
  int64_t records = 0;
};

struct IngestOptions {
  // Called now and then during a load (every few thousand records).
  std::function<void(const Progress&)> on_progress;
  // Fill FileLoadResult::records (a push's answer; a file's would be as long as the file).
  bool record_outcomes = false;
};

// How a pushed body is written (Ingestor::LoadBytes).
enum class PushFormat {
  kJsonRecords,  // a JSON array of records, one record, or JSON Lines: for csv and jsonl specs
  kFhir,         // a FHIR R4 Bundle (or resources as NDJSON): for fhir specs
};

// Checks a mapping spec; the error names the file, line and key.
Status CheckMappingSpec(const std::string& spec_path);
// The source id a spec declares.
Result<std::string> MappingSourceId(const std::string& spec_path);
// Checks a source id given on its own (`ingest --source`) by the rules for a spec's `source:`.
Status CheckSourceId(std::string_view source_id);

class Ingestor {
 public:
  // `store` and `clock` must outlive the Ingestor. Locations written without coordinates are
  // placed by their postcode with `gazetteer` (geocode::LoadHubGazetteer for a hub's own
  // postcode file), or with the compiled-in gazetteer when none is given.
  Ingestor(store::Store& store, const Clock& clock,
           std::shared_ptr<const geocode::Gazetteer> gazetteer = nullptr);
  ~Ingestor();

  // Loads one file with the spec at `spec_path`. `display_path` is what provenance records
  // (relative to the hub where possible). A file whose bytes were already loaded for the source
  // is not read again. A Status error means nothing was loaded (the transaction rolled back):
  // the file cannot be read, or the store failed.
  Result<FileLoadResult> LoadFile(const std::string& spec_path, const std::string& path,
                                  const std::string& display_path,
                                  const IngestOptions& options = {});
  // The same, but under `source_id` instead of the source the spec declares: for partners who
  // send files of one layout and so share one spec. InvalidArgument if the id is not valid.
  Result<FileLoadResult> LoadFileAs(const std::string& source_id, const std::string& spec_path,
                                    const std::string& path, const std::string& display_path,
                                    const IngestOptions& options = {});
  // Records pushed over the API (docs/formats/push-ingest.md), through the same reading,
  // mapping, quarantine and exactly-once store writes as a file, with `display` as provenance's
  // file. A csv spec's fields are the records' member names; a jsonl spec's are JSON paths. A
  // push is always incremental: keys it does not hold are left alone, even for a full_refresh
  // spec. Re-pushing bytes already loaded for the source is a no-op (already_loaded, nothing
  // written) as long as each of its records is still the current version of its key; otherwise
  // (a key changed since, and the push puts it back) the body loads again, record by record.
  // The records load under `source_id` (as LoadFileAs; "": the spec's own source).
  // InvalidArgument if the id is not valid, the format does not suit the spec, or the body
  // cannot be read at all.
  Result<FileLoadResult> LoadBytes(const std::string& source_id, const std::string& spec_path,
                                   std::string bytes, PushFormat format, const std::string& display,
                                   const IngestOptions& options = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The landing zone: LANDING/<source>/<file>, mapped by MAPPINGS/<source>.yaml. Files whose names
// start with '.' or end in .tmp, .part or .partial are still being written and are left alone.
// Locations are placed with the hub's gazetteer (HUB/reference/postcodes.csv over the
// compiled-in one), read when there is a file to load; its bad rows become warnings.
// A loaded file moves to LANDING/<source>/processed/; a file that cannot be read at all moves to
// LANDING/<source>/failed/ with a NAME.reason.txt beside it. Nothing is deleted.
struct LandingOutcome {
  std::vector<FileLoadResult> loaded;
  struct Failed {
    std::string file;
    std::string reason;
  };
  std::vector<Failed> failed;
  std::vector<std::string> warnings;  // e.g. a source folder without a mapping spec
};

Result<LandingOutcome> ProcessLandingZone(store::Store& store, const Clock& clock,
                                          const std::string& landing_dir,
                                          const std::string& mappings_dir,
                                          const std::string& hub_dir,
                                          const IngestOptions& options = {});

// ---------------------------------------------------------------------------------------------
// The data-quality report of a load (docs/formats/mapping.md, "Data-quality report"): per field,
// how complete and how valid the source's values were; the mix of event categories; duplicates
// among the source's current records; and drift against the source's previous load. Counts
// only: no personal data.

// A change of more than this many percentage points since the previous load is drift.
inline constexpr double kDriftThresholdPoints = 5.0;

struct FieldDrift {
  std::string attribute, field;
  double completeness_before = 0, completeness_now = 0;  // % of records with a value
  double validity_before = 0, validity_now = 0;          // % of present values valid
  bool drifted = false;
};

struct CategoryDrift {
  std::string category;
  double share_before = 0, share_now = 0;  // % of the load's events
  bool drifted = false;
};

struct QualityReport {
  store::LoadSummary load;
  // Empty when the load kept no statistics (it was made before schema version 2).
  std::optional<store::LoadQuality> quality;
  // Among the source's current records (now, not as of the load); empty in summaries.
  std::optional<store::SourceDuplicates> duplicates;
  // The previous completed load of the source with statistics, which drift compares against.
  std::optional<model::LoadId> previous_load;
  std::vector<FieldDrift> field_drift;  // fields in both loads
  std::vector<CategoryDrift> category_drift;

  int DriftCount() const;
  // Over every field: present / records and valid / present, in %; 0 without statistics.
  double Completeness() const;
  double Validity() const;
};

// The report of `load_id`, or of the source's latest completed load when none is given.
// NotFound if the source has no completed load; InvalidArgument if the load is another
// source's or has not completed.
Result<QualityReport> BuildQualityReport(store::Store& store, std::string_view source_id,
                                         std::optional<model::LoadId> load_id = std::nullopt);
// The latest completed load of every source, by source id, without duplicates.
Result<std::vector<QualityReport>> BuildQualitySummary(store::Store& store);

std::string FormatQualityReport(const QualityReport& report);
std::string FormatQualitySummary(const std::vector<QualityReport>& reports);
std::string QualityReportJson(const QualityReport& report);
std::string QualitySummaryJson(const std::vector<QualityReport>& reports);

}  // namespace tessera::ingest
