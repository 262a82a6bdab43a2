// Records pushed over the API (Ingestor::LoadBytes) as a RecordReader, so that a push runs the
// same mapping and loading as a file. Internal to ingest.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "ingest/record.h"

namespace tessera::ingest {

// A body of JSON records: a JSON array of objects, one JSON object, or JSON Lines. Each record
// becomes one line of compact JSON (members in the order sent), so that the same record pushed
// as an array element or as a line, with any whitespace, has the same payload and content hash;
// a JSON Lines line that does not parse is kept as sent and quarantined by the reader. Element n
// of an array (from 1) is read as line n.
//
// `by_column_name`: a field is a member's exact name rather than a JSON path, for sources whose
// spec reads CSV columns ("Date of Birth" is a column, not a path): partners of a CSV source can
// push the same columns as JSON members.
//
// InvalidArgument when the body as a whole cannot be read: it starts as an array but is not
// valid JSON, holds a NUL byte, or is nested deeper than options.max_depth (+1 for the array).
Result<std::unique_ptr<RecordReader>> OpenJsonRecordsReader(std::string body,
                                                            const JsonOptions& options,
                                                            bool by_column_name);

}  // namespace tessera::ingest
