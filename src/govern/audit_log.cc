#include "govern/audit_log.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <utility>

namespace tessera::govern {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kCheckpointTag = "tessera-audit-checkpoint-v1";
constexpr std::string_view kAnchorFormat = "tessera-audit-anchor-v1";
constexpr int kCheckpointPage = 1000;

Status Errno(const std::string& what) {
  return Status::IoError(what + ": " + std::strerror(errno));
}

std::string Hex(const unsigned char* bytes, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0x0F];
  }
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendField(std::string& out, std::string_view field) {
  const uint64_t size = field.size();
  for (int shift = 56; shift >= 0; shift -= 8) {
    out += static_cast<char>((size >> shift) & 0xFF);
  }
  out.append(field);
}

// A file descriptor closed at scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }
  // Closes now, reporting the error a deferred write may only show at close.
  Status Close(const std::string& what) {
    const int fd = std::exchange(fd_, -1);
    if (fd >= 0 && ::close(fd) != 0) return Errno("closing " + what);
    return Status::Ok();
  }

 private:
  int fd_;
};

Status WriteAll(int fd, std::string_view bytes, const std::string& what) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("writing " + what);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Result<std::string> ReadSmallFile(const std::string& path, std::string_view what) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.ok()) {
    if (errno == ENOENT)
      return Status::NotFound(std::string(what) + " " + path + " does not exist");
    return Errno("opening " + std::string(what) + " " + path);
  }
  std::string out;
  char buffer[4096];
  while (true) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("reading " + std::string(what) + " " + path);
    }
    if (n == 0) break;
    out.append(buffer, static_cast<size_t>(n));
    if (out.size() > 64 * 1024) {
      return Status::Corruption(std::string(what) + " " + path + " is too large");
    }
  }
  return out;
}

// Makes the directory (mode `mode`) if it does not exist.
Status MakeDirectory(const fs::path& dir, mode_t mode) {
  if (dir.empty()) return Status::Ok();
  if (::mkdir(dir.c_str(), mode) == 0 || errno == EEXIST) return Status::Ok();
  return Errno("creating directory " + dir.string());
}

Status SyncDirectory(const fs::path& dir) {
  Fd fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.ok()) return Errno("opening directory " + dir.string());
  if (::fsync(fd.get()) != 0) return Errno("syncing directory " + dir.string());
  return Status::Ok();
}

std::string TempPathBeside(const std::string& path) {
  return path + ".tmp." + std::to_string(::getpid());
}

Result<int64_t> ParseSeq(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) {
    return Status::Corruption("not a seq: " + std::string(text.substr(0, 40)));
  }
  return value;
}

