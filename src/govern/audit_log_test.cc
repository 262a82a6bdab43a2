// The audit log as the server writes it: the key file, checkpoint MACs, the anchor, group commit
// from many threads, and verification catching edits, rewrites, deletions of the newest events,
// reordering and a wrong key.
#include "govern/audit_log.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/sha256.h"
#include "store/store_test_support.h"

namespace tessera::govern {
namespace {

using store::testing::kTestEpochMicros;
using store::testing::RawDb;
using store::testing::TempDir;

store::AuditEvent Viewing(int64_t nominal, const std::string& actor = "user:1") {
  store::AuditEvent event;
  event.actor = actor;
  event.agency = "police";
  event.role = "practitioner";
  event.action = "nominal.view";
  event.purpose = "child_safeguarding";
  event.justification = "strategy meeting";
  event.agreement = "ISA-T2-CS-01 v3";
  event.outcome = "allowed";
  event.resource = "nominal/" + std::to_string(nominal);
  event.nominals = {nominal};
  event.records = {nominal * 10};
  return event;
}

// The hash of an encoding-2 event, written here from the format in
// docs/design/0006-audit-log.md, independently of the store's code: what someone rewriting the
// chain would compute.
std::string RecomputedHash(const store::AuditEvent& e) {
  std::string out;
  auto field = [&](std::string_view value) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      out += static_cast<char>((static_cast<uint64_t>(value.size()) >> shift) & 0xFF);
    }
    out.append(value);
  };
  auto list = [&](const std::vector<int64_t>& values) {
    field(std::to_string(values.size()));
    for (int64_t v : values) field(std::to_string(v));
  };
  for (const std::string& value :
       {std::string("tessera-audit-v2"), e.prev_hash, std::to_string(e.seq),
        std::to_string(e.at_micros), e.actor, e.agency, e.role, e.action, e.purpose,
        e.justification, e.agreement, e.outcome, e.resource, e.detail}) {
    field(value);
  }
  list(e.nominals);
  list(e.records);
  return Sha256Hex(out).value();
}

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(store::InitHub(hub(), clock_).ok()); }

  std::string hub() const { return tmp_.path(); }
  std::string AuditDb() const { return tmp_.path() + "/audit.db"; }

  std::unique_ptr<AuditLog> OpenLog(AuditLogOptions options = {}) {
    options.clock = &clock_;
    auto log = AuditLog::Open(hub(), options);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(log).value() : nullptr;
  }

  // Appends `n` events one at a time: n checkpoints.
  void AppendEach(AuditLog& log, int n) {
    for (int i = 1; i <= n; ++i) {
      auto appended = log.Append(Viewing(i));
      ASSERT_TRUE(appended.ok()) << appended.status().ToString();
    }
  }

  AuditLogVerification Verify(const AuditKeyFiles& files = {}) {
    auto verification = VerifyAuditLog(hub(), files);
    EXPECT_TRUE(verification.ok()) << verification.status().ToString();
    return verification.value_or(AuditLogVerification{});
  }

  std::vector<store::AuditEvent> Events() {
    auto store = store::OpenSqliteStore(hub(), clock_);
    EXPECT_TRUE(store.ok());
    auto events = (*store)->ListAudit(0, 10000);
    EXPECT_TRUE(events.ok());
    return events.value_or(std::vector<store::AuditEvent>{});
  }

  TempDir tmp_;
  ManualClock clock_{kTestEpochMicros};
};

// ---------------------------------------------------------------------------------------------
// The key and the MAC

