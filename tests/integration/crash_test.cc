// Kill an ingest with SIGKILL at many points, mid-commit among them; after a re-run the
// database must be exactly what one clean run gives. Crash points are chosen by counting the
// statements and file writes of a clean run, then killing a forked child at evenly spaced
// statements and at evenly spaced writes (which, with a load held in the page cache until
// commit, fall inside the commit itself).
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>

#include "ingest/ingest.h"
#include "store/sqlite/fault_injection.h"
#include "store/store.h"
#include "synth/synth.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;

// Every row of every table, in rowid order: the database's whole observable state.
std::string Dump(const fs::path& db_path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return "cannot open";
  }
  std::string out;
  std::vector<std::string> tables;
  sqlite3_stmt* list = nullptr;
  sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", -1,
                     &list, nullptr);
  while (sqlite3_step(list) == SQLITE_ROW) {
    tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(list, 0)));
  }
  sqlite3_finalize(list);
  for (const auto& table : tables) {
    out += "== " + table + "\n";
    sqlite3_stmt* rows = nullptr;
    const std::string sql = "SELECT * FROM \"" + table + "\" ORDER BY rowid";
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &rows, nullptr) != SQLITE_OK) {
      // WITHOUT ROWID tables: order by every column instead.
      sqlite3_finalize(rows);
      const std::string all = "SELECT * FROM \"" + table + "\" ORDER BY 1, 2";
      sqlite3_prepare_v2(db, all.c_str(), -1, &rows, nullptr);
    }
    while (rows && sqlite3_step(rows) == SQLITE_ROW) {
      for (int c = 0; c < sqlite3_column_count(rows); ++c) {
        const unsigned char* text = sqlite3_column_text(rows, c);
        out += text ? reinterpret_cast<const char*>(text) : "NULL";
        out += '|';
      }
      out += '\n';
    }
    sqlite3_finalize(rows);
  }
  sqlite3_close(db);
  return out;
}

class CrashTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    world_ = new fs::path(fs::temp_directory_path() /
                          ("tessera-crash-world-" + std::to_string(::getpid())));
    fs::remove_all(*world_);
    synth::WorldConfig config;
    config.people = 1500;
    config.seed = 21;
    config.malformed_fraction = 0.02;
    ASSERT_TRUE(synth::GenerateWorld(config, world_->string()).ok());
    // Install the write-counting VFS before any store is opened.
    store::sqlite::KillAtWrite(0);
  }
  static void TearDownTestSuite() {
    fs::remove_all(*world_);
    delete world_;
  }

  // A fresh hub holding a copy of the world's landing zone and the shipped specs.
  fs::path FreshHub(const std::string& name) {
    const fs::path hub =
        fs::temp_directory_path() / ("tessera-crash-" + std::to_string(::getpid()) + "-" + name);
    fs::remove_all(hub);
    EXPECT_TRUE(store::InitHub(hub.string(), clock_).ok());
    fs::remove_all(hub / "landing");
    fs::copy(*world_ / "landing", hub / "landing", fs::copy_options::recursive);
    const char* src = std::getenv("TESSERA_SOURCE_DIR");
    fs::copy(fs::path(src ? src : ".") / "examples/synthetic/mappings", hub / "mappings",
             fs::copy_options::recursive);
    return hub;
  }

  Status Ingest(const fs::path& hub) {
    auto store = store::OpenSqliteStore(hub.string(), clock_);
    if (!store.ok()) return store.status();
    auto out = ingest::ProcessLandingZone(**store, clock_, (hub / "landing").string(),
                                          (hub / "mappings").string(), hub.string());
    return out.status();
  }

  ManualClock clock_{1767225600LL * 1000000};
  static fs::path* world_;
};

fs::path* CrashTest::world_ = nullptr;

TEST_F(CrashTest, ARerunAfterSigkillAnywhereGivesExactlyTheCleanState) {
  const fs::path clean = FreshHub("clean");
  const int64_t steps0 = store::sqlite::StatementsStepped();
  const int64_t writes0 = store::sqlite::FileWrites();
  ASSERT_TRUE(Ingest(clean).ok());
  const int64_t steps = store::sqlite::StatementsStepped() - steps0;
  const int64_t writes = store::sqlite::FileWrites() - writes0;
  const std::string expected = Dump(clean / "hub.db");
  ASSERT_GT(steps, 1000);
  ASSERT_GT(writes, 20);
  ASSERT_NE(expected.find("police_crime"), std::string::npos);

  struct Point {
    bool write;
    int64_t n;
  };
  std::vector<Point> points;
  constexpr int kEach = 12;
  for (int i = 1; i <= kEach; ++i) points.push_back({false, steps * i / (kEach + 1)});
  for (int i = 1; i <= kEach; ++i)
    points.push_back({true, std::max<int64_t>(1, writes * i / (kEach + 1))});

  int killed = 0;
  for (size_t i = 0; i < points.size(); ++i) {
    const Point p = points[i];
    const fs::path hub = FreshHub("run" + std::to_string(i));
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      if (p.write) {
        store::sqlite::KillAtWrite(p.n);
      } else {
        store::sqlite::KillAtStatement(p.n);
      }
      const Status s = Ingest(hub);
      ::_exit(s.ok() ? 0 : 3);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) ++killed;
    // Recovery: open again and finish the job.
    ASSERT_TRUE(Ingest(hub).ok()) << (p.write ? "write " : "statement ") << p.n;
    EXPECT_EQ(Dump(hub / "hub.db"), expected)
        << "after a kill at " << (p.write ? "write " : "statement ") << p.n;
    fs::remove_all(hub);
  }
  EXPECT_GE(killed, 20) << "most points must really kill the ingest";
  fs::remove_all(clean);
}

}  // namespace
}  // namespace tessera