bool SameMac(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string DefaultAuditKeyPath(const std::string& hub_dir) {
  if (const char* env = std::getenv("TESSERA_AUDIT_KEY"); env != nullptr && env[0] != '\0') {
    return env;
  }
  return (fs::path(hub_dir) / "keys" / "audit.key").string();
}

std::string DefaultAuditAnchorPath(const std::string& hub_dir) {
  return (fs::path(hub_dir) / "audit.anchor").string();
}

namespace {

AuditKeyFiles ResolvedFiles(const std::string& hub_dir, const AuditKeyFiles& files) {
  AuditKeyFiles out = files;
  if (out.key_file.empty()) out.key_file = DefaultAuditKeyPath(hub_dir);
  if (out.anchor_file.empty()) out.anchor_file = DefaultAuditAnchorPath(hub_dir);
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The key

Result<AuditKey> ReadAuditKey(const std::string& key_file, bool private_only) {
  TRY_ASSIGN(std::string text, ReadSmallFile(key_file, "audit key file"));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.size() != 2 * kAuditKeyBytes) {
    return Status::Corruption("audit key file " + key_file + " does not hold " +
                              std::to_string(2 * kAuditKeyBytes) + " hex digits");
  }
  AuditKey key{};
  for (size_t i = 0; i < kAuditKeyBytes; ++i) {
    const int high = HexDigit(text[2 * i]);
    const int low = HexDigit(text[2 * i + 1]);
    if (high < 0 || low < 0) {
      return Status::Corruption("audit key file " + key_file + " holds a non-hex character");
    }
    key[i] = static_cast<unsigned char>(high * 16 + low);
  }
  if (private_only) {
    struct stat info {};
    if (::stat(key_file.c_str(), &info) != 0) return Errno("reading the mode of " + key_file);
    if ((info.st_mode & 077) != 0) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
      return Status::PermissionDenied("audit key file " + key_file + " is open to others (mode " +
                                      mode + "): `chmod 600` it");
    }
  }
  return key;
}

Result<AuditKey> ReadOrCreateAuditKey(const std::string& key_file) {
  Result<AuditKey> existing = ReadAuditKey(key_file, /*private_only=*/true);
  if (existing.status().code() != StatusCode::kNotFound) return existing;

  const fs::path dir = fs::path(key_file).parent_path();
  TRY(MakeDirectory(dir, 0700));
  AuditKey key{};
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    return Status::Internal("the random source (OpenSSL RAND_bytes) failed");
  }
  // Written whole to a private temporary file, then linked into place: link() fails if another
  // process made the key meanwhile, and then both use that one.
  const std::string temp = TempPathBeside(key_file);
  {
    ::unlink(temp.c_str());
    Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd.ok()) return Errno("creating audit key file " + temp);
    Status written = WriteAll(fd.get(), Hex(key.data(), key.size()) + "\n", temp);
    if (written.ok() && ::fsync(fd.get()) != 0) written = Errno("syncing " + temp);
    if (written.ok()) written = fd.Close(temp);
    if (!written.ok()) {
      ::unlink(temp.c_str());
      return written;
    }
  }
  const int linked = ::link(temp.c_str(), key_file.c_str());
  const int link_errno = errno;
  ::unlink(temp.c_str());
  if (linked != 0) {
    if (link_errno == EEXIST) return ReadAuditKey(key_file, /*private_only=*/true);
    errno = link_errno;
    return Errno("creating audit key file " + key_file);
  }
  TRY(SyncDirectory(dir));
  return key;
}

Result<std::string> AuditCheckpointMac(const AuditKey& key, int64_t seq, std::string_view hash) {
  std::string message;
  AppendField(message, kCheckpointTag);
  AppendField(message, std::to_string(seq));
  AppendField(message, hash);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac,
           &mac_size) == nullptr) {
    return Status::Internal("HMAC-SHA256 (OpenSSL) failed");
  }
  return Hex(mac, mac_size);
}

// ---------------------------------------------------------------------------------------------
// The anchor

