// The audit log's hash chain, independent of the database that holds it, so that every Store
// implementation (SQLite now, PostgreSQL later) chains and verifies events identically. Private
// to the store module. See docs/design/0006-audit-log.md.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "store/store.h"

namespace tessera::store::internal {

// The encoding new events are written with.
inline constexpr int kCurrentAuditEncoding = 2;

// The bytes an event's hash is taken over, in the encoding `event.encoding` names. Every field
// is an 8-byte big-endian length followed by its bytes (numbers as decimal ASCII); a list is its
// element count as such a field, then each element as one. Length prefixes make the encoding
// unambiguous: no two different events encode to the same bytes, whatever the fields contain.
//   1 ("tessera-audit-v1", events written before schema version 8): the tag, prev_hash, seq,
//     at_micros, actor, action, purpose, justification, resource, detail.
//   2 ("tessera-audit-v2"): the tag, prev_hash, seq, at_micros, actor, agency, role, action,
//     purpose, justification, agreement, outcome, resource, detail, nominals, records.
// InvalidArgument for any other encoding, and for an encoding-1 event carrying a field that
// encoding 1 does not cover (agency, role, agreement, outcome, nominals, records): its hash
// would not protect that field.
Result<std::string> CanonicalAuditEncoding(const AuditEvent& event);

// The hash `event` should carry: tessera::Sha256Hex(CanonicalAuditEncoding(event)). `event.hash`
// is not part of the encoding.
Result<std::string> AuditEventHash(const AuditEvent& event);

}  // namespace tessera::store::internal
