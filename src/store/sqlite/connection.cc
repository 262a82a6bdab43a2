#include "store/sqlite/connection.h"

#include <string>
#include <utility>

#include "core/check.h"
#include "store/sqlite/fault_injection.h"

namespace tessera::store::sqlite {

Status SqliteError(sqlite3* db, int rc, std::string_view operation) {
  std::string message(operation);
  message += ": ";
  // sqlite3_errmsg describes the most recent failure on `db`, which is `rc` when called
  // straight after it; otherwise fall back on the generic text for the code.
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  message += detail != nullptr ? detail : "unknown sqlite error";
  message += " (sqlite ";
  message += sqlite3_errstr(rc);
  message += ", code ";
  message += std::to_string(rc);
  message += ")";

  switch (rc) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_INTERRUPT:
      return Status::Unavailable(std::move(message));
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_ROWID:
      return Status::AlreadyExists(std::move(message));
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return Status::NotFound(std::move(message) + ": it refers to a row that does not exist");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(std::move(message));
    case SQLITE_FULL:
    case SQLITE_NOMEM:
    case SQLITE_TOOBIG:
      return Status::ResourceExhausted(std::move(message));
    default:
      break;
  }
  switch (rc & 0xff) {  // primary code of an extended one
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(std::move(message));
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
      return Status::InvalidArgument(std::move(message));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(std::move(message));
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_PROTOCOL:
      return Status::IoError(std::move(message));
    default:
      return Status::Internal(std::move(message));
  }
}

// ---------------------------------------------------------------------------------------------
// Query

Query::Query(sqlite3* db, sqlite3_stmt* stmt, bool* in_use, bool owned, std::string_view operation)
    : db_(db), stmt_(stmt), in_use_(in_use), owned_(owned), operation_(operation) {
  if (in_use_ != nullptr) *in_use_ = true;
}