Result<std::optional<AuditAnchor>> ReadAuditAnchor(const std::string& anchor_file) {
  Result<std::string> text = ReadSmallFile(anchor_file, "audit anchor file");
  if (text.status().code() == StatusCode::kNotFound) return std::optional<AuditAnchor>();
  if (!text.ok()) return text.status();
  // Four lines: the format, "seq N", "hash H", "mac M".
  std::vector<std::string_view> lines;
  std::string_view rest = *text;
  while (!rest.empty()) {
    const size_t end = rest.find('\n');
    lines.push_back(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  auto corrupt = [&](std::string why) {
    return Status::Corruption("audit anchor file " + anchor_file + " is not an anchor: " + why);
  };
  if (lines.size() != 4 || lines[0] != kAnchorFormat) return corrupt("wrong format line");
  auto value = [&](size_t line, std::string_view key) -> std::optional<std::string_view> {
    if (lines[line].substr(0, key.size() + 1) != std::string(key) + " ") return std::nullopt;
    return lines[line].substr(key.size() + 1);
  };
  auto seq = value(1, "seq");
  auto hash = value(2, "hash");
  auto mac = value(3, "mac");
  if (!seq || !hash || !mac || hash->empty() || mac->empty()) return corrupt("missing field");
  Result<int64_t> parsed = ParseSeq(*seq);
  if (!parsed.ok()) return corrupt(parsed.status().message());
  AuditAnchor anchor;
  anchor.seq = *parsed;
  anchor.hash = std::string(*hash);
  anchor.mac = std::string(*mac);
  return std::optional<AuditAnchor>(std::move(anchor));
}

Status WriteAuditAnchor(const std::string& anchor_file, const AuditAnchor& anchor) {
  const fs::path dir = fs::path(anchor_file).parent_path();
  // The lock orders writers from every process, so that a slower one cannot put back an
  // older anchor after a newer one was written.
  const std::string lock_path = anchor_file + ".lock";
  Fd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!lock.ok()) return Errno("opening " + lock_path);
  while (::flock(lock.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return Errno("locking " + lock_path);
  }
  Result<std::optional<AuditAnchor>> current = ReadAuditAnchor(anchor_file);
  if (current.ok() && current->has_value() && (*current)->seq >= anchor.seq) return Status::Ok();
  const bool replacing = current.ok() && current->has_value();

  const std::string text = std::string(kAnchorFormat) + "\nseq " + std::to_string(anchor.seq) +
                           "\nhash " + anchor.hash + "\nmac " + anchor.mac + "\n";
  const std::string temp = TempPathBeside(anchor_file);
  {
    Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd.ok()) return Errno("creating " + temp);
    Status written = WriteAll(fd.get(), text, temp);
    if (written.ok() && ::fsync(fd.get()) != 0) written = Errno("syncing " + temp);
    if (written.ok()) written = fd.Close(temp);
    if (!written.ok()) {
      ::unlink(temp.c_str());
      return written;
    }
  }
  if (::rename(temp.c_str(), anchor_file.c_str()) != 0) {
    Status failed = Errno("replacing " + anchor_file);
    ::unlink(temp.c_str());
    return failed;
  }
  // The directory is synced only when the anchor is new. A replacement whose rename is lost to
  // a power cut leaves the previous anchor, which still verifies (the events it names exist);
  // syncing the directory every time would cost every append a third fsync (measured:
  // bench/audit_benchmark).
  return replacing ? Status::Ok() : SyncDirectory(dir);
}

// ---------------------------------------------------------------------------------------------
// The signer

Result<std::shared_ptr<AuditCheckpointSigner>> AuditCheckpointSigner::Open(
    const std::string& hub_dir, const AuditKeyFiles& files) {
  const AuditKeyFiles resolved = ResolvedFiles(hub_dir, files);
  TRY_ASSIGN(AuditKey key, ReadOrCreateAuditKey(resolved.key_file));
  return std::shared_ptr<AuditCheckpointSigner>(
      new AuditCheckpointSigner(key, resolved.anchor_file));
}

Result<std::string> AuditCheckpointSigner::Sign(int64_t seq, std::string_view hash) {
  return AuditCheckpointMac(key_, seq, hash);
}

Status AuditCheckpointSigner::Anchor(const store::AuditCheckpoint& checkpoint) {
  AuditAnchor anchor;
  anchor.seq = checkpoint.seq;
  anchor.hash = checkpoint.hash;
  anchor.mac = checkpoint.mac;
  return WriteAuditAnchor(anchor_file_, anchor);
}

// ---------------------------------------------------------------------------------------------
// Verification

Result<AuditLogVerification> VerifyAuditLog(const std::string& hub_dir,
                                            const AuditKeyFiles& files) {
  const AuditKeyFiles resolved = ResolvedFiles(hub_dir, files);
  TRY_ASSIGN(std::unique_ptr<store::Store> store,
             store::OpenSqliteStore(hub_dir, SystemClock::Instance()));
  AuditLogVerification out;
  auto broken = [&](int64_t seq, std::string problem) {
    out.intact = false;
    out.first_broken_seq = seq;
    out.problem = std::move(problem);
    return out;
  };

  TRY_ASSIGN(out.chain, store->VerifyAudit());
  if (!out.chain.intact) return broken(out.chain.first_broken_seq, out.chain.problem);

  // The anchor: the newest checkpoint as last written outside the database.
  Result<std::optional<AuditAnchor>> anchor = ReadAuditAnchor(resolved.anchor_file);
  if (anchor.status().code() == StatusCode::kCorruption) {
    return broken(0, anchor.status().message());
  }
  if (!anchor.ok()) return anchor.status();
  out.anchor = *anchor;
  if (out.anchor.has_value()) {
    const AuditAnchor& a = *out.anchor;
    TRY_ASSIGN(std::vector<store::AuditEvent> at_anchor, store->ListAudit(a.seq - 1, 1));
    if (at_anchor.empty() || at_anchor.front().seq != a.seq) {
      return broken(a.seq, "the anchor names seq " + std::to_string(a.seq) +
                               ", but the log ends at seq " + std::to_string(out.chain.head_seq) +
                               ": the newest events were deleted");
    }
    if (at_anchor.front().hash != a.hash) {
      return broken(a.seq, "the anchor's hash is not that of seq " + std::to_string(a.seq) +
                               ": the log up to it was rewritten");
    }
    if (a.seq < out.chain.last_checkpoint_seq) {
      out.notes.push_back("the anchor (seq " + std::to_string(a.seq) +
                          ") is behind the last checkpoint (seq " +
                          std::to_string(out.chain.last_checkpoint_seq) +
                          "): an anchor update failed or was interrupted");
    }
  } else if (out.chain.checkpoints > 0) {
    return broken(out.chain.last_checkpoint_seq,
                  "the anchor file " + resolved.anchor_file +
                      " is missing, but the log has checkpoints (the newest at seq " +
                      std::to_string(out.chain.last_checkpoint_seq) +
                      "): it was deleted, perhaps with the newest events");
  }

  // The MACs, with the key.
  Result<AuditKey> key = ReadAuditKey(resolved.key_file, /*private_only=*/false);
  if (key.status().code() == StatusCode::kNotFound) {
    out.keyed_skipped = "no key file at " + resolved.key_file;
  } else if (!key.ok()) {
    return key.status();
  } else {
    out.keyed = true;
    int64_t after = 0;
    while (true) {
      TRY_ASSIGN(std::vector<store::AuditCheckpoint> page,
                 store->ListAuditCheckpoints(after, kCheckpointPage));
      for (const store::AuditCheckpoint& checkpoint : page) {
        TRY_ASSIGN(std::string mac, AuditCheckpointMac(*key, checkpoint.seq, checkpoint.hash));
        if (!SameMac(mac, checkpoint.mac)) {
          return broken(checkpoint.seq, "the checkpoint's MAC does not verify: the log up to seq " +
                                            std::to_string(checkpoint.seq) +
                                            " was rewritten, or the key is not this hub's");
        }
        ++out.macs_checked;
      }
      if (static_cast<int>(page.size()) < kCheckpointPage) break;
      after = page.back().seq;
    }
    if (out.anchor.has_value()) {
      TRY_ASSIGN(std::string mac, AuditCheckpointMac(*key, out.anchor->seq, out.anchor->hash));
      if (!SameMac(mac, out.anchor->mac)) {
        return broken(out.anchor->seq,
                      "the anchor's MAC does not verify: the anchor was forged, or the key is "
                      "not this hub's");
      }
    }
  }

  const int64_t unchecked = out.chain.head_seq - out.chain.last_checkpoint_seq;
  if (unchecked > 0) {
    out.notes.push_back(std::to_string(unchecked) + " event" + (unchecked == 1 ? "" : "s") +
                        " after the last checkpoint (seq " +
                        std::to_string(out.chain.last_checkpoint_seq) +
                        ") are protected by the hash chain only");
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Group commit

struct AuditLog::Waiter {
  store::AuditEvent event;
  std::optional<Result<store::AuditEvent>> result;
  AppendDone done;  // set for AppendAsync: called instead of waking a caller, then deleted
};

// The AuditLog's signer: signs inside the transaction as AuditCheckpointSigner does, but hands
// the checkpoint to anchor to a thread of its own, which replaces the anchor file with the
// latest one (several batches' checkpoints coalesce into one write). A batch's callers are woken
// once their events are durable in the database (the commit's fsync) and the writer goes on to
// the next batch, neither waiting for the anchor's fsync and rename. The anchor exists to show
// that the newest events were not cut off; it trails the log by the batches in flight.
class AuditLog::DeferredAnchor final : public store::AuditSigner {
 public:
  explicit DeferredAnchor(std::shared_ptr<AuditCheckpointSigner> signer)
      : signer_(std::move(signer)), thread_([this] { Loop(); }) {}
  ~DeferredAnchor() override { Stop(); }

  Result<std::string> Sign(int64_t seq, std::string_view hash) override {
    return signer_->Sign(seq, hash);
  }
  Status Anchor(const store::AuditCheckpoint& checkpoint) override {
    {
      std::lock_guard lock(mu_);
      if (!pending_ || pending_->seq < checkpoint.seq) pending_ = checkpoint;
    }
    cv_.notify_one();
    return Status::Ok();
  }
  // Writes what is pending, then stops the thread. Idempotent.
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
  }
  int64_t failures() const { return failures_.load(); }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    while (true) {
      cv_.wait(lock, [this] { return stopping_ || pending_.has_value(); });
      if (!pending_) return;  // stopping, nothing left to write
      store::AuditCheckpoint checkpoint = *pending_;
      pending_.reset();
      lock.unlock();
      // The events are committed and checkpointed; only the anchor lags. Verification reports
      // an anchor behind the last checkpoint as a note; the next checkpoint tries again.
      if (!signer_->Anchor(checkpoint).ok()) ++failures_;
      lock.lock();
    }
  }

  std::shared_ptr<AuditCheckpointSigner> signer_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<store::AuditCheckpoint> pending_;
  bool stopping_ = false;
  std::atomic<int64_t> failures_{0};
  std::thread thread_;
};

Result<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& hub_dir,
                                                 AuditLogOptions options) {
  if (options.max_queued == 0 || options.max_batch == 0) {
    return Status::InvalidArgument("AuditLog: max_queued and max_batch must be positive");
  }
  const Clock& clock = options.clock != nullptr ? *options.clock : SystemClock::Instance();
  TRY_ASSIGN(std::shared_ptr<AuditCheckpointSigner> signer,
             AuditCheckpointSigner::Open(hub_dir, options.files));
  TRY_ASSIGN(std::unique_ptr<store::Store> store, store::OpenSqliteStore(hub_dir, clock));
  auto anchor = std::make_shared<DeferredAnchor>(std::move(signer));
  store->SetAuditSigner(anchor);
  return std::unique_ptr<AuditLog>(new AuditLog(std::move(store), std::move(anchor), options));
}

