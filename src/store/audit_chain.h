// The audit log's hash chain, independent of the database that holds it, so that every Store
// implementation (SQLite now, PostgreSQL later) chains and verifies events identically. Private
// to the store module. See docs/design/0006-audit-log.md.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "store/store.h"

namespace tessera::store::internal {

// The bytes an event's hash is taken over: a version tag, then prev_hash, seq, at_micros,
// actor, action, purpose, justification, resource and detail, each as an 8-byte big-endian
// length followed by its bytes (numbers as decimal ASCII). Length prefixes make the encoding
// unambiguous: no two different events encode to the same bytes, whatever the fields contain.
std::string CanonicalAuditEncoding(const AuditEvent& event);

// The hash `event` should carry: tessera::Sha256Hex(CanonicalAuditEncoding(event)). `event.hash` is
// not part of the encoding.
Result<std::string> AuditEventHash(const AuditEvent& event);

}  // namespace tessera::store::internal
