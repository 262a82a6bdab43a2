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
#include "store/store.h"

namespace tessera::ingest {

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
};

// Checks a mapping spec; the error names the file, line and key.
Status CheckMappingSpec(const std::string& spec_path);
// The source id a spec declares.
Result<std::string> MappingSourceId(const std::string& spec_path);
// Checks a source id given on its own (`ingest --source`) by the rules for a spec's `source:`.
Status CheckSourceId(std::string_view source_id);

class Ingestor {
 public:
  // `store` and `clock` must outlive the Ingestor.
  Ingestor(store::Store& store, const Clock& clock);
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

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The landing zone: LANDING/<source>/<file>, mapped by MAPPINGS/<source>.yaml. Files whose names
// start with '.' or end in .tmp, .part or .partial are still being written and are left alone.
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