AuditLog::AuditLog(std::unique_ptr<store::Store> store, std::shared_ptr<DeferredAnchor> anchor,
                   const AuditLogOptions& options)
    : store_(std::move(store)),
      anchor_(std::move(anchor)),
      max_queued_(options.max_queued),
      max_batch_(options.max_batch),
      writer_([this] { WriteBatches(); }) {}

AuditLog::~AuditLog() { Stop(); }

Status AuditLog::Enqueue(Waiter* waiter, std::unique_lock<std::mutex>& lock) {
  space_ready_.wait(lock, [&] { return stopping_ || queue_.size() < max_queued_; });
  if (stopping_) return Status::FailedPrecondition("the audit log is stopped");
  queue_.push_back(waiter);
  work_ready_.notify_one();
  return Status::Ok();
}

Result<store::AuditEvent> AuditLog::Append(store::AuditEvent event) {
  TRY(store::ValidateAuditEvent(event));
  Waiter waiter{std::move(event), std::nullopt, nullptr};
  std::unique_lock lock(mutex_);
  TRY(Enqueue(&waiter, lock));
  batch_done_.wait(lock, [&] { return waiter.result.has_value(); });
  return std::move(*waiter.result);
}

void AuditLog::AppendAsync(store::AuditEvent event, AppendDone done) {
  if (Status valid = store::ValidateAuditEvent(event); !valid.ok()) return done(valid);
  auto waiter = std::make_unique<Waiter>(Waiter{std::move(event), std::nullopt, std::move(done)});
  std::unique_lock lock(mutex_);
  if (Status queued = Enqueue(waiter.get(), lock); !queued.ok()) {
    lock.unlock();
    return waiter->done(queued);
  }
  waiter.release();  // the writer owns it now, and deletes it after calling back
}

