// libFuzzer harness for the FHIR reader. The first bytes choose the depth and size limits and
// a read-chunk size; the rest is the file (a Bundle, a resource, NDJSON, or anything at all).
// The file is read in chunks and in one go and the runs must agree exactly. Every record must
// be a JSON object whose resourceType is its Kind(), every broken record must say why, and the
// reader must get to the end.
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
using tessera::ingest::JsonOptions;
using tessera::ingest::ReadOutcome;
using tessera::ingest::Record;

struct Outcome {
  bool ok;
  int64_t line;
  int64_t offset;
  std::string text;

  bool operator==(const Outcome&) const = default;
};

std::vector<Outcome> ReadAll(std::string_view file, const JsonOptions& options, size_t chunk) {
  auto reader =
      tessera::ingest::internal::OpenFhirReaderFromString(std::string(file), options, chunk);
  CHECK(reader.ok());
  std::vector<Outcome> outcomes;
  const Record* record = nullptr;
  BrokenRecord broken;
  for (;;) {
    auto outcome = (*reader)->Next(record, broken);
    CHECK(outcome.ok());
    if (*outcome == ReadOutcome::kEnd) break;
    Outcome o;
    if (*outcome == ReadOutcome::kRecord) {
      o.ok = true;
      o.line = record->Position().line;
      o.offset = record->Position().byte_offset;
      o.text = std::string(record->Kind()) + "|" + record->Raw();
      CHECK(!record->Kind().empty());
      CHECK(tessera::ingest::FindInvalidUtf8(record->Raw()) == std::string_view::npos);
      const auto parsed = nlohmann::json::parse(record->Raw(), nullptr, false);
      CHECK(parsed.is_object());
      CHECK(record->Get("resourceType") == std::string(record->Kind()));
      (void)record->Get("name[0].given[1:]");
      (void)record->Get("identifier[system=https://fhir.nhs.uk/Id/nhs-number].value");
    } else {
      o.ok = false;
      o.line = broken.position.line;
      o.offset = broken.position.byte_offset;
      o.text = broken.reason + "|" + broken.field + "|" + broken.raw;
      CHECK(!broken.reason.empty());
      CHECK(broken.raw.size() <= tessera::ingest::internal::kMaxBrokenRawBytes);
      for (char ch : broken.reason) CHECK(ch >= 0x20 && ch < 0x7F);
    }
    CHECK(o.line >= 1);
    CHECK(o.offset >= 0 && o.offset <= static_cast<int64_t>(file.size()));
    outcomes.push_back(std::move(o));
    // No byte of the file starts more than a few outputs: the reader always moves on.
    CHECK(outcomes.size() <= 2 * file.size() + 2);
  }
  CHECK((*reader)->BytesRead() <= static_cast<int64_t>(file.size()));
  return outcomes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t a = data[0];
  const uint8_t b = data[1];
  const std::string_view file(reinterpret_cast<const char*>(data) + 2, size - 2);
  JsonOptions options;
  options.max_depth = 1 + (a & 0x3F);
  if (a & 0x80) options.max_record_bytes = 4 + b;
  const size_t chunk = 1 + (b & 0x1F);
  CHECK(ReadAll(file, options, chunk) ==
        ReadAll(file, options, tessera::ingest::internal::kDefaultReadChunk));
  return 0;
}
