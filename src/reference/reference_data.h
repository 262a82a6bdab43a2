// Public reference files compiled into the binary: names by year and sex, surnames, name
// variants, GB places and a postcode sample. Origins and licences: data/reference/SOURCES.md.
// The generator (synth) samples from them; the resolver (resolve) reads the name variants.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tessera::reference {

// The bytes of an embedded reference file ("gb_places.csv"), or empty if there is none.
std::string_view ReferenceFile(std::string_view name);

// Splits one CSV line (RFC 4180 quoting, no embedded newlines) into fields. '\r' outside quotes
// is dropped, so CRLF files read like LF ones.
std::vector<std::string> SplitCsvLine(std::string_view line);

}  // namespace tessera::reference