void AuditLog::WriteBatches() {
  std::vector<Waiter*> batch;
  std::vector<store::AuditEvent> events;
  std::vector<std::unique_ptr<Waiter>> finished;  // AppendAsync's, to call back
  while (true) {
    {
      std::unique_lock lock(mutex_);
      work_ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is committed
      const size_t n = std::min(queue_.size(), max_batch_);
      batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    }
    space_ready_.notify_all();
    events.clear();
    for (Waiter* waiter : batch) events.push_back(waiter->event);
    Result<std::vector<store::AuditEvent>> stored = store_->AppendAuditBatch(events);
    {
      std::lock_guard lock(mutex_);
      const int64_t size = static_cast<int64_t>(batch.size());
      if (stored.ok() && stored->size() == batch.size()) {
        for (size_t i = 0; i < batch.size(); ++i) batch[i]->result = std::move((*stored)[i]);
        stats_.events += size;
        ++stats_.batches;
        stats_.largest_batch = std::max(stats_.largest_batch, size);
      } else {
        const Status failed = stored.ok() ? Status::Internal(
                                                "AuditLog: the store returned "
                                                "another number of events")
                                          : stored.status();
        for (Waiter* waiter : batch) waiter->result = failed;
        stats_.failed_events += size;
      }
      // Taken while the lock is held: once it is released, Append's waiters (on their callers'
      // stacks) may be gone.
      for (Waiter* waiter : batch) {
        if (waiter->done) finished.emplace_back(waiter);
      }
    }
    batch_done_.notify_all();
    // AppendAsync's callers, outside the lock (a callback may append again).
    for (std::unique_ptr<Waiter>& waiter : finished) waiter->done(std::move(*waiter->result));
    finished.clear();
  }
}

void AuditLog::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  space_ready_.notify_all();
  std::lock_guard join_lock(join_mutex_);  // Stop from two threads at once joins once
  if (writer_.joinable()) writer_.join();
  anchor_->Stop();  // after the writer: the last batch's checkpoint is anchored
}

AuditLog::Stats AuditLog::GetStats() const {
  std::lock_guard lock(mutex_);
  Stats stats = stats_;
  stats.anchor_failures = anchor_->failures();
  return stats;
}

nlohmann::json AuditEventToJson(const store::AuditEvent& e) {
  return {{"seq", e.seq},
          {"at", FormatUtc(e.at_micros)},
          {"actor", e.actor},
          {"agency", e.agency},
          {"role", e.role},
          {"action", e.action},
          {"purpose", e.purpose},
          {"justification", e.justification},
          {"agreement", e.agreement},
          {"outcome", e.outcome},
          {"resource", e.resource},
          {"detail", e.detail},
          {"nominals", e.nominals},
          {"records", e.records},
          {"hash", e.hash}};
}

}  // namespace tessera::govern
