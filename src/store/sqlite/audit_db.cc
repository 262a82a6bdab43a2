#include "store/sqlite/audit_db.h"

#include <array>
#include <filesystem>
#include <string_view>

namespace tessera::store::sqlite {
namespace {

// The log's layout, as hub.db's migrations 3, 8 and 14 left it there (docs/design/
// 0006-audit-log.md). The triggers make every table append-only through SQL. Released
// migrations are frozen history (0003-storage.md), so their statements are restated here, not
// shared.
constexpr std::string_view kAuditSchemaV1 = R"sql(
CREATE TABLE audit_events (
  seq           INTEGER PRIMARY KEY CHECK (seq >= 1),
  at            INTEGER NOT NULL,
  actor         TEXT    NOT NULL,
  agency        TEXT    NOT NULL DEFAULT '',
  role          TEXT    NOT NULL DEFAULT '',
  action        TEXT    NOT NULL,
  purpose       TEXT    NOT NULL,
  justification TEXT    NOT NULL,
  agreement     TEXT    NOT NULL DEFAULT '',
  outcome       TEXT    NOT NULL DEFAULT '',
  resource      TEXT    NOT NULL,
  detail        TEXT    NOT NULL,
  nominals      TEXT    NOT NULL DEFAULT '[]',
  records       TEXT    NOT NULL DEFAULT '[]',
  encoding      INTEGER NOT NULL DEFAULT 1,
  prev_hash     TEXT    NOT NULL,
  hash          TEXT    NOT NULL
);
CREATE INDEX audit_events_by_at ON audit_events (at);
CREATE INDEX audit_events_by_actor ON audit_events (actor, seq);
CREATE INDEX audit_events_by_agency ON audit_events (agency, seq);

CREATE TABLE audit_subjects (
  seq        INTEGER NOT NULL REFERENCES audit_events (seq),
  nominal_id INTEGER NOT NULL,
  PRIMARY KEY (seq, nominal_id)
) WITHOUT ROWID;

CREATE TABLE audit_checkpoints (
  seq  INTEGER PRIMARY KEY REFERENCES audit_events (seq),
  hash TEXT    NOT NULL,
  mac  TEXT    NOT NULL,
  at   INTEGER NOT NULL
);

CREATE TABLE audit_periods (
  period    INTEGER PRIMARY KEY CHECK (period >= 1),
  first_seq INTEGER NOT NULL CHECK (first_seq >= 1),
  last_seq  INTEGER NOT NULL,
  CHECK (last_seq >= first_seq)
);

CREATE TABLE audit_nominal_index (
  period     INTEGER NOT NULL,
  nominal_id INTEGER NOT NULL,
  seq        INTEGER NOT NULL,
  PRIMARY KEY (period, nominal_id, seq)
) WITHOUT ROWID;

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only: events cannot be changed');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only: events cannot be deleted');
END;
CREATE TRIGGER audit_subjects_no_update BEFORE UPDATE ON audit_subjects
BEGIN
  SELECT RAISE(ABORT, 'audit_subjects is append-only: rows cannot be changed');
END;
CREATE TRIGGER audit_subjects_no_delete BEFORE DELETE ON audit_subjects
BEGIN
  SELECT RAISE(ABORT, 'audit_subjects is append-only: rows cannot be deleted');
END;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN
  SELECT RAISE(ABORT, 'audit_checkpoints is append-only: checkpoints cannot be changed');
END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN
  SELECT RAISE(ABORT, 'audit_checkpoints is append-only: checkpoints cannot be deleted');
END;
CREATE TRIGGER audit_periods_no_update BEFORE UPDATE ON audit_periods
BEGIN
  SELECT RAISE(ABORT, 'audit_periods is append-only: periods cannot be changed');
END;
CREATE TRIGGER audit_periods_no_delete BEFORE DELETE ON audit_periods
BEGIN
  SELECT RAISE(ABORT, 'audit_periods is append-only: periods cannot be deleted');
END;
CREATE TRIGGER audit_nominal_index_no_update BEFORE UPDATE ON audit_nominal_index
BEGIN
  SELECT RAISE(ABORT, 'audit_nominal_index is append-only: rows cannot be changed');
END;
CREATE TRIGGER audit_nominal_index_no_delete BEFORE DELETE ON audit_nominal_index
BEGIN
  SELECT RAISE(ABORT, 'audit_nominal_index is append-only: rows cannot be deleted');
END;
)sql";