TEST_F(AuditLogTest, TheKeyIsMadeOnFirstUsePrivateAndKept) {
  const std::string key_file = DefaultAuditKeyPath(hub());
  EXPECT_EQ(key_file, hub() + "/keys/audit.key");
  ASSERT_FALSE(std::filesystem::exists(key_file));
  auto made = ReadOrCreateAuditKey(key_file);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  struct stat info {};
  ASSERT_EQ(::stat(key_file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((hub() + "/keys").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  std::ifstream in(key_file);
  std::string text;
  std::getline(in, text);
  EXPECT_EQ(text.size(), 64u);
  EXPECT_EQ(text.find_first_not_of("0123456789abcdef"), std::string::npos);

  auto again = ReadOrCreateAuditKey(key_file);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *made);
  EXPECT_NE(*made, AuditKey{});

  // A key others can read is refused for writing, but can still be used to verify.
  ASSERT_EQ(::chmod(key_file.c_str(), 0644), 0);
  EXPECT_EQ(ReadOrCreateAuditKey(key_file).status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(ReadAuditKey(key_file, /*private_only=*/false).ok());
  ASSERT_EQ(::chmod(key_file.c_str(), 0600), 0);

  std::ofstream(key_file) << "not a key\n";
  EXPECT_EQ(ReadAuditKey(key_file, false).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(ReadAuditKey(hub() + "/nowhere", false).status().code(), StatusCode::kNotFound);
}

TEST(AuditCheckpointMacTest, CoversSeqHashAndKey) {
  AuditKey key{};
  key[0] = 1;
  AuditKey other = key;
  other[31] = 2;
  const std::string mac = AuditCheckpointMac(key, 7, "abc").value();
  EXPECT_EQ(mac.size(), 64u);
  EXPECT_EQ(AuditCheckpointMac(key, 7, "abc").value(), mac);
  EXPECT_NE(AuditCheckpointMac(key, 8, "abc").value(), mac);
  EXPECT_NE(AuditCheckpointMac(key, 7, "abd").value(), mac);
  EXPECT_NE(AuditCheckpointMac(other, 7, "abc").value(), mac);
  // Length prefixes: seq 71 with hash "bc" is not seq 7 with hash "1bc".
  EXPECT_NE(AuditCheckpointMac(key, 71, "bc").value(), AuditCheckpointMac(key, 7, "1bc").value());
}

TEST_F(AuditLogTest, TheAnchorIsReplacedButNeverMovedBack) {
  const std::string anchor_file = DefaultAuditAnchorPath(hub());
  EXPECT_FALSE(ReadAuditAnchor(anchor_file)->has_value());
  AuditAnchor five{5, "h5", "m5"};
  ASSERT_TRUE(WriteAuditAnchor(anchor_file, five).ok());
  EXPECT_EQ(ReadAuditAnchor(anchor_file)->value(), five);
  ASSERT_TRUE(WriteAuditAnchor(anchor_file, AuditAnchor{3, "h3", "m3"}).ok());
  EXPECT_EQ(ReadAuditAnchor(anchor_file)->value(), five);
  AuditAnchor nine{9, "h9", "m9"};
  ASSERT_TRUE(WriteAuditAnchor(anchor_file, nine).ok());
  EXPECT_EQ(ReadAuditAnchor(anchor_file)->value(), nine);
  std::ofstream(anchor_file) << "seq 12\n";
  EXPECT_EQ(ReadAuditAnchor(anchor_file).status().code(), StatusCode::kCorruption);
}

// ---------------------------------------------------------------------------------------------
// Appending

TEST_F(AuditLogTest, EveryAppendIsCheckpointedAndAnchored) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  AppendEach(*log, 3);
  log->Stop();

  auto store = store::OpenSqliteStore(hub(), clock_);
  ASSERT_TRUE(store.ok());
  auto checkpoints = (*store)->ListAuditCheckpoints(0, 100);
  ASSERT_TRUE(checkpoints.ok());
  ASSERT_EQ(checkpoints->size(), 3u);
  const AuditKey key = ReadAuditKey(DefaultAuditKeyPath(hub()), true).value();
  const std::vector<store::AuditEvent> events = Events();
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*checkpoints)[i].seq, events[i].seq);
    EXPECT_EQ((*checkpoints)[i].hash, events[i].hash);
    EXPECT_EQ((*checkpoints)[i].mac,
              AuditCheckpointMac(key, events[i].seq, events[i].hash).value());
  }
  auto anchor = ReadAuditAnchor(DefaultAuditAnchorPath(hub()));
  ASSERT_TRUE(anchor.ok() && anchor->has_value());
  EXPECT_EQ((*anchor)->seq, 3);
  EXPECT_EQ((*anchor)->hash, events[2].hash);
  EXPECT_EQ((*anchor)->mac, checkpoints->back().mac);

  AuditLogVerification verification = Verify();
  EXPECT_TRUE(verification.intact) << verification.problem;
  EXPECT_TRUE(verification.keyed);
  EXPECT_EQ(verification.macs_checked, 3);
  EXPECT_EQ(verification.chain.head_seq, 3);
  EXPECT_TRUE(verification.notes.empty());
}

