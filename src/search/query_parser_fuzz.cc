// libFuzzer harness for the search box (GET /api/v1/search?q=): any bytes give typed terms or
// an InvalidArgument saying why, never a crash, hang or escaping exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/check.h"
#include "search/search.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  tessera::search::SearchQuery query;
  query.text.assign(reinterpret_cast<const char*>(data), size);
  auto parsed = tessera::search::ParseQuery(query);
  if (!parsed.ok()) {
    CHECK(parsed.status().code() == tessera::StatusCode::kInvalidArgument);
    return 0;
  }
  CHECK(!parsed->terms.empty());
  (void)parsed->Describe();
  return 0;
}
