// Records as the readers produce them, before any mapping: the seam between the format
// readers (csv_reader, jsonl_reader, fhir_reader) and the mapping engine. Internal to ingest.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace tessera::ingest {

// Where a record sits in its file.
struct RecordPosition {
  int64_t line = 0;         // 1-based physical line where the record starts
  int64_t byte_offset = 0;  // offset of its first byte in the file as stored (before decoding)
};

// One record read from a file. Field lookup is by name: a CSV column header ("Surname"), or a
// path into a JSON object (see JsonPath below).
class Record {
 public:
  virtual ~Record() = default;
  // The field's value as UTF-8 text; nullopt when the field is absent or JSON null. Numbers and
  // booleans come back as their JSON text. An empty CSV cell is "" (present but empty).
  virtual std::optional<std::string> Get(std::string_view field) const = 0;
  // The record's raw text as UTF-8 (a CSV line, a JSON line, a FHIR resource), for the payload
  // and the content hash.
  virtual const std::string& Raw() const = 0;
  virtual RecordPosition Position() const = 0;
  // FHIR: the resource type ("Patient", "Encounter"); empty for other formats.
  virtual std::string_view Kind() const { return {}; }
};

// A record that could not be read: it goes to quarantine with this.
struct BrokenRecord {
  RecordPosition position;
  std::string field;   // the field at fault, or "" for the record as a whole
  std::string reason;  // "row has 12 fields, header has 13", "invalid UTF-8 at byte 14"...
  std::string raw;     // the raw bytes as read (not necessarily valid UTF-8)
};

// A warning about the file that does not stop it loading ("BOM overrides declared encoding").
struct FileWarning {
  RecordPosition position;
  std::string message;
};

enum class ReadOutcome { kRecord, kBroken, kEnd };

// Reads one file, one record at a time, in bounded memory whatever the file size.
class RecordReader {
 public:
  virtual ~RecordReader() = default;
  // kRecord: `record` points at the next record (valid until the next call).
  // kBroken: `broken` says what could not be read; reading can continue.
  // kEnd: no more records.
  // A Status error means the file cannot be read further at all (I/O error).
  virtual Result<ReadOutcome> Next(const Record*& record, BrokenRecord& broken) = 0;
  virtual const std::vector<FileWarning>& Warnings() const = 0;
  // Bytes consumed so far (for progress).
  virtual int64_t BytesRead() const = 0;
};

struct CsvOptions {
  std::string encoding = "utf-8";  // "utf-8", "windows-1252" / "cp1252", "iso-8859-1" / "latin1"
  char delimiter = ',';
  char quote = '"';
  bool header = true;         // the first record names the columns
  bool trim_headers = false;  // " given_name" in the header is found as "given_name"
  // A field longer than this is a broken record, not an allocation of the whole file.
  size_t max_field_bytes = 1 << 20;
  size_t max_record_bytes = 4 << 20;
  size_t max_columns = 4096;
};

// Opens `path` for reading. Fails (Status) only when the file cannot be opened or its header
// cannot be read at all; row-level problems come back from Next() as kBroken.
Result<std::unique_ptr<RecordReader>> OpenCsvReader(const std::string& path,
                                                    const CsvOptions& options);

struct JsonOptions {
  size_t max_record_bytes = 4 << 20;
  int max_depth = 64;
};

// One JSON object per line. Blank lines are skipped; a line that is not a JSON object is broken.
Result<std::unique_ptr<RecordReader>> OpenJsonLinesReader(const std::string& path,
                                                          const JsonOptions& options);

// FHIR R4: a Bundle (any type) whose entries' resources become records, or a single resource,
// or NDJSON of resources. Streams the file: a Bundle's entries are parsed one at a time.
// Each record's Kind() is its resourceType; fields are JsonPaths into the resource.
Result<std::unique_ptr<RecordReader>> OpenFhirReader(const std::string& path,
                                                     const JsonOptions& options);

// JSON paths used in mapping specs, evaluated against a JSON object:
//   "person.surname"                       member access
//   "name[0].given[1]"                     array index
//   "identifier[system=https://fhir.nhs.uk/Id/nhs-number].value"
//                                          the first array element whose member equals a value
//   "name[0].given[1:]"                    the elements from index 1, joined with a space
// Returns nullopt for a missing path or null; strings as they are; numbers and booleans as JSON
// text; objects and arrays (other than a [n:] join) as nullopt.
std::optional<std::string> EvaluateJsonPath(const nlohmann::json& object, std::string_view path);

// Checks a path's syntax once, when a spec is loaded.
Status ValidateJsonPath(std::string_view path);

}  // namespace tessera::ingest