// AppendAsync returns at once; its callback comes from the writer once the event is committed,
// in one batch with whatever else was queued, and Stop() commits and calls back every one.
TEST_F(AuditLogTest, AsyncAppendsAreCalledBackOnceCommitted) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  auto blocker = std::make_unique<RawDb>(AuditDb());
  blocker->Exec("BEGIN IMMEDIATE");  // the first batch waits for the audit log's lock
  constexpr int kEvents = 40;
  std::mutex mu;
  std::vector<Result<store::AuditEvent>> done;
  for (int i = 1; i <= kEvents; ++i) {
    log->AppendAsync(Viewing(i), [&](Result<store::AuditEvent> stored) {
      std::lock_guard lock(mu);
      done.push_back(std::move(stored));
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  {
    std::lock_guard lock(mu);
    EXPECT_TRUE(done.empty()) << "called back before the commit";
  }
  blocker->Exec("COMMIT");
  blocker.reset();
  // An invalid event is refused at once, on the caller's thread.
  store::AuditEvent invalid = Viewing(99);
  invalid.actor.clear();
  Status refused;
  log->AppendAsync(invalid, [&](Result<store::AuditEvent> stored) { refused = stored.status(); });
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  log->Stop();
  Status after_stop;
  log->AppendAsync(Viewing(100),
                   [&](Result<store::AuditEvent> stored) { after_stop = stored.status(); });
  EXPECT_EQ(after_stop.code(), StatusCode::kFailedPrecondition);

  std::lock_guard lock(mu);
  ASSERT_EQ(done.size(), static_cast<size_t>(kEvents));
  std::set<int64_t> seqs;
  for (const auto& stored : done) {
    ASSERT_TRUE(stored.ok()) << stored.status().ToString();
    seqs.insert(stored->seq);
  }
  EXPECT_EQ(seqs.size(), static_cast<size_t>(kEvents));
  EXPECT_EQ(*seqs.rbegin(), kEvents);
  EXPECT_LT(log->GetStats().batches, kEvents);  // they shared commits
  AuditLogVerification verification = Verify();
  EXPECT_TRUE(verification.intact) << verification.problem;
  EXPECT_EQ(verification.chain.events, kEvents);
}

TEST_F(AuditLogTest, ConcurrentAppendsShareTransactionsAndFormOneChain) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  // Hold the write lock so that the appends queue up behind the first batch.
  auto blocker = std::make_unique<RawDb>(AuditDb());
  blocker->Exec("BEGIN IMMEDIATE");
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::vector<std::thread> threads;
  std::vector<std::vector<int64_t>> seqs(kThreads);
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto appended = log->Append(Viewing(t * 1000 + i + 1, "user:" + std::to_string(t)));
        if (!appended.ok()) {
          ++failures;
          continue;
        }
        seqs[t].push_back(appended->seq);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  blocker->Exec("COMMIT");
  for (auto& thread : threads) thread.join();
  blocker.reset();
  EXPECT_EQ(failures.load(), 0);

  std::set<int64_t> all;
  for (const auto& own : seqs) {
    EXPECT_TRUE(std::is_sorted(own.begin(), own.end()));  // each caller's events in its order
    all.insert(own.begin(), own.end());
  }
  ASSERT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(*all.begin(), 1);
  EXPECT_EQ(*all.rbegin(), kThreads * kPerThread);

  const AuditLog::Stats stats = log->GetStats();
  EXPECT_EQ(stats.events, kThreads * kPerThread);
  EXPECT_LT(stats.batches, stats.events);  // group commit happened
  EXPECT_GT(stats.largest_batch, 1);
  log->Stop();

  AuditLogVerification verification = Verify();
  EXPECT_TRUE(verification.intact) << verification.problem;
  EXPECT_EQ(verification.macs_checked, stats.batches);
  EXPECT_EQ(verification.chain.events, kThreads * kPerThread);
}

TEST_F(AuditLogTest, StopDrainsTheQueueThenRefuses) {
  auto log = OpenLog();
  ASSERT_NE(log, nullptr);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  std::atomic<int> refused{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        auto appended = log->Append(Viewing(t * 100 + i + 1));
        if (appended.ok()) {
          ++ok;
        } else {
          EXPECT_EQ(appended.status().code(), StatusCode::kFailedPrecondition);
          ++refused;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  log->Stop();
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok + refused, 40);
  // Every append that succeeded is in the log, and nothing else.
  EXPECT_EQ(static_cast<int>(Events().size()), ok.load());
  EXPECT_EQ(log->Append(Viewing(1)).status().code(), StatusCode::kFailedPrecondition);
  log->Stop();  // idempotent
  EXPECT_TRUE(Verify().intact);
}

TEST_F(AuditLogTest, ABadEventFailsAloneAndAFailedAnchorIsCountedAndDetected) {
  AuditLogOptions options;
  options.files.anchor_file = hub() + "/missing-dir/audit.anchor";
  auto log = OpenLog(options);
  ASSERT_NE(log, nullptr);
  store::AuditEvent bad = Viewing(1);
  bad.actor.clear();
  EXPECT_EQ(log->Append(bad).status().code(), StatusCode::kInvalidArgument);

  // The anchor cannot be written: the events are committed and checkpointed, so their callers
  // succeed; the anchor, written after they are woken, fails and is counted, and verification
  // reports the missing anchor as breakage for someone to look at.
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      if (log->Append(Viewing(t + 1)).ok()) ++ok;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 4);
  log->Stop();
  EXPECT_EQ(log->GetStats().events, 4);
  EXPECT_GE(log->GetStats().anchor_failures, 1);
  EXPECT_EQ(log->GetStats().failed_events, 0);
  AuditKeyFiles files = options.files;
  auto verified = VerifyAuditLog(hub(), files);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_FALSE(verified->intact);
}

// ---------------------------------------------------------------------------------------------
// Tampering, and what verification makes of it

TEST_F(AuditLogTest, AnEditedEventIsCaught) {
  AppendEach(*OpenLog(), 4);
  {
    RawDb raw(AuditDb());
    raw.Exec("DROP TRIGGER audit_events_no_update");
    raw.Exec("UPDATE audit_events SET actor = 'user:2' WHERE seq = 2");
  }
  AuditLogVerification verification = Verify();
  EXPECT_FALSE(verification.intact);
  EXPECT_EQ(verification.first_broken_seq, 2);
}

TEST_F(AuditLogTest, AChainRewrittenToTheEndFailsItsMacs) {
  AppendEach(*OpenLog(), 4);
  // Rewrite seq 2 and everything after it consistently, as someone with write access to hub.db
  // but not the key would: recomputed hashes, checkpoints and anchor carrying them.
  std::vector<store::AuditEvent> events = Events();
  {
    RawDb raw(AuditDb());
    for (const char* trigger : {"audit_events_no_update", "audit_checkpoints_no_update"}) {
      raw.Exec(std::string("DROP TRIGGER ") + trigger);
    }
    for (size_t i = 1; i < events.size(); ++i) {
      store::AuditEvent& e = events[i];
      if (i == 1) e.justification = "routine";
      e.prev_hash = events[i - 1].hash;
      e.hash = RecomputedHash(e);
      const std::string seq = std::to_string(e.seq);
      raw.Exec("UPDATE audit_events SET justification = '" + e.justification + "', prev_hash = '" +
               e.prev_hash + "', hash = '" + e.hash + "' WHERE seq = " + seq);
      raw.Exec("UPDATE audit_checkpoints SET hash = '" + e.hash + "' WHERE seq = " + seq);
    }
  }
  const std::string anchor_file = DefaultAuditAnchorPath(hub());
  AuditAnchor anchor = ReadAuditAnchor(anchor_file)->value();
  anchor.hash = events.back().hash;
  std::filesystem::remove(anchor_file);
  ASSERT_TRUE(WriteAuditAnchor(anchor_file, anchor).ok());

  AuditLogVerification verification = Verify();
  EXPECT_FALSE(verification.intact);
  EXPECT_EQ(verification.first_broken_seq, 2);
  EXPECT_NE(verification.problem.find("MAC"), std::string::npos) << verification.problem;

  // Without the key, the rewrite passes: that is what the key is for.
  AuditKeyFiles no_key;
  no_key.key_file = hub() + "/no-such.key";
  AuditLogVerification unkeyed = Verify(no_key);
  EXPECT_TRUE(unkeyed.intact) << unkeyed.problem;
  EXPECT_FALSE(unkeyed.keyed);
  EXPECT_NE(unkeyed.keyed_skipped.find("no key file"), std::string::npos);
}

TEST_F(AuditLogTest, DeletingTheNewestEventsAndCheckpointsFailsTheAnchor) {
  AppendEach(*OpenLog(), 5);
  {
    RawDb raw(AuditDb());
    raw.Exec("DROP TRIGGER audit_events_no_delete");
    raw.Exec("DROP TRIGGER audit_checkpoints_no_delete");
    raw.Exec("DROP TRIGGER audit_subjects_no_delete");
    raw.Exec("DELETE FROM audit_checkpoints WHERE seq >= 4");
    raw.Exec("DELETE FROM audit_subjects WHERE seq >= 4");
    raw.Exec("DELETE FROM audit_events WHERE seq >= 4");
  }
  AuditLogVerification verification = Verify();
  EXPECT_FALSE(verification.intact);
  EXPECT_EQ(verification.first_broken_seq, 5);
  EXPECT_NE(verification.problem.find("newest events were deleted"), std::string::npos)
      << verification.problem;
  // It is seen without the key too: the anchor's hash and seq need none.
  AuditKeyFiles no_key;
  no_key.key_file = hub() + "/no-such.key";
  EXPECT_FALSE(Verify(no_key).intact);

  // Deleting the anchor as well is seen: checkpoints without an anchor.
  std::filesystem::remove(DefaultAuditAnchorPath(hub()));
  AuditLogVerification no_anchor = Verify();
  EXPECT_FALSE(no_anchor.intact);
  EXPECT_NE(no_anchor.problem.find("anchor file"), std::string::npos) << no_anchor.problem;
}

TEST_F(AuditLogTest, ReorderedEventsAreCaught) {
  AppendEach(*OpenLog(), 4);
  {
    RawDb raw(AuditDb());
    raw.Exec("PRAGMA foreign_keys = OFF");
    raw.Exec("DROP TRIGGER audit_events_no_update");
    raw.Exec("UPDATE audit_events SET seq = 100 WHERE seq = 2");
    raw.Exec("UPDATE audit_events SET seq = 2 WHERE seq = 3");
    raw.Exec("UPDATE audit_events SET seq = 3 WHERE seq = 100");
  }
  AuditLogVerification verification = Verify();
  EXPECT_FALSE(verification.intact);
  EXPECT_EQ(verification.first_broken_seq, 2);
}

TEST_F(AuditLogTest, AWrongKeyFails) {
  AppendEach(*OpenLog(), 2);
  AuditKeyFiles other;
  other.key_file = hub() + "/other.key";
  ASSERT_TRUE(ReadOrCreateAuditKey(other.key_file).ok());
  AuditLogVerification verification = Verify(other);
  EXPECT_FALSE(verification.intact);
  EXPECT_EQ(verification.first_broken_seq, 1);
  EXPECT_NE(verification.problem.find("key is not this hub's"), std::string::npos)
      << verification.problem;
}

TEST_F(AuditLogTest, EventsAppendedWithoutTheSignerAreNotedNotBroken) {
  AppendEach(*OpenLog(), 2);
  auto store = store::OpenSqliteStore(hub(), clock_);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->AppendAudit(Viewing(3)).ok());  // e.g. a CLI command without the key
  AuditLogVerification verification = Verify();
  EXPECT_TRUE(verification.intact) << verification.problem;
  ASSERT_EQ(verification.notes.size(), 1u);
  EXPECT_NE(verification.notes[0].find("1 event after the last checkpoint"), std::string::npos)
      << verification.notes[0];
}

TEST_F(AuditLogTest, AnEmptyHubVerifiesWithoutAKey) {
  AuditLogVerification verification = Verify();
  EXPECT_TRUE(verification.intact);
  EXPECT_FALSE(verification.keyed);
  EXPECT_FALSE(std::filesystem::exists(DefaultAuditKeyPath(hub())));  // verify makes no key
}

}  // namespace
}  // namespace tessera::govern
