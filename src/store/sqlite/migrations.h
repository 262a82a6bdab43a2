// The SQLite schema, as an ordered list of numbered migrations. Private to the store module.
//
// Policy (docs/design/0003-storage.md): a migration, once released, is never edited; a change
// to the schema is a new migration at the end of the list. Each one runs in its own
// transaction and is recorded in schema_migrations, so a hub is always at a whole version.
#pragma once

#include <span>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "store/sqlite/connection.h"

namespace tessera::store::sqlite {

struct Migration {
  int version;  // 1, 2, 3... with no gaps
  std::string_view description;
  std::string_view sql;  // one or more statements
};

// Written into the database header (PRAGMA application_id) so that a Tessera store can be told
// from any other SQLite file: "TSRA".
inline constexpr int32_t kApplicationId = 0x54535241;

std::span<const Migration> Migrations();

// The schema version this binary writes: the last migration's.
int LatestSchemaVersion();

// Reads the schema version of the database on `connection` (0 for an empty database).
// FailedPrecondition if the file is some other application's database.
Result<int> ReadSchemaVersion(Connection& connection);

// Brings the schema up to LatestSchemaVersion(), one transaction per migration, and returns
// the resulting version. FailedPrecondition if the database is newer than this binary, or
// (with `apply` false) older. Takes no write lock when there is nothing to do, so that opening
// a hub does not wait for a running load.
Result<int> Migrate(Connection& connection, const Clock& clock, bool apply);

}  // namespace tessera::store::sqlite
