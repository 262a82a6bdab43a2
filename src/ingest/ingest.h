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
#include <string>
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

}  // namespace tessera::ingest
