// The audit log's own database file, HUB/audit.db (docs/design/0006-audit-log.md, "Its own
// file"). Private to the store module.
//
// The log lives apart from hub.db because in WAL mode every commit to a file empties the page
// cache of each other connection reading that file. With the log in hub.db, each audited read
// (one commit per group of events) made every server thread re-read its pages of nominals and
// records from the operating system. In its own file, an audit commit touches only the audit
// pages.
//
// Every store connection to hub.db attaches audit.db read-only, as schema `audit`, for the
// log's reads (unqualified table names resolve to it: hub.db holds no audit tables from schema
// version 15). Appends go through a second connection, opened on audit.db itself, with
// synchronous = FULL: an event is on disk before the data it records is shown. A write
// transaction on hub.db therefore never holds the audit log's write lock, and a long load does
// not hold up auditing (and so serving) reads.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "store/sqlite/connection.h"

namespace tessera::store::sqlite {

// PRAGMA application_id of audit.db: "TSAU".
inline constexpr int32_t kAuditApplicationId = 0x54534155;

// The layout of audit.db this binary writes (PRAGMA user_version).
inline constexpr int kAuditSchemaVersion = 1;

// Opens the audit database at `path` for appending, creating the file and its schema when
// `create` (a hub whose schema predates the move, or a new hub). Puts it in WAL mode with
// synchronous = FULL and foreign keys on. FailedPrecondition if the file is missing and
// `create` is false (the log of a hub cannot silently start again empty); Corruption if it is
// not a Tessera audit database, or newer than this binary.
Result<std::unique_ptr<Connection>> OpenAuditDb(const std::string& path, bool create,
                                                int busy_timeout_ms, bool checkpoint_on_commit);

// Attaches the audit database at `path` to `hub` read-only, as schema `audit`. `hub` must have
// been opened with URI filenames allowed (Connection::Open does).
Status AttachAuditDb(Connection& hub, const std::string& path);

// Schema migration 15, in two transactions, each on one file, because a commit that spans
// attached WAL files is atomic per file only:
//   1. MoveAuditLogToAuditDb copies every row of hub.db's audit tables into audit.db, in
//      audit.db's transaction. INSERT OR IGNORE makes it idempotent: after a crash before step 2,
//      the next open copies again and adds only what is missing.
//   2. CheckAuditLogMoved runs in the migration's own transaction on hub.db, before its SQL
//      drops the old tables: each table holds as many rows in audit.db as in hub.db.
Status MoveAuditLogToAuditDb(Connection& audit, const std::string& hub_path);
Status CheckAuditLogMoved(Connection& hub);

}  // namespace tessera::store::sqlite
