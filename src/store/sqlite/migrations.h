// The SQLite schema, as an ordered list of numbered migrations. Private to the store module.
//
// Policy (docs/design/0003-storage.md): a migration, once released, is never edited; a change
// to the schema is a new migration at the end of the list. Each one runs in its own
// transaction and is recorded in schema_migrations, so a hub is always at a whole version.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "store/sqlite/connection.h"

namespace tessera::store::sqlite {

struct Migration {
  int version;  // 1, 2, 3... with no gaps
  std::string_view description;
  std::string_view sql;  // one or more statements
  // Optional: work on the audit log's database (audit_db.h) before the migration's transaction
  // on hub.db, in its own transaction there, since a commit spanning both files is atomic per
  // file only. It must be idempotent: a crash may come between the two.
  Status (*on_audit_db)(Connection& audit, const std::string& hub_path) = nullptr;
  // Optional: a check inside the migration's transaction on hub.db, before `sql` runs. The
  // migration is not applied unless it passes.
  Status (*check)(Connection& hub) = nullptr;
};

// Written into the database header (PRAGMA application_id) so that a Tessera store can be told
// from any other SQLite file: "TSRA".
inline constexpr int32_t kApplicationId = 0x54535241;

// The migration that moved the audit log into its own file, audit.db (audit_db.h): a hub at
// this version or later must have one.
inline constexpr int kAuditDbSchemaVersion = 15;

std::span<const Migration> Migrations();

// The schema version this binary writes: the last migration's.
int LatestSchemaVersion();

// Reads the schema version of the database on `connection` (0 for an empty database).
// FailedPrecondition if the file is some other application's database.
Result<int> ReadSchemaVersion(Connection& connection);

// OK if Migrate can bring a hub at schema `version` to LatestSchemaVersion(): it is not newer
// than this binary, and (with `apply` false) not older.
Status CheckMigratable(int version, bool apply);

// Brings the schema of hub.db, open on `connection` at `hub_path` with the audit log attached
// (AttachAuditDb), up to LatestSchemaVersion(), one transaction per migration, and returns the
// resulting version. `audit` is the audit log's own connection, for migrations that move data
// there. FailedPrecondition if the database is newer than this binary, or (with `apply` false)
// older. Takes no write lock when there is nothing to do, so that opening a hub does not wait
// for a running load.
Result<int> Migrate(Connection& connection, Connection& audit, const std::string& hub_path,
                    const Clock& clock, bool apply);

}  // namespace tessera::store::sqlite