// The log's tables in the order their rows are copied (a row's foreign keys first), each with
// its key and every column.
struct AuditTable {
  std::string_view name;
  std::string_view key;
  std::array<std::string_view, 17> columns;
};

constexpr std::array<AuditTable, 5> kAuditTables = {{
    {"audit_events",
     "seq",
     {"seq", "at", "actor", "agency", "role", "action", "purpose", "justification", "agreement",
      "outcome", "resource", "detail", "nominals", "records", "encoding", "prev_hash", "hash"}},
    {"audit_subjects", "seq, nominal_id", {"seq", "nominal_id"}},
    {"audit_checkpoints", "seq", {"seq", "hash", "mac", "at"}},
    {"audit_periods", "period", {"period", "first_seq", "last_seq"}},
    {"audit_nominal_index", "period, nominal_id, seq", {"period", "nominal_id", "seq"}},
}};

// "a, b, c": the table's columns.
std::string ColumnList(const AuditTable& table) {
  std::string out;
  for (std::string_view column : table.columns) {
    if (column.empty()) break;
    if (!out.empty()) out += ", ";
    out += column;
  }
  return out;
}

// "a.x = h.x AND ...": the row `a` equals the row `h` in every column (all are NOT NULL).
std::string SameRow(const AuditTable& table) {
  std::string out;
  for (std::string_view column : table.columns) {
    if (column.empty()) break;
    if (!out.empty()) out += " AND ";
    out += "a." + std::string(column) + " = h." + std::string(column);
  }
  return out;
}

// `path` as an SQLite URI filename ("file:/abs/path"), with the characters that URIs give a
// meaning escaped.
std::string UriFilename(const std::string& path) {
  std::string absolute = std::filesystem::absolute(path).lexically_normal().string();
  std::string out = "file:";
  for (char c : absolute) {
    if (c == '%' || c == '?' || c == '#') {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += '%';
      out += kHex[(static_cast<unsigned char>(c) >> 4) & 0xF];
      out += kHex[static_cast<unsigned char>(c) & 0xF];
    } else {
      out += c;
    }
  }
  return out;
}

// Checks the file's identity and version, and creates the schema in an empty file. The write
// lock is taken only to create it, so that opening a store does not queue behind appends.
Status EnsureAuditSchema(Connection& db, const std::string& path) {
  const std::string operation = "reading the audit log's schema version in " + path;
  auto check = [&](bool create) -> Status {
    TRY_ASSIGN(int64_t version, db.QueryInt("PRAGMA user_version", operation));
    TRY_ASSIGN(int64_t application_id, db.QueryInt("PRAGMA application_id", operation));
    if (version == 0) {
      TRY_ASSIGN(int64_t objects, db.QueryInt("SELECT count(*) FROM sqlite_schema", operation));
      if (application_id != 0 || objects != 0) {
        return Status::Corruption(path + " is not a Tessera audit log (it has no schema version)");
      }
      if (!create) return Status::NotFound("no schema yet");
      TRY(db.Exec(kAuditSchemaV1, operation));
      TRY(db.Exec("PRAGMA application_id = " + std::to_string(kAuditApplicationId), operation));
      return db.Exec("PRAGMA user_version = " + std::to_string(kAuditSchemaVersion), operation);
    }
    if (application_id != kAuditApplicationId) {
      return Status::Corruption(path + " is not a Tessera audit log (application id " +
                                std::to_string(application_id) + ")");
    }
    if (version > kAuditSchemaVersion) {
      return Status::FailedPrecondition(
          "the audit log " + path + " has layout version " + std::to_string(version) +
          ", newer than this version of tessera understands: upgrade tessera to open it");
    }
    return Status::Ok();
  };
  Status checked = check(/*create=*/false);
  if (checked.code() != StatusCode::kNotFound) return checked;
  // Another process may create it while this one waits for the lock: check again inside.
  return InWriteTransaction(db, operation, [&] { return check(/*create=*/true); });
}