Query::Query(Query&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      in_use_(std::exchange(other.in_use_, nullptr)),
      owned_(std::exchange(other.owned_, false)),
      operation_(other.operation_),
      bind_status_(std::move(other.bind_status_)) {}

Query::~Query() {
  if (stmt_ == nullptr) return;
  if (owned_) {
    sqlite3_finalize(stmt_);
  } else {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  if (in_use_ != nullptr) *in_use_ = false;
}

void Query::NoteBindResult(int rc) {
  if (rc != SQLITE_OK && bind_status_.ok()) {
    bind_status_ = SqliteError(db_, rc, std::string(operation_) + " (binding a parameter)");
  }
}

Query& Query::Bind(int index, int64_t value) {
  NoteBindResult(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Query& Query::Bind(int index, double value) {
  NoteBindResult(sqlite3_bind_double(stmt_, index, value));
  return *this;
}

namespace {

// A non-null pointer even for an empty string, so that "" binds as '' and not as NULL.
const char* TextData(std::string_view text) { return text.empty() ? "" : text.data(); }

}  // namespace

Query& Query::Bind(int index, std::string_view text) {
  NoteBindResult(sqlite3_bind_text64(stmt_, index, TextData(text), text.size(), SQLITE_TRANSIENT,
                                     SQLITE_UTF8));
  return *this;
}

Query& Query::BindUncopied(int index, std::string_view text) {
  NoteBindResult(
      sqlite3_bind_text64(stmt_, index, TextData(text), text.size(), SQLITE_STATIC, SQLITE_UTF8));
  return *this;
}

Query& Query::Bind(int index, const std::optional<int64_t>& value) {
  return value.has_value() ? Bind(index, *value) : BindNull(index);
}

Query& Query::Bind(int index, const std::optional<double>& value) {
  return value.has_value() ? Bind(index, *value) : BindNull(index);
}

Query& Query::BindBlob(int index, std::string_view bytes) {
  if (bytes.empty()) {
    NoteBindResult(sqlite3_bind_zeroblob(stmt_, index, 0));
  } else {
    NoteBindResult(sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT));
  }
  return *this;
}

Query& Query::BindNull(int index) {
  NoteBindResult(sqlite3_bind_null(stmt_, index));
  return *this;
}

Result<bool> Query::Step() {
  DCHECK(stmt_ != nullptr);
  if (!bind_status_.ok()) return bind_status_;
  OnStatementStep();
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db_, rc, operation_);
}

Status Query::Run() {
  while (true) {
    TRY_ASSIGN(bool row, Step());
    if (!row) return Status::Ok();
  }
}

void Query::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Query::IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

int64_t Query::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

double Query::Double(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Query::Text(int column) const {
  if (sqlite3_column_type(stmt_, column) == SQLITE_BLOB) {
    const void* data = sqlite3_column_blob(stmt_, column);
    int size = sqlite3_column_bytes(stmt_, column);
    if (data == nullptr || size <= 0) return {};
    return std::string(static_cast<const char*>(data), static_cast<size_t>(size));
  }
  const unsigned char* data = sqlite3_column_text(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr || size <= 0) return {};
  return std::string(reinterpret_cast<const char*>(data), static_cast<size_t>(size));
}

std::optional<int64_t> Query::OptionalInt(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int(column);
}

std::optional<double> Query::OptionalDouble(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Double(column);
}

std::optional<std::string> Query::OptionalText(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Text(column);
}

// ---------------------------------------------------------------------------------------------
// Connection

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, bool create,
                                                     int busy_timeout_ms) {
  // NOMUTEX: a connection is used by one thread at a time, so sqlite's own locking is waste.
  // URI: so that ATTACH can open a file read-only ("file:...?mode=ro"; audit_db.h).
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
  if (create) flags |= SQLITE_OPEN_CREATE;
  // With URIs allowed, a relative path that happens to begin "file:" must not be read as one.
  const std::string name = path.starts_with("file:") ? "./" + path : path;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(name.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status status = SqliteError(db, rc, "opening " + path);
    sqlite3_close_v2(db);  // a handle is returned even on failure; closing null is harmless
    return status;
  }
  std::unique_ptr<Connection> connection(new Connection(db));
  sqlite3_extended_result_codes(db, 1);
  rc = sqlite3_busy_timeout(db, busy_timeout_ms);
  if (rc != SQLITE_OK) return SqliteError(db, rc, "setting the busy timeout");
  return connection;
}

Connection::~Connection() {
  for (auto& [sql, cached] : cache_) {
    DCHECK(!cached.in_use);
    sqlite3_finalize(cached.stmt);
  }
  sqlite3_close_v2(db_);
}

Result<Query> Connection::Prepare(std::string_view sql, std::string_view operation) {
  auto it = cache_.find(sql);
  if (it != cache_.end() && !it->second.in_use) {
    return Query(db_, it->second.stmt, &it->second.in_use, /*owned=*/false, operation);
  }
  bool cache = it == cache_.end();
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              cache ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, std::string(operation) + " (preparing)");
  if (stmt == nullptr) {
    return Status::Internal(std::string(operation) + ": empty SQL statement");
  }
  if (!cache) return Query(db_, stmt, nullptr, /*owned=*/true, operation);
  auto [inserted, unused] = cache_.emplace(std::string(sql), CachedStatement{stmt, false});
  return Query(db_, stmt, &inserted->second.in_use, /*owned=*/false, operation);
}

Status Connection::Exec(std::string_view sql, std::string_view operation) {
  std::string text(sql);  // sqlite3_exec needs a terminated string
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, operation);
  return Status::Ok();
}

Result<std::string> Connection::QueryText(std::string_view sql, std::string_view operation) {
  TRY_ASSIGN(Query query, Prepare(sql, operation));
  TRY_ASSIGN(bool row, query.Step());
  if (!row) return Status::Internal(std::string(operation) + ": no row returned");
  return query.Text(0);
}

Result<int64_t> Connection::QueryInt(std::string_view sql, std::string_view operation) {
  TRY_ASSIGN(Query query, Prepare(sql, operation));
  TRY_ASSIGN(bool row, query.Step());
  if (!row) return Status::Internal(std::string(operation) + ": no row returned");
  return query.Int(0);
}

int64_t Connection::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

int64_t Connection::Changes() const { return sqlite3_changes64(db_); }

bool Connection::InAutocommit() const { return sqlite3_get_autocommit(db_) != 0; }

}  // namespace tessera::store::sqlite
