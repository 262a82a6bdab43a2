// libFuzzer harness for the CSV reader. The first bytes choose the options (encoding, delimiter,
// header, small limits) and a read-chunk size; the rest is the file. The file is read twice, in
// chunks of that size and in one go, and the two runs must agree exactly: records, broken
// records, positions and reasons may not depend on where the buffer was refilled. Every record
// must be valid UTF-8, positions must move forward, and the reader must consume the whole file.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/check.h"
#include "ingest/readers_internal.h"
#include "ingest/record.h"
#include "ingest/text_encoding.h"

namespace {

using tessera::ingest::BrokenRecord;
using tessera::ingest::CsvOptions;
using tessera::ingest::ReadOutcome;
using tessera::ingest::Record;

struct Outcome {
  bool ok;
  int64_t line;
  int64_t offset;
  std::string text;  // Raw() or reason
  std::string cells;

  bool operator==(const Outcome&) const = default;
};

struct ReadResult {
  bool opened = false;
  std::string open_error;
  std::vector<Outcome> outcomes;
  size_t warnings = 0;

  bool operator==(const ReadResult&) const = default;
};

ReadResult ReadAll(std::string_view file, const CsvOptions& options, size_t chunk) {
  ReadResult result;
  auto reader =
      tessera::ingest::internal::OpenCsvReaderFromString(std::string(file), options, chunk);
  if (!reader.ok()) {
    CHECK(!reader.status().message().empty());
    result.open_error = reader.status().ToString();
    return result;
  }
  result.opened = true;
  const Record* record = nullptr;
  BrokenRecord broken;
  int64_t last_line = 0;
  int64_t last_offset = -1;
  for (;;) {
    auto outcome = (*reader)->Next(record, broken);
    CHECK(outcome.ok());  // bytes in memory cannot fail to read
    if (*outcome == ReadOutcome::kEnd) break;
    Outcome o;
    if (*outcome == ReadOutcome::kRecord) {
      o.ok = true;
      o.line = record->Position().line;
      o.offset = record->Position().byte_offset;
      o.text = record->Raw();
      CHECK(tessera::ingest::FindInvalidUtf8(o.text) == std::string_view::npos);
      CHECK(record->Kind().empty());
      CHECK(!record->Get("\x01no such column").has_value());
      for (int column = 1; column <= 3; ++column) {
        const auto cell = record->Get(std::to_string(column));
        if (cell) {
          CHECK(tessera::ingest::FindInvalidUtf8(*cell) == std::string_view::npos);
          // The limit is on the file's bytes; decoding may triple them (CP1252 to UTF-8).
          CHECK(cell->size() <= 3 * options.max_field_bytes);
          o.cells += *cell;
        }
        o.cells += '\x1f';
      }
    } else {
      o.ok = false;
      o.line = broken.position.line;
      o.offset = broken.position.byte_offset;
      o.text = broken.reason + "|" + broken.field + "|" + broken.raw;
      CHECK(!broken.reason.empty());
      CHECK(broken.raw.size() <= tessera::ingest::internal::kMaxBrokenRawBytes);
    }
    // Each record starts on a later line and at a later byte than the one before.
    CHECK(o.line > last_line);
    CHECK(o.offset > last_offset);
    CHECK(o.offset < static_cast<int64_t>(file.size()));
    last_line = o.line;
    last_offset = o.offset;
    result.outcomes.push_back(std::move(o));
    CHECK(result.outcomes.size() <= file.size());
  }
  CHECK((*reader)->BytesRead() == static_cast<int64_t>(file.size()));
  result.warnings = (*reader)->Warnings().size();
  return result;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const uint8_t a = data[0];
  const uint8_t b = data[1];
  const uint8_t c = data[2];
  const std::string_view file(reinterpret_cast<const char*>(data) + 3, size - 3);

  CsvOptions options;
  static constexpr const char* kEncodings[] = {"utf-8", "windows-1252", "iso-8859-1", "utf-8"};
  static constexpr char kDelimiters[] = {',', ';', '\t', '|'};
  options.encoding = kEncodings[a & 3];
  options.delimiter = kDelimiters[(a >> 2) & 3];
  options.header = (a & 0x10) == 0;
  options.trim_headers = (a & 0x20) != 0;
  if (a & 0x40) {  // small limits, so that the fuzzer reaches them
    options.max_record_bytes = 8 + (b & 0x7F);
    options.max_field_bytes = 1 + (b >> 3);
    options.max_columns = 1 + (c & 7);
  }
  const size_t chunk = 1 + (c >> 3);

  const ReadResult in_chunks = ReadAll(file, options, chunk);
  const ReadResult at_once = ReadAll(file, options, tessera::ingest::internal::kDefaultReadChunk);
  CHECK(in_chunks == at_once);
  return 0;
}
