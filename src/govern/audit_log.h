// The audit log as a server writes it: every request that reads or changes personal data
// appends one event (store::AuditEvent), allowed or denied, before any data leaves. Design:
// docs/design/0006-audit-log.md.
//
// Three pieces on top of the store's hash chain:
//   - Keyed checkpoints (AuditCheckpointSigner): every append writes, in its own transaction, a
//     checkpoint with an HMAC-SHA256 over (seq, hash) of its last event. The key is a file
//     outside the database (HUB/keys/audit.key by default, 32 random bytes as hex, mode 0600,
//     made on first use), so someone who can rewrite hub.db cannot make checkpoints for a
//     rewritten chain. After each commit the latest checkpoint is also written to an anchor file
//     (HUB/audit.anchor, replaced atomically), so cutting the newest events and their
//     checkpoints off the log is seen too.
//   - Group commit (AuditLog): many request threads append at once; a writer thread takes every
//     event queued, commits them in one transaction with one sync, and wakes their callers. An
//     Append returns only once its event is durable, as Store::AppendAudit does, at a fraction
//     of the cost per event when requests overlap.
//   - Verification (VerifyAuditLog): the store's chain check, every checkpoint's MAC, and the
//     anchor. What `tessera audit verify` runs.
#pragma once

#include <array>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "store/store.h"

namespace tessera::govern {

// Where a hub keeps its audit key and anchor unless told otherwise.
// The key: $TESSERA_AUDIT_KEY when set (so that the server and the command line sign with one key
// kept elsewhere), else HUB/keys/audit.key.
std::string DefaultAuditKeyPath(const std::string& hub_dir);
std::string DefaultAuditAnchorPath(const std::string& hub_dir);  // HUB/audit.anchor

// Paths of the key and the anchor; empty means the hub's default. Production keeps the key on
// another volume (or a mounted secret) than hub.db, so that a copy of one is not both.
struct AuditKeyFiles {
  std::string key_file;
  std::string anchor_file;
};

inline constexpr size_t kAuditKeyBytes = 32;
using AuditKey = std::array<unsigned char, kAuditKeyBytes>;

// Reads a key file: 64 hex digits (a trailing newline allowed). NotFound if there is no file;
// Corruption if it holds anything else. With `private_only`, PermissionDenied when the file can
// be read or written by anyone but its owner (a writer refuses such a key; a verifier need not).
Result<AuditKey> ReadAuditKey(const std::string& key_file, bool private_only);

// Reads the key, or makes one if there is no file: 32 bytes from OpenSSL's RAND_bytes, written
// as hex to a new file of mode 0600 in a directory made with mode 0700 if absent. Two processes
// making it at once end up with the same key (the file appears whole, or not at all).
Result<AuditKey> ReadOrCreateAuditKey(const std::string& key_file);

// The MAC of the checkpoint for the event (seq, hash): lower-case hex HMAC-SHA256 under `key`
// of the length-prefixed fields "tessera-audit-checkpoint-v1", seq (decimal) and hash.
Result<std::string> AuditCheckpointMac(const AuditKey& key, int64_t seq, std::string_view hash);

// The latest checkpoint, kept outside the database.
struct AuditAnchor {
  int64_t seq = 0;
  std::string hash;
  std::string mac;

  friend bool operator==(const AuditAnchor&, const AuditAnchor&) = default;
};

// The anchor file's contents; empty if there is no file. Corruption if it is not an anchor.
Result<std::optional<AuditAnchor>> ReadAuditAnchor(const std::string& anchor_file);

// Replaces the anchor file with `anchor` atomically (a temporary file, fsync, rename; the
// directory is synced too when the file is new), unless the file already holds a later seq:
// processes appending to one hub at once never move the anchor back. Serialised between
// processes by a lock file beside it. After a power cut the anchor may be the one before: it
// still verifies.
Status WriteAuditAnchor(const std::string& anchor_file, const AuditAnchor& anchor);

// The signer a hub's Stores use (Store::SetAuditSigner): HMAC checkpoints, and the anchor file
// replaced after each commit. Thread-safe.
class AuditCheckpointSigner final : public store::AuditSigner {
 public:
  // Reads the key, making it if absent (ReadOrCreateAuditKey). PermissionDenied if the key file
  // is open to others than its owner.
  static Result<std::shared_ptr<AuditCheckpointSigner>> Open(const std::string& hub_dir,
                                                             const AuditKeyFiles& files = {});

  Result<std::string> Sign(int64_t seq, std::string_view hash) override;
  Status Anchor(const store::AuditCheckpoint& checkpoint) override;

 private:
  AuditCheckpointSigner(const AuditKey& key, std::string anchor_file)
      : key_(key), anchor_file_(std::move(anchor_file)) {}

