// Test helpers for the store module: a fresh temporary directory per test, and raw sqlite access
// for checks the Store interface deliberately does not offer.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/sqlite/migrations.h"
#include "store/store.h"

namespace tessera::store::testing {

// 2024-05-06T07:08:09Z
inline constexpr int64_t kTestEpochMicros = int64_t{1'714'979'289} * 1'000'000;

// A directory that exists for one test and is removed after it.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "tessera_store_test_XXXXXX").string();
    char* made = mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr) << "mkdtemp failed";
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const {
    return (std::filesystem::path(path_) / name).string();
  }

 private:
  std::string path_;
};

// A raw sqlite3 handle on a database file, closed at scope exit.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    int rc =
        sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    EXPECT_EQ(rc, SQLITE_OK) << sqlite3_errmsg(db_);
    sqlite3_busy_timeout(db_, 2000);
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  void Exec(const std::string& sql) {
    char* error = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << (error != nullptr ? error : "");
    sqlite3_free(error);
  }

  // Runs `sql` expecting it may fail: sqlite's error message, or "" if it succeeded.
  std::string ExecError(const std::string& sql) {
    char* error = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
    std::string message = rc == SQLITE_OK ? "" : (error != nullptr ? error : "failed");
    sqlite3_free(error);
    return message;
  }

  // The first column of the first row, as text ("" if there is no row).
  std::string QueryText(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
    EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << sqlite3_errmsg(db_);
    std::string out;
    if (rc == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, 0);
      if (text != nullptr) out = reinterpret_cast<const char*>(text);
    }
    sqlite3_finalize(stmt);
    return out;
  }

  int64_t QueryInt(const std::string& sql) { return std::stoll(QueryText(sql)); }

 private:
  sqlite3* db_ = nullptr;
};

// Makes `hub_dir` a hub whose store is as a binary whose last migration was `version` left it
// (the migrations' SQL applied by hand, nothing after), for migration tests. Returns the path
// of its database, for the test to add rows with RawDb before opening it.
inline std::string MakeHubAtSchemaVersion(const std::string& hub_dir, const Clock& clock,
                                          int version) {
  EXPECT_TRUE(InitHub(hub_dir, clock).ok());
  std::string db = hub_dir + "/hub.db";
  // A hub older than migration 15 kept its audit log in hub.db: it had no audit.db. A later one
  // keeps the (empty) audit.db InitHub made.
  std::vector<std::string> files = {db};
  if (version < sqlite::kAuditDbSchemaVersion) files.push_back(hub_dir + "/audit.db");
  for (const std::string& file : files) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file + suffix);
  }
  RawDb raw(db);
  raw.Exec("PRAGMA application_id = " + std::to_string(sqlite::kApplicationId));
  raw.Exec(
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT "
      "NULL, description TEXT NOT NULL)");
  for (const sqlite::Migration& migration : sqlite::Migrations()) {
    if (migration.version > version) break;
    raw.Exec(std::string(migration.sql));
    raw.Exec("INSERT INTO schema_migrations VALUES (" + std::to_string(migration.version) +
             ", 1, 'old')");
  }
  return db;
}

// A fresh hub per test, with its store open and a manual clock.
class HubFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitHub(tmp_.path(), clock_).ok());
    Reopen();
  }

  void Reopen() {
    store_.reset();
    auto opened = OpenSqliteStore(tmp_.path(), clock_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  std::unique_ptr<Transaction> Begin() {
    auto txn = store_->Begin();
    EXPECT_TRUE(txn.ok()) << txn.status().ToString();
    return txn.ok() ? std::move(txn).value() : nullptr;
  }

  TempDir tmp_;
  ManualClock clock_{kTestEpochMicros};
  std::unique_ptr<Store> store_;
};

}  // namespace tessera::store::testing
