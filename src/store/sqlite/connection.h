// A thin RAII layer over the sqlite3 C API: one connection, its cache of prepared statements,
// and the mapping of sqlite result codes to Status. Private to the store module.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tessera::store::sqlite {

// A Status for sqlite result code `rc`, naming the operation and quoting sqlite's message.
// `db` may be null (the message then comes from the code alone).
Status SqliteError(sqlite3* db, int rc, std::string_view operation);

// One use of a prepared statement: bind, step, read columns. On destruction the statement is
// reset and its bindings cleared, ready for the next use. Bind errors are remembered and
// reported by the next Step()/Run().
class Query {
 public:
  Query(Query&& other) noexcept;
  Query& operator=(Query&&) = delete;
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  ~Query();

  // Parameters are 1-based, as in sqlite.
  Query& Bind(int index, int64_t value);
  Query& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Query& Bind(int index, bool value) { return Bind(index, static_cast<int64_t>(value ? 1 : 0)); }
  Query& Bind(int index, double value);
  Query& Bind(int index, std::string_view text);
  Query& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  // Binds text without copying it: the bytes must stay unchanged until this Query is reset or
  // destroyed. For the load's hot inserts, where a copy per bound value was a tenth of a load's
  // time; everywhere else Bind is the safe choice.
  Query& BindUncopied(int index, std::string_view text);
  Query& Bind(int index, const std::optional<int64_t>& value);
  Query& Bind(int index, const std::optional<double>& value);
  Query& BindBlob(int index, std::string_view bytes);
  Query& BindNull(int index);

  // Steps once: true if a row is available, false when done.
  Result<bool> Step();
  // Steps to the end, for statements that return no rows.
  Status Run();
  // Readies the statement to run again with new bindings.
  void Reset();

  // Columns are 0-based, as in sqlite. Valid after Step() returned true.
  bool IsNull(int column) const;
  int64_t Int(int column) const;
  double Double(int column) const;
  std::string Text(int column) const;  // also reads blobs; NULL reads as ""
  std::optional<int64_t> OptionalInt(int column) const;
  std::optional<double> OptionalDouble(int column) const;
  std::optional<std::string> OptionalText(int column) const;

 private:
  friend class Connection;
  Query(sqlite3* db, sqlite3_stmt* stmt, bool* in_use, bool owned, std::string_view operation);
  void NoteBindResult(int rc);

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  bool* in_use_ = nullptr;  // the cache's flag for this statement; null if not cached
  bool owned_ = false;      // finalize on destruction (an uncached, one-off statement)
  // Only read to build error messages. A view, not a copy: a copy was a heap allocation per
  // statement run on the resolver's write path. Prepare() documents the lifetime it needs.
  std::string_view operation_;
  Status bind_status_;
};

// One sqlite3 connection. Not thread-safe: one thread at a time.
class Connection {
 public:
  // Opens (and with `create`, creates) the database file at `path`.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, bool create,
                                                  int busy_timeout_ms);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // A query on the cached prepared statement for `sql` (prepared on first use). If that
  // statement is already in use (a query nested in another's loop), a one-off statement is
  // prepared instead. `operation` names the caller in error messages; the Query keeps a view
  // of it, so it must outlive the Query (a literal, or a string in the caller's scope).
  Result<Query> Prepare(std::string_view sql, std::string_view operation);

  // Runs one or more statements that take no parameters (DDL, pragmas, BEGIN/COMMIT).
  Status Exec(std::string_view sql, std::string_view operation);

  // Runs a pragma-like statement that returns one text value (e.g. "PRAGMA journal_mode").
  Result<std::string> QueryText(std::string_view sql, std::string_view operation);
  Result<int64_t> QueryInt(std::string_view sql, std::string_view operation);

  int64_t LastInsertRowId() const;
  int64_t Changes() const;
  // True when no transaction is open on this connection.
  bool InAutocommit() const;

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  struct CachedStatement {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };

  sqlite3* db_ = nullptr;
  std::map<std::string, CachedStatement, std::less<>> cache_;
};

// Runs `body` (returning Status) inside BEGIN IMMEDIATE ... COMMIT on `db`, rolling back if it
// or the commit fails; the first error is the one returned.
template <typename Body>
Status InWriteTransaction(Connection& db, std::string_view operation, Body body) {
  TRY(db.Exec("BEGIN IMMEDIATE", operation));
  Status status = body();
  if (status.ok()) status = db.Exec("COMMIT", operation);
  if (!status.ok() && !db.InAutocommit()) (void)db.Exec("ROLLBACK", operation);
  return status;
}

}  // namespace tessera::store::sqlite