  const AuditKey key_;
  const std::string anchor_file_;
};

// An event as JSON, every field ("at" as RFC 3339 UTC): for `tessera audit list --json` and the
// API's audit search.
nlohmann::json AuditEventToJson(const store::AuditEvent& event);

// What VerifyAuditLog found. Broken is a result, not an error.
struct AuditLogVerification {
  bool intact = true;
  int64_t first_broken_seq = 0;    // where it first breaks; 0 if intact
  std::string problem;             // what broke there
  store::AuditVerification chain;  // the store's own check (VerifyAudit)
  bool keyed = false;              // the MACs were checked with the key
  std::string keyed_skipped;       // why they were not, when not
  int64_t macs_checked = 0;        // checkpoints whose MAC verified
  std::optional<AuditAnchor> anchor;
  // Not breakage, but limits of what could be checked: events after the last checkpoint, an
  // anchor behind the last checkpoint (an append whose anchor update failed).
  std::vector<std::string> notes;
};

// The store's chain check; then that the anchor names an event that exists with that hash; then,
// if the key file exists, every checkpoint's MAC and the anchor's. Without a key file the keyed
// checks are skipped (keyed_skipped says why) and only what the chain and the anchor show is
// reported. An anchor file missing while the log has checkpoints is breakage (the anchor goes
// with the newest events it vouches for).
Result<AuditLogVerification> VerifyAuditLog(const std::string& hub_dir,
                                            const AuditKeyFiles& files = {});

struct AuditLogOptions {
  AuditKeyFiles files;
  // Appends wait while this many events are queued (back pressure when the disk cannot keep up).
  size_t max_queued = 4096;
  // Events per transaction at most.
  size_t max_batch = 1024;
  // The clock the log's store stamps events with; nullptr: the system clock. Must outlive the
  // AuditLog.
  const Clock* clock = nullptr;
};

// A hub's audit log with group commit, for a server: one writer thread with its own Store and
// an AuditCheckpointSigner. Thread-safe.
class AuditLog {
 public:
  // Opens the hub's store and the signer (making the key if absent) and starts the writer.
  static Result<std::unique_ptr<AuditLog>> Open(const std::string& hub_dir,
                                                AuditLogOptions options = {});
  ~AuditLog();  // Stop()
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends `event` and returns it as stored (see Store::AppendAudit), once the transaction
  // holding it has committed durably with its checkpoint (the anchor file is replaced by a
  // thread of its own, so it trails by the batches in flight; Stop() brings it up to date). The
  // event
  // is checked first (store::ValidateAuditEvent), so that one bad event cannot fail a batch;
  // if the batch's commit fails, every event of it fails with that Status.
  // FailedPrecondition once Stop() has begun.
  Result<store::AuditEvent> Append(store::AuditEvent event);

  // Append without waiting: `done` is called once with what Append would return, from the
  // writer thread after the batch's commit (or at once, on this thread, if the event is invalid
  // or the log is stopped). It waits only while the queue is full. `done` must not block: a
  // server posts the response it held back onto its connection (serve::Response::hold).
  using AppendDone = std::function<void(Result<store::AuditEvent>)>;
  void AppendAsync(store::AuditEvent event, AppendDone done);

  // Refuses new appends, commits every event already queued, and stops the writer. Idempotent.
  void Stop();

  struct Stats {
    int64_t events = 0;         // appended
    int64_t batches = 0;        // transactions committed
    int64_t failed_events = 0;  // in batches that failed
    int64_t largest_batch = 0;
    int64_t anchor_failures = 0;  // anchor file updates that failed (the next one retries)
  };
  Stats GetStats() const;

 private:
  struct Waiter;

  class DeferredAnchor;
  AuditLog(std::unique_ptr<store::Store> store, std::shared_ptr<DeferredAnchor> anchor,
           const AuditLogOptions& options);
  void WriteBatches();
  // Waits (with `lock` on mutex_) for room in the queue and queues `waiter`: FailedPrecondition,
  // and nothing queued, once Stop() has begun.
  Status Enqueue(Waiter* waiter, std::unique_lock<std::mutex>& lock);

  std::unique_ptr<store::Store> store_;  // the writer thread's only
  std::shared_ptr<DeferredAnchor> anchor_;
  const size_t max_queued_;
  const size_t max_batch_;

  std::mutex join_mutex_;
  mutable std::mutex mutex_;
  std::condition_variable work_ready_;   // the writer: events queued, or stopping
  std::condition_variable space_ready_;  // appenders: room in the queue
  std::condition_variable batch_done_;   // appenders: a batch has its results
  // Append's waiters live on their callers' stacks; AppendAsync's are owned here, from queueing
  // until the writer has called `done`.
  std::deque<Waiter*> queue_;
  bool stopping_ = false;
  Stats stats_;
  std::thread writer_;
};

}  // namespace tessera::govern