// Attaches the database file at `path` to `db` read-only, as schema `schema`.
Status AttachReadOnly(Connection& db, const std::string& path, std::string_view schema,
                      std::string_view operation) {
  TRY_ASSIGN(Query attach, db.Prepare("ATTACH ?1 AS " + std::string(schema), operation));
  attach.Bind(1, UriFilename(path) + "?mode=ro");
  return attach.Run();
}

}  // namespace

Result<std::unique_ptr<Connection>> OpenAuditDb(const std::string& path, bool create,
                                                int busy_timeout_ms, bool checkpoint_on_commit) {
  std::error_code ec;
  if (!create && !std::filesystem::exists(path, ec)) {
    return Status::FailedPrecondition(
        "the hub's audit log " + path +
        " is missing: restore it from the backup taken with hub.db; the hub will not start a new, "
        "empty log in its place");
  }
  TRY_ASSIGN(std::unique_ptr<Connection> db, Connection::Open(path, create, busy_timeout_ms));
  TRY(db->Exec("PRAGMA foreign_keys = ON", "enabling foreign keys on the audit log"));
  // An event must be on disk before the data it records is shown: every commit syncs the WAL.
  TRY(db->Exec("PRAGMA synchronous = FULL", "setting the audit log's synchronous mode"));
  if (!checkpoint_on_commit) {
    TRY(db->Exec("PRAGMA wal_autocheckpoint = 0", "leaving audit checkpoints to Checkpoint()"));
  }
  TRY_ASSIGN(std::string mode,
             db->QueryText("PRAGMA journal_mode = WAL", "enabling WAL on the audit log"));
  if (mode != "wal") {
    return Status::IoError("cannot put " + path + " in WAL mode (sqlite kept '" + mode +
                           "'): is it on a network file system?");
  }
  TRY(EnsureAuditSchema(*db, path));
  return db;
}

Status AttachAuditDb(Connection& hub, const std::string& path) {
  return AttachReadOnly(hub, path, "audit", "attaching the audit log");
}

Status MoveAuditLogToAuditDb(Connection& audit, const std::string& hub_path) {
  const std::string operation = "copying the audit log from " + hub_path + " into its own file";
  TRY(AttachReadOnly(audit, hub_path, "legacy", operation));
  Status moved = InWriteTransaction(audit, operation, [&]() -> Status {
    TRY_ASSIGN(int64_t has_log,
               audit.QueryInt("SELECT count(*) FROM legacy.sqlite_schema WHERE type = 'table' AND "
                              "name = 'audit_events'",
                              operation));
    if (has_log == 0) return Status::Ok();  // moved already, by a run that then crashed
    for (const AuditTable& table : kAuditTables) {
      const std::string columns = ColumnList(table);
      TRY(audit.Exec("INSERT OR IGNORE INTO main." + std::string(table.name) + " (" + columns +
                         ") SELECT " + columns + " FROM legacy." + std::string(table.name) +
                         " ORDER BY " + std::string(table.key),
                     operation));
    }
    return Status::Ok();
  });
  Status detached = audit.Exec("DETACH legacy", operation);
  TRY(moved);
  return detached;
}

Status CheckAuditLogMoved(Connection& hub) {
  constexpr std::string_view kOp = "checking the audit log's copy before dropping it from hub.db";
  for (const AuditTable& table : kAuditTables) {
    const std::string name(table.name);
    TRY_ASSIGN(int64_t here, hub.QueryInt("SELECT count(*) FROM main." + name, kOp));
    TRY_ASSIGN(int64_t there, hub.QueryInt("SELECT count(*) FROM audit." + name, kOp));
    TRY_ASSIGN(int64_t missing, hub.QueryInt("SELECT count(*) FROM main." + name +
                                                 " h WHERE NOT EXISTS (SELECT 1 "
                                                 "FROM audit." +
                                                 name + " a WHERE " + SameRow(table) + ")",
                                             kOp));
    if (here != there || missing != 0) {
      return Status::Corruption(
          std::string(kOp) + ": " + name + " holds " + std::to_string(here) +
          " rows in hub.db and " + std::to_string(there) + " in audit.db, " +
          std::to_string(missing) +
          " of hub.db's not among them; hub.db is left as it was. Move audit.db aside and open "
          "the hub again to copy the log afresh");
    }
  }
  return Status::Ok();
}

}  // namespace tessera::store::sqlite
