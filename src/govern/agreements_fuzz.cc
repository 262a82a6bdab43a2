// libFuzzer harness for the agreement reader (what POST /api/v1/agreements and the stored JSON
// go through): any bytes give an agreement or an InvalidArgument naming the key, never a crash,
// hang or escaping exception; an agreement that reads writes back to JSON that reads to the
// same agreement.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/check.h"
#include "govern/agreements.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto agreement = tessera::govern::AgreementFromJson(text);
  if (!agreement.ok()) {
    CHECK(agreement.status().code() == tessera::StatusCode::kInvalidArgument);
    return 0;
  }
  const std::string written = tessera::govern::AgreementToJson(*agreement);
  auto again = tessera::govern::AgreementFromJson(written);
  CHECK(again.ok() && tessera::govern::AgreementToJson(*again) == written);
  return 0;
}
