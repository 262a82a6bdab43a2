// libFuzzer harness for the mapping-spec parser: any bytes give a spec or an error that names
// the file, never a crash, hang or escaping exception. A spec that parses must parse again to
// the same source id.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/check.h"
#include "ingest/spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;  // specs are small; yaml-cpp's cost grows with nesting
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto spec = tessera::ingest::ParseMappingSpec(text, "fuzz.yaml");
  if (!spec.ok()) {
    CHECK(spec.status().message().rfind("fuzz.yaml", 0) == 0);
    return 0;
  }
  auto again = tessera::ingest::ParseMappingSpec(text, "fuzz.yaml");
  CHECK(again.ok() && again->source_id == spec->source_id);
  return 0;
}
