// The hub's layout, its lifecycle (init, open, refusal of what is not a hub) and schema
// migrations, and how the SQLite store is set up.
#include "store/hub.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "store/sqlite/audit_db.h"
#include "store/store.h"
#include "store/store_test_support.h"

namespace tessera::store {
namespace {

namespace fs = std::filesystem;
using testing::kTestEpochMicros;
using testing::RawDb;
using testing::TempDir;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

class HubTest : public ::testing::Test {
 protected:
  std::string HubDir() const { return tmp_.Sub("hub"); }
  std::string DbPath() const { return tmp_.Sub("hub/hub.db"); }

  TempDir tmp_;
  ManualClock clock_{kTestEpochMicros};
};

TEST_F(HubTest, InitCreatesTheLayout) {
  ASSERT_TRUE(InitHub(HubDir(), clock_).ok());

  EXPECT_TRUE(fs::is_regular_file(DbPath()));
  for (const char* dir : {"landing", "quarantine", "models", "exports"}) {
    EXPECT_TRUE(fs::is_directory(fs::path(HubDir()) / dir)) << dir;
  }
  std::string marker = ReadFile(HubDir() + "/hub.json");
  EXPECT_NE(marker.find("\"format\": \"tessera-hub\""), std::string::npos) << marker;
  EXPECT_NE(marker.find("\"format_version\": 1"), std::string::npos) << marker;
  EXPECT_NE(marker.find("\"created_at\": \"2024-05-06T07:08:09Z\""), std::string::npos) << marker;
  EXPECT_FALSE(fs::exists(HubDir() + "/hub.json.tmp"));
}

TEST_F(HubTest, InitIsIdempotentAndKeepsData) {
  ASSERT_TRUE(InitHub(HubDir(), clock_).ok());
  std::string first_marker = ReadFile(HubDir() + "/hub.json");
  {
    auto store = OpenSqliteStore(HubDir(), clock_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto txn = (*store)->Begin();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE((*store)->BeginLoad(**txn, "police", "a.csv", "h1", LoadMode::kIncremental).ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }

  clock_.Advance(int64_t{3600} * 1'000'000);
  ASSERT_TRUE(InitHub(HubDir(), clock_).ok());

  EXPECT_EQ(ReadFile(HubDir() + "/hub.json"), first_marker) << "the creation time is kept";
  auto store = OpenSqliteStore(HubDir(), clock_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto loads = (*store)->ListLoads("", 10);
  ASSERT_TRUE(loads.ok());
  EXPECT_EQ(loads->size(), 1u);
  auto migrations = (*store)->ListAppliedMigrations();
  ASSERT_TRUE(migrations.ok());
  EXPECT_EQ(migrations->size(), static_cast<size_t>(sqlite::LatestSchemaVersion()))
      << "each migration applied once";
}

TEST_F(HubTest, InitCompletesAnInterruptedInit) {
  fs::create_directories(fs::path(HubDir()) / "landing");
  ASSERT_TRUE(InitHub(HubDir(), clock_).ok());
  EXPECT_TRUE(fs::exists(HubDir() + "/hub.json"));
  EXPECT_TRUE(OpenSqliteStore(HubDir(), clock_).ok());
}

TEST_F(HubTest, InitRefusesADirectoryWithOtherFiles) {
  fs::create_directories(HubDir());
  WriteFile(HubDir() + "/notes.txt", "mine");

  Status status = InitHub(HubDir(), clock_);
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("notes.txt"), std::string::npos) << status.message();
  EXPECT_FALSE(fs::exists(DbPath())) << "nothing is written into a foreign directory";
  EXPECT_FALSE(fs::exists(HubDir() + "/landing"));
}

TEST_F(HubTest, InitRefusesAFile) {
  WriteFile(HubDir(), "not a directory");
  EXPECT_EQ(InitHub(HubDir(), clock_).code(), StatusCode::kFailedPrecondition);
}

TEST_F(HubTest, OpeningANonHubSaysToRunInit) {
  fs::create_directories(HubDir());
  auto store = OpenSqliteStore(HubDir(), clock_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("tessera init --data " + HubDir()), std::string::npos)
      << store.status().message();
  EXPECT_FALSE(fs::exists(DbPath())) << "opening does not create a store";
}

TEST_F(HubTest, OpeningAMissingDirectorySaysToRunInit) {
  auto store = OpenSqliteStore(tmp_.Sub("nowhere"), clock_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("tessera init --data"), std::string::npos);
  EXPECT_FALSE(fs::exists(tmp_.Sub("nowhere")));
}

TEST_F(HubTest, OpeningAHubWithoutItsDatabaseFails) {
  ASSERT_TRUE(InitHub(HubDir(), clock_).ok());
  fs::remove(DbPath());
  fs::remove(DbPath() + "-wal");
  fs::remove(DbPath() + "-shm");
  auto store = OpenSqliteStore(HubDir(), clock_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("hub.db"), std::string::npos);
  EXPECT_FALSE(fs::exists(DbPath()));
}

TEST_F(HubTest, OpeningANewerHubFormatFails) {
  ASSERT_TRUE(InitHub(HubDir(), clock_).ok());
  WriteFile(HubDir() + "/hub.json", R"({"format": "tessera-hub", "format_version": 2})");
  auto store = OpenSqliteStore(HubDir(), clock_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("newer"), std::string::npos);
  EXPECT_EQ(InitHub(HubDir(), clock_).code(), StatusCode::kFailedPrecondition);
}

TEST_F(HubTest, OpeningAHubWithAGarbledMarkerIsCorruption) {
  ASSERT_TRUE(InitHub(HubDir(), clock_).ok());
  WriteFile(HubDir() + "/hub.json", "{not json");
  EXPECT_EQ(OpenSqliteStore(HubDir(), clock_).status().code(), StatusCode::kCorruption);
}

TEST_F(HubTest, MigrationsAreRecordedAndAppliedOnce) {
  ASSERT_TRUE(InitHub(HubDir(), clock_).ok());
  clock_.Advance(1'000'000);
  {
    auto store = OpenSqliteStore(HubDir(), clock_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_EQ((*store)->SchemaVersion(), sqlite::LatestSchemaVersion());
    auto migrations = (*store)->ListAppliedMigrations();
    ASSERT_TRUE(migrations.ok());
    ASSERT_EQ(migrations->size(), static_cast<size_t>(sqlite::LatestSchemaVersion()));
    EXPECT_EQ((*migrations)[0].version, 1);
    EXPECT_EQ((*migrations)[0].applied_at_micros, kTestEpochMicros) << "applied at init";
    EXPECT_NE((*migrations)[0].description.find("initial"), std::string::npos);
    EXPECT_EQ((*migrations)[1].version, 2);
    EXPECT_NE((*migrations)[1].description.find("data quality"), std::string::npos);
  }
  RawDb raw(DbPath());
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM schema_migrations"), sqlite::LatestSchemaVersion());
  EXPECT_EQ(raw.QueryInt("SELECT max(applied_at) FROM schema_migrations"), kTestEpochMicros);
  // Migration 4 made the resolution state (resolution_store_test.cc tests it on a version 3 hub),
  // and migration 5 the households (household_store_test.cc, on a version 4 hub).
  for (const char* table :
       {"nominal_lineage", "review_pairs", "link_decisions", "resolver_state"}) {
    EXPECT_EQ(raw.QueryInt(std::string("SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                                       "AND name = '") +
                           table + "'"),
              1)
        << table;
  }
  // Migration 3 made the audit log and the triggers that keep it append-only; migration 15
  // moved it to its own file, audit.db.
  EXPECT_NE(
      (*(OpenSqliteStore(HubDir(), clock_).value()->ListAppliedMigrations()))[2].description.find(
          "audit"),
      std::string::npos);
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'audit%'"), 0);
  RawDb audit(internal::AuditDbPath(HubDir()));
  EXPECT_EQ(audit.QueryInt("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = "
                           "'audit_events'"),
            1);
  EXPECT_EQ(audit.QueryInt("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND "
                           "tbl_name = 'audit_events'"),
            2);
  EXPECT_EQ(audit.QueryInt("PRAGMA user_version"), sqlite::kAuditSchemaVersion);
  // Migration 2 made the data-quality tables.
  for (const char* table : {"load_quality", "load_field_stats", "load_category_counts"}) {
    EXPECT_EQ(raw.QueryInt(std::string("SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                                       "AND name = '") +
                           table + "'"),
              1)
        << table;
  }
  // Migration 1 made the POLE tables.
  for (const char* table : {"loads", "source_records", "person_records", "quarantine", "locations",
                            "events", "event_involvements", "objects", "nominals",
                            "nominal_records", "nominal_changes", "household_memberships"}) {
    EXPECT_EQ(raw.QueryInt(std::string("SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                                       "AND name = '") +
                           table + "'"),
              1)
        << table;
  }
}

TEST_F(HubTest, AHubWithANewerSchemaRefusesToOpen) {
  ASSERT_TRUE(InitHub(HubDir(), clock_).ok());
  {
    RawDb raw(DbPath());
    raw.Exec(
        "INSERT INTO schema_migrations (version, applied_at, description) "
        "VALUES (99, 0, 'from the future')");
  }
  auto store = OpenSqliteStore(HubDir(), clock_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("99"), std::string::npos) << store.status().message();
  EXPECT_NE(store.status().message().find("newer"), std::string::npos);

  OpenOptions no_migrations;
  no_migrations.apply_migrations = false;
  auto without = OpenSqliteStore(HubDir(), clock_, no_migrations);
  ASSERT_FALSE(without.ok());
  EXPECT_NE(without.status().message().find("newer"), std::string::npos)
      << without.status().message();
}

TEST_F(HubTest, OpeningWithoutMigrationsWorksOnACurrentHub) {
  ASSERT_TRUE(InitHub(HubDir(), clock_).ok());
  OpenOptions options;
  options.apply_migrations = false;
  auto store = OpenSqliteStore(HubDir(), clock_, options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->SchemaVersion(), sqlite::LatestSchemaVersion());
}

// Migration 16 rebuilds event_involvements WITHOUT ROWID: every involvement survives, and the
// reads by event and by person record find them.
TEST_F(HubTest, Migration16KeepsEveryInvolvement) {
  testing::MakeHubAtSchemaVersion(HubDir(), clock_, 15);
  {
    RawDb raw(DbPath());
    raw.Exec(
        "INSERT INTO loads (id, source_id, file, file_hash, mode, status, started_at) VALUES "
        "(1, 's', 'f.csv', 'h', 'incremental', 'completed', 1);"
        "INSERT INTO source_records (id, source_id, record_key, version, is_current, is_deleted, "
        "load_id, file, line, byte_offset, received_at, content_hash, payload) VALUES "
        "(1, 's', 'k1', 1, 1, 0, 1, 'f.csv', 2, 10, 1, 'c1', 'p1'), "
        "(2, 's', 'k2', 1, 1, 0, 1, 'f.csv', 3, 20, 1, 'c2', 'p2');"
        "INSERT INTO person_records (id, source_record_id, mention_key, role) VALUES "
        "(1, 1, 'k1#victim', 'victim'), (2, 1, 'k1#suspect', 'suspect'), "
        "(3, 2, 'k2#victim', 'victim');"
        "INSERT INTO events (id, source_record_id, source_id, event_ref, type, agency, "
        "event_date) VALUES (1, 1, 's', 'E1', 'crime', 'police', '2024-01-02'), "
        "(2, 2, 's', 'E2', 'crime', 'police', '2024-02-03');"
        "INSERT INTO event_involvements (event_id, person_record_id, role) VALUES "
        "(1, 2, 'suspect'), (1, 1, 'victim'), (2, 3, 'victim'), (2, 1, 'witness');");
  }
  auto store = OpenSqliteStore(HubDir(), clock_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_EQ((*store)->SchemaVersion(), 16);
  auto first = (*store)->GetEvent(1);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->involvements.size(), 2u);
  EXPECT_EQ(first->involvements[0].person_record_id, 1);
  EXPECT_EQ(first->involvements[0].role, model::Role::kVictim);
  EXPECT_EQ(first->involvements[1].person_record_id, 2);
  EXPECT_EQ(first->involvements[1].role, model::Role::kSuspect);
  auto of_person = (*store)->ListEventsForPersonRecord(1);
  ASSERT_TRUE(of_person.ok()) << of_person.status().ToString();
  ASSERT_EQ(of_person->size(), 2u) << "a victim in one event, a witness in the other";
  EXPECT_EQ((*of_person)[1].id, 2);
  store->reset();
  RawDb raw(DbPath());
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM event_involvements"), 4);
  EXPECT_NE(raw.QueryText("SELECT sql FROM sqlite_schema WHERE name = 'event_involvements'")
                .find("WITHOUT ROWID"),
            std::string::npos);
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM sqlite_schema WHERE name IN "
                         "('source_records_by_load', 'event_involvements_keyed')"),
            0);
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM sqlite_schema WHERE name = "
                         "'event_involvements_by_person'"),
            1);
  EXPECT_EQ(raw.QueryText("PRAGMA foreign_key_check"), "");
}

// A backup is a new directory holding compacted snapshots of both databases, the marker and
// the configuration, readable by its owner only; the hub carries on and the copy does not
// follow it; nothing is ever written over.
TEST_F(HubTest, BackupCopiesTheStoreAndConfigurationIntoANewDirectory) {
  ASSERT_TRUE(InitHub(HubDir(), clock_).ok());
  fs::create_directories(HubDir() + "/mappings");
  WriteFile(HubDir() + "/mappings/s.yaml", "source: s\n");
  fs::create_directories(HubDir() + "/keys");
  WriteFile(HubDir() + "/keys/audit.key", "secret");
  WriteFile(HubDir() + "/landing/partner.csv", "a,b\n");
  WriteFile(HubDir() + "/audit.anchor", "{}");  // as a signer leaves it (govern/audit_log.h)
  auto store = OpenSqliteStore(HubDir(), clock_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  AuditEvent event;
  event.actor = "cli:alice";
  event.action = "hub.backup";
  event.justification = "test";
  event.resource = "hub";
  ASSERT_TRUE((*store)->AppendAudit(event).ok());
  {
    // Pages that the hub frees are left out of the copy.
    RawDb raw(DbPath());
    raw.Exec(
        "CREATE TABLE scratch (x); INSERT INTO scratch SELECT zeroblob(4000) FROM "
        "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) "
        "SELECT i FROM n); DROP TABLE scratch;");
    ASSERT_GT(raw.QueryInt("PRAGMA freelist_count"), 100);
  }

  // Not while this store has a transaction open.
  {
    auto txn = (*store)->Begin();
    ASSERT_TRUE(txn.ok());
    auto refused = BackupHub(HubDir(), **store, tmp_.Sub("busy"));
    EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  }
  fs::remove_all(tmp_.Sub("busy.partial"));

  const std::string copy = tmp_.Sub("copy");
  auto summary = BackupHub(HubDir(), **store, copy);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_FALSE(fs::exists(copy + ".partial"));
  std::vector<std::string> files;
  for (const auto& [path, bytes] : summary->files) files.push_back(path);
  EXPECT_EQ(files, (std::vector<std::string>{"hub.json", "audit.anchor", "audit.db", "hub.db",
                                             "mappings/s.yaml"}));
  EXPECT_EQ(ReadFile(copy + "/mappings/s.yaml"), "source: s\n");
  EXPECT_FALSE(fs::exists(copy + "/keys"));
  EXPECT_FALSE(fs::exists(copy + "/landing"));
  std::vector<std::string> left;
  for (const auto& [name, why] : summary->left) left.push_back(name);
  EXPECT_EQ(left, (std::vector<std::string>{"keys", "landing", "quarantine", "exports"}));
  EXPECT_EQ(fs::status(copy).permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_EQ(fs::status(copy + "/hub.db").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  {
    RawDb raw(copy + "/hub.db");
    EXPECT_EQ(raw.QueryInt("PRAGMA freelist_count"), 0);
  }

  // The hub goes on; the copy stays as it was, opens as a hub, and its log verifies.
  ASSERT_TRUE((*store)->AppendAudit(event).ok());
  auto copied = OpenSqliteStore(copy, clock_);
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  auto verified = (*copied)->VerifyAudit();
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_TRUE(verified->intact);
  EXPECT_EQ(verified->events, 1);

  auto again = BackupHub(HubDir(), **store, copy);
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  fs::create_directory(tmp_.Sub("copy2.partial"));
  auto interrupted = BackupHub(HubDir(), **store, tmp_.Sub("copy2"));
  EXPECT_EQ(interrupted.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(interrupted.status().message().find("interrupted"), std::string::npos);
}

TEST_F(HubTest, AnotherProgramsDatabaseIsLeftAlone) {
  ASSERT_TRUE(InitHub(HubDir(), clock_).ok());
  fs::remove(DbPath());
  fs::remove(DbPath() + "-wal");
  fs::remove(DbPath() + "-shm");
  {
    RawDb raw(DbPath());
    raw.Exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)");
  }
  auto store = OpenSqliteStore(HubDir(), clock_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("not a Tessera store"), std::string::npos);
  RawDb raw(DbPath());
  EXPECT_EQ(raw.QueryText("PRAGMA journal_mode"), "delete") << "not switched to WAL";
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM sqlite_schema"), 1);
}

TEST_F(HubTest, TheStoreRunsInWalModeWithItsApplicationId) {
  ASSERT_TRUE(InitHub(HubDir(), clock_).ok());
  auto store = OpenSqliteStore(HubDir(), clock_);
  ASSERT_TRUE(store.ok());
  RawDb raw(DbPath());
  EXPECT_EQ(raw.QueryText("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.QueryInt("PRAGMA application_id"), 0x54535241);
}

TEST_F(HubTest, TwoStoresShareAHub) {
  ASSERT_TRUE(InitHub(HubDir(), clock_).ok());
  OpenOptions quick;
  quick.busy_timeout_ms = 50;
  auto writer = OpenSqliteStore(HubDir(), clock_, quick);
  auto reader = OpenSqliteStore(HubDir(), clock_, quick);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();

  auto txn = (*writer)->Begin();
  ASSERT_TRUE(txn.ok());
  auto load = (*writer)->BeginLoad(**txn, "police", "a.csv", "h1", LoadMode::kIncremental);
  ASSERT_TRUE(load.ok());

  // The reader is not blocked, and does not see the uncommitted load.
  auto seen = (*reader)->ListLoads("", 10);
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  EXPECT_TRUE(seen->empty());
  // A second writer waits for the busy timeout, then gives up with Unavailable.
  auto second = (*reader)->Begin();
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable) << second.status().ToString();

  ASSERT_TRUE((*txn)->Commit().ok());
  seen = (*reader)->ListLoads("", 10);
  ASSERT_TRUE(seen.ok());
  ASSERT_EQ(seen->size(), 1u);
  EXPECT_EQ((*seen)[0].id, *load);
  auto now_free = (*reader)->Begin();
  EXPECT_TRUE(now_free.ok()) << now_free.status().ToString();
}

TEST_F(HubTest, ASecondWriterWaitsForTheFirst) {
  ASSERT_TRUE(InitHub(HubDir(), clock_).ok());
  auto first = OpenSqliteStore(HubDir(), clock_);
  ASSERT_TRUE(first.ok());
  auto txn = (*first)->Begin();
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE((*first)->BeginLoad(**txn, "police", "a.csv", "h1", LoadMode::kIncremental).ok());

  // Another store (each used by its own thread) waits within its busy timeout, then writes.
  Status second_status = Status::Internal("not run");
  std::thread second_writer([&] {
    auto second = OpenSqliteStore(HubDir(), clock_);
    if (!second.ok()) {
      second_status = second.status();
      return;
    }
    auto second_txn = (*second)->Begin();
    if (!second_txn.ok()) {
      second_status = second_txn.status();
      return;
    }
    auto load = (*second)->BeginLoad(**second_txn, "health", "b.csv", "h2", LoadMode::kIncremental);
    second_status = load.ok() ? (*second_txn)->Commit() : load.status();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_TRUE((*txn)->Commit().ok());
  second_writer.join();
  EXPECT_TRUE(second_status.ok()) << second_status.ToString();

  auto loads = (*first)->ListLoads("", 10);
  ASSERT_TRUE(loads.ok());
  ASSERT_EQ(loads->size(), 2u);
  EXPECT_EQ((*loads)[0].source_id, "health");
  EXPECT_EQ((*loads)[1].source_id, "police");
}

}  // namespace
}  // namespace tessera::store
