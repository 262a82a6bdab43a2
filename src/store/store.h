// The store: where a hub keeps what partners sent, what it was standardised into, and what the
// resolver made of it. This is the module's one public header.
//
// The interface is written so that a second implementation (PostgreSQL) can sit behind it
// without callers changing: only model value types, Status and Result cross it; no SQL text, no
// database handles, no engine-specific behaviour. See docs/design/0003-storage.md.
//
// Rules that hold for every implementation:
//   - Every write takes the open Transaction, so a load is all-or-nothing: a crash or an error
//     before Commit() leaves nothing of it behind. Each write call is itself atomic: if it
//     fails, none of its rows remain, and the transaction can carry on or roll back.
//   - Reads need no transaction. On a store with an open transaction, reads see its writes.
//   - Ids are assigned by the store (int64, never 0); an id given in an input value is ignored.
//   - A lookup by a store-assigned id that finds nothing is NotFound; a lookup by a natural key
//     (source id + record key, file hash) that finds nothing is an empty optional.
//   - A write that names a row that does not exist (a load, a source record, a location...)
//     fails with NotFound; one that repeats a unique key fails with AlreadyExists; a busy or
//     locked database is Unavailable.
//   - Times are microseconds since the Unix epoch (UTC), taken from the injected Clock.
//   - Dates cross as CivilDate and are stored as ISO 8601 text ("1987-03-14").
//
// Threading: a Store instance is used by one thread at a time (it is not internally locked).
// Several instances, in one process or several, may open the same hub: writers take turns
// (one write transaction at a time, waiting up to OpenOptions::busy_timeout_ms), and readers
// are not blocked by the writer.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "model/model.h"

namespace tessera::store {

// ---------------------------------------------------------------------------------------------
// The hub: a directory holding a store and the files around it.
//
//   DIR/hub.json      format marker: {"format": "tessera-hub", "format_version": 1, ...}
//   DIR/hub.db        the SQLite store
//   DIR/landing/      partner files waiting to be loaded, one sub-directory per source
//   DIR/quarantine/   files set aside whole (unreadable, wrong encoding)
//   DIR/models/       trained match and predictive models
//   DIR/exports/      files produced for partners and analysts
//   DIR/reference/    optional: postcodes.csv, the hub's own gazetteer (docs/formats/gazetteer.md)

// The hub.json format version this binary writes and understands.
inline constexpr int kHubFormatVersion = 1;

// Creates the hub layout in `hub_dir` (creating the directory itself if needed) and brings the
// store's schema up to date. Idempotent: running it on an existing hub changes nothing but
// pending migrations, and keeps the original creation time. Refuses (FailedPrecondition) a
// directory that holds anything other than hub files, so that `init` pointed at the wrong
// place does nothing.
Status InitHub(const std::string& hub_dir, const Clock& clock);
Status InitHub(const std::string& hub_dir);  // with the system clock

struct OpenOptions {
  // How long a write transaction waits for another writer before failing with Unavailable.
  int busy_timeout_ms = 5000;
  // Apply pending schema migrations at open. When false, a hub whose schema is older than
  // this binary fails to open with FailedPrecondition instead of being changed.
  bool apply_migrations = true;
  // When false, this Store's commits never run SQLite's automatic WAL checkpoint (which every
  // ~1,000 pages copies the log into the database, with an fsync, inside whichever commit
  // crosses the mark). Whoever opens it so must call Checkpoint() regularly from another Store
  // instance, as a background job: how a latency-sensitive writer (the live resolver) keeps
  // checkpoints off its own path.
  bool checkpoint_on_commit = true;
  // How many audit events a period of the nominal index holds (docs/design/0006-audit-log.md):
  // the append that completes a period also writes that period's index, sorted, in its
  // transaction; a read by nominal probes each sealed period and scans the open one. Each
  // sealed period records its own range, so stores opened with different values can share a
  // hub. Smaller periods seal faster and scan less, at one more probe per period read.
  int64_t audit_period_events = 16384;
};

class Store;

// Opens the hub at `hub_dir` with its SQLite store. Fails with FailedPrecondition, saying to
// run `tessera init --data DIR`, when `hub_dir` is not a hub; and with FailedPrecondition when
// the hub was written by a newer Tessera (its schema or hub format is newer than this binary).
// `clock` must outlive the store.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& hub_dir, const Clock& clock,
                                               OpenOptions options = {});

// What BackupHub wrote.
struct BackupSummary {
  std::string target;                                     // the backup directory
  std::vector<std::pair<std::string, int64_t>> files;     // path in the backup, bytes
  std::vector<std::pair<std::string, std::string>> left;  // hub entry not copied, and why
};

// Writes a copy of the hub at `hub_dir`, whose store is open as `store`, into `target`: a new
// directory (mode 0700) that must not exist yet, so that no backup overwrites anything. Online:
// other Stores read and write on meanwhile. The copy holds
//   - hub.json, and the audit anchor (copied first, so the copied log is never older than it);
//   - audit.db, then hub.db, each a consistent snapshot written by SQLite's VACUUM INTO, which
//     also leaves out the pages the hub has freed;
//   - the hub's configuration: mappings/, models/, analytics/ and reference/, where present;
// and not the audit key (keys/), which must be kept away from the hub's backups
// (docs/design/0006-audit-log.md), nor landing/, quarantine/ and exports/, whose files are the
// partners' extracts and what was handed out. The copy is written to `target`.partial, synced,
// and renamed to `target` when complete, so that a directory named `target` is always whole.
Result<BackupSummary> BackupHub(const std::string& hub_dir, Store& store,
                                const std::string& target);

// ---------------------------------------------------------------------------------------------
// Transactions

// An open write transaction. Obtained from Store::Begin(); at most one is open per Store.
// If neither Commit() nor Rollback() is called, the destructor rolls back. A Transaction must
// not outlive its Store (if the Store goes first, the transaction is rolled back then).
class Transaction {
 public:
  virtual ~Transaction() = default;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // Makes every write durable. Afterwards the transaction is over whatever the outcome: if
  // the commit fails, everything was rolled back.
  virtual Status Commit() = 0;
  // Discards every write. Calling it after Commit() or Rollback() is FailedPrecondition.
  virtual Status Rollback() = 0;
  // True until Commit() or Rollback() has been called.
  virtual bool is_open() const = 0;

 protected:
  Transaction() = default;
};

// ---------------------------------------------------------------------------------------------
// Loads: one file (or one API batch) loaded from one source.

enum class LoadMode {
  kIncremental,  // rows add to and update what the source sent before
  kFullRefresh,  // the file is everything: current records it lacks are deleted
};
std::string_view LoadModeName(LoadMode mode);  // "incremental", "full_refresh"
std::optional<LoadMode> LoadModeFromName(std::string_view name);

enum class LoadStatus { kRunning, kCompleted };
std::string_view LoadStatusName(LoadStatus status);  // "running", "completed"

// What a load did with the rows it read. They must reconcile:
//   read = loaded + unchanged + quarantined
// where `loaded` counts rows that wrote a new record or a new version, `unchanged` rows whose
// record was already stored with the same content, and `quarantined` rows set aside.
// `deleted` counts records tombstoned by the load (by a full refresh or an explicit delete);
// they are not rows read, so they are outside the sum.
struct LoadCounts {
  int64_t read = 0;
  int64_t loaded = 0;
  int64_t unchanged = 0;
  int64_t quarantined = 0;
  int64_t deleted = 0;

  friend bool operator==(const LoadCounts&, const LoadCounts&) = default;
};

struct LoadSummary {
  model::LoadId id = 0;
  std::string source_id;
  std::string file;       // relative to the hub, or "api"
  std::string file_hash;  // hex SHA-256 of the whole file
  LoadMode mode = LoadMode::kIncremental;
  LoadStatus status = LoadStatus::kRunning;
  int64_t started_at_micros = 0;
  std::optional<int64_t> finished_at_micros;
  LoadCounts counts;
};

// ---------------------------------------------------------------------------------------------
// Source records

// What writing a source record (or its deletion) did.
enum class RecordChange {
  kInserted,   // a key not seen before: version 1
  kUpdated,    // new content for a known key (or a deleted key back again): a new version
  kUnchanged,  // same content hash as the current version (or deleting a deleted key): no write
  kDeleted,    // a tombstone version was written
};
std::string_view RecordChangeName(RecordChange change);

struct PutOutcome {
  RecordChange change = RecordChange::kInserted;
  model::SourceRecordId id = 0;  // the record's current version, written or already there
  int version = 0;
};

// ---------------------------------------------------------------------------------------------
// Quarantine: rows that could not be loaded, kept with where they came from and why.

struct QuarantinedRow {
  int64_t id = 0;  // assigned by the store
  model::LoadId load_id = 0;
  std::string source_id;
  std::string file;
  int64_t line = 0;         // 1-based physical line where the row starts
  int64_t byte_offset = 0;  // offset of the row's first byte
  std::string field;        // the field at fault, empty when the whole row is
  std::string reason;
  std::string raw;  // the row's bytes as read; need not be valid UTF-8

  friend bool operator==(const QuarantinedRow&, const QuarantinedRow&) = default;
};

// Which quarantined rows to list, oldest first: those of one load, one source, both, or (with
// neither set) every row.
struct QuarantineQuery {
  std::optional<model::LoadId> load_id;
  std::string source_id;  // empty: any source
  int64_t after_id = 0;   // for paging: only rows with a larger id
  int limit = 100;
};

// A current person record that loaded with values set aside as invalid, and where it came from.
struct FlaggedRecord {
  model::PersonRecordId person_record_id = 0;
  std::string source_id;
  std::string record_key;
  std::string file;
  int64_t line = 0;
  std::vector<model::QualityFlag> flags;
};

// Which flagged records to list, oldest person record first.
struct FlaggedQuery {
  std::string source_id;  // empty: any source
  int64_t after_id = 0;   // for paging: only person records with a larger id
  int limit = 100;
};

// ---------------------------------------------------------------------------------------------
// Nominals and their change feed (for the resolver and the search index)

enum class NominalChangeKind {
  kCreated,
  kUpdated,         // its summary attributes changed
  kRecordsChanged,  // a person record was attached to it, moved away from it or detached
  kMerged,          // it was merged into another nominal and is now a redirect to it
  kSplit,           // records were split off it into a new nominal (on both of them)
  kRetired,         // it lost all its records and was retired
};
// "created", "updated", "records_changed", "merged", "split", "retired"
std::string_view NominalChangeKindName(NominalChangeKind kind);

struct NominalChange {
  int64_t seq = 0;  // increasing, never reused; a reader keeps the last one it has seen
  model::NominalId nominal_id = 0;
  NominalChangeKind kind = NominalChangeKind::kCreated;
  int64_t at_micros = 0;
};

// Where a nominal id stands. Ids are never deleted or reused: a merged nominal stays as a
// redirect to the nominal that absorbed it, and a retired one stays so that its history can
// still be read.
enum class NominalStatus {
  kLive,     // holds records (or may be given some)
  kMerged,   // absorbed by another nominal: ResolveNominalId gives the live one
  kRetired,  // all its records were retired and it was not merged
};
std::string_view NominalStatusName(NominalStatus status);  // "live", "merged", "retired"

// One person record's place in the resolution.
struct NominalAssignment {
  model::PersonRecordId person_record_id = 0;
  model::NominalId nominal_id = 0;

  friend bool operator==(const NominalAssignment&, const NominalAssignment&) = default;
};

// One step in a nominal's history: a merge, a split or a retirement, with why.
struct NominalLineage {
  int64_t seq = 0;   // increasing, in the order the steps were recorded
  std::string kind;  // "merged", "split" or "retired" (NominalChangeKindName)
  // merged: `from` (absorbed) was merged into `to` (survivor); split: records of `from` were
  // split off into `to` (new); retired: `from` was retired and `to` is 0.
  model::NominalId from = 0;
  model::NominalId to = 0;
  std::string reason;
  int64_t at_micros = 0;

  friend bool operator==(const NominalLineage&, const NominalLineage&) = default;
};

// ---------------------------------------------------------------------------------------------
// Clerical review (issue 4): borderline pairs of person records waiting for a human decision.

enum class ReviewStatus {
  kOpen,      // waiting for a decision
  kAccepted,  // a person decided the two records are the same person
  kRejected,  // a person decided they are not
  kStale,     // undecided, and the pair no longer scores between the thresholds
};
std::string_view ReviewStatusName(ReviewStatus status);  // "open", "accepted", "rejected", "stale"

struct ReviewPair {
  int64_t id = 0;  // assigned by the store
  model::PersonRecordId a = 0;
  model::PersonRecordId b = 0;  // a < b
  double probability = 0;       // the latest score the resolver gave the pair
  double match_weight = 0;
  ReviewStatus status = ReviewStatus::kOpen;
  int64_t created_at_micros = 0;
  std::string decided_by;  // empty until decided
  std::string reason;      // the decision's reason; empty until decided
  std::optional<int64_t> decided_at_micros;

  friend bool operator==(const ReviewPair&, const ReviewPair&) = default;
};

// Which review pairs to list, by id: those with one status, or (unset) all of them.
struct ReviewQuery {
  std::optional<ReviewStatus> status;
  int64_t after_id = 0;  // for paging: only pairs with a larger id
  int limit = 100;
};

// ---------------------------------------------------------------------------------------------
// Link decisions: constraints set by people that the resolver must never undo.

enum class LinkDecisionKind {
  kMustLink,    // the two records are the same person: they stay in one nominal
  kCannotLink,  // they are different people: they are never put in one nominal
};
std::string_view LinkDecisionKindName(LinkDecisionKind kind);  // "must_link", "cannot_link"

struct LinkDecision {
  int64_t id = 0;  // assigned by the store
  model::PersonRecordId a = 0;
  model::PersonRecordId b = 0;  // stored with a < b
  LinkDecisionKind kind = LinkDecisionKind::kCannotLink;
  std::string actor;                      // who decided: "cli:alice"
  std::string reason;                     // why, in their words
  int64_t at_micros = 0;                  // assigned by the store, from its clock
  std::optional<int64_t> review_pair_id;  // the review pair it decided, if it came from one

  friend bool operator==(const LinkDecision&, const LinkDecision&) = default;
};

// ---------------------------------------------------------------------------------------------
// Households (issue 4): the evidence household resolution reads, and what it writes.

// What one current person record says about where its person lived, and when.
struct PersonAddressEvidence {
  model::PersonRecordId person_record_id = 0;
  model::NominalId nominal_id = 0;  // the nominal it is attached to; 0 if not resolved yet
  std::optional<model::LocationId> location_id;  // the address it gave, if any
  // The earliest and latest dates of the events the record is involved in; both empty when it
  // is in none (the caller decides what an undated record is worth: see received_at_micros).
  std::optional<CivilDate> first_event;
  std::optional<CivilDate> last_event;
  int64_t received_at_micros = 0;  // when the hub received its source record version

  friend bool operator==(const PersonAddressEvidence&, const PersonAddressEvidence&) = default;
};

// Two current person records named in one event, or in events of one source that share an
// event reference (the rows of one referral), as a parent or carer and a child.
struct FamilyLink {
  model::PersonRecordId adult = 0;  // the parent or carer
  model::PersonRecordId child = 0;
  model::Role adult_role = model::Role::kParent;  // kParent or kCarer

  friend bool operator==(const FamilyLink&, const FamilyLink&) = default;
};

// What ReplaceHouseholds did.
struct HouseholdWrite {
  std::vector<model::HouseholdId> ids;  // the id of each household given, in the order given
  int64_t created = 0;                  // new households (id 0 given)
  int64_t changed = 0;                  // kept ids whose address, period or members changed
  int64_t unchanged = 0;                // kept ids with nothing changed (nothing written)
  int64_t dissolved = 0;                // live households not given

  friend bool operator==(const HouseholdWrite&, const HouseholdWrite&) = default;
};

// ---------------------------------------------------------------------------------------------
// Data quality of a load (for the data-quality report, docs/formats/mapping.md)

// What became of one mapped field over the records a load mapped. `records` counts the records
// (person mentions, for person fields) in which the field was looked at; of those, `present`
// had a non-empty raw value, and each present value was either `valid` (standardised), or
// `flagged` (set aside as invalid), or a `placeholder` (a stand-in such as 01/01/1900 or
// "UNKNOWN", kept as missing). present = valid + flagged + placeholder.
struct FieldQuality {
  std::string attribute;  // the model attribute: "person.dob", "event.category"
  std::string field;      // the source's name for it (the first field the spec reads)
  int64_t records = 0;
  int64_t present = 0;
  int64_t valid = 0;
  int64_t flagged = 0;
  int64_t placeholder = 0;

  friend bool operator==(const FieldQuality&, const FieldQuality&) = default;
};

struct LoadQuality {
  int64_t records = 0;               // records read and mapped (not quarantined rows)
  int64_t flagged_records = 0;       // of those, records with a value set aside as invalid
  std::vector<FieldQuality> fields;  // in the order the mapping first met them
  std::vector<std::pair<std::string, int64_t>> categories;  // event category -> count, sorted

  friend bool operator==(const LoadQuality&, const LoadQuality&) = default;
};

// Duplicates among a source's current, not deleted records.
struct SourceDuplicates {
  // Person mentions identical on every standardised attribute (name, date of birth, sex,
  // identifiers, phones, emails, address) and in the same event (type, date, category), under
  // different record keys: the same row sent twice with a new key.
  int64_t same_content_groups = 0;
  int64_t same_content_records = 0;
  // Person mentions with the same standardised given name, family name and date of birth
  // under different record keys: probably one person the source holds more than once.
  int64_t probable_person_groups = 0;
  int64_t probable_person_records = 0;

  friend bool operator==(const SourceDuplicates&, const SourceDuplicates&) = default;
};

// ---------------------------------------------------------------------------------------------
// The audit log: who saw or did what, why, and when. Append-only and tamper-evident: each event
// carries the hex SHA-256 of its own canonical encoding chained to the previous event's hash,
// and keyed checkpoints (an HMAC the store never sees the key of) vouch for the chain's head
// (docs/design/0006-audit-log.md). Every request that reads or changes personal data appends
// one event, allowed or denied.

struct AuditEvent {
  int64_t seq = 0;                // assigned by the store: 1, 2, 3... with no gaps
  int64_t at_micros = 0;          // assigned by the store, from its clock
  std::string actor;              // who: "user:12", "cli:alice", "svc:resolver"
  std::string agency;             // the actor's agency: "police" (empty when none applies)
  std::string role;               // the role acted in: "practitioner"
  std::string action;             // what: "nominal.view", "search", "quarantine.show"
  std::string purpose;            // under which purpose: "child_safeguarding"
  std::string justification;      // why, in the actor's words
  std::string agreement;          // the sharing agreement judged under: "ISA-T2-CS-01 v3"
  std::string outcome;            // "allowed", "denied", "partial", "error" (empty: not stated)
  std::string resource;           // on what: "nominal/42", "quarantine?source=police_crime"
  std::string detail;             // what came of it: "rows=1", "withheld=3"
  std::vector<int64_t> nominals;  // the nominals shown (or asked for, when denied)
  std::vector<int64_t> records;   // the source record version ids whose contents were shown
  int encoding = 0;               // assigned by the store: the canonical encoding hashed (1 or 2)
  std::string prev_hash;          // assigned by the store: the previous event's hash ("" for seq 1)
  std::string hash;               // assigned by the store: hex SHA-256 over the canonical encoding

  friend bool operator==(const AuditEvent&, const AuditEvent&) = default;
};

// InvalidArgument unless the event can be appended: actor and action set, every nominal and
// record id positive. What AppendAudit checks; for a caller that queues events to check early.
Status ValidateAuditEvent(const AuditEvent& event);

// A keyed checkpoint: a MAC over (seq, hash) of the last event of an append, made by an
// AuditSigner with a key kept outside the database. Anyone able to rewrite the chain in the
// database cannot make valid checkpoints for it without the key.
struct AuditCheckpoint {
  int64_t seq = 0;        // the event vouched for
  std::string hash;       // that event's hash
  std::string mac;        // the signer's MAC over (seq, hash), as text (hex)
  int64_t at_micros = 0;  // assigned by the store

  friend bool operator==(const AuditCheckpoint&, const AuditCheckpoint&) = default;
};

// Signs checkpoints for a Store (Store::SetAuditSigner), so that the store, which knows no
// key, writes one with every append. src/govern/audit_log.h has the HMAC implementation.
class AuditSigner {
 public:
  virtual ~AuditSigner() = default;
  // The MAC of the checkpoint for the event (seq, hash). Called inside the append's
  // transaction: an error fails the append and nothing is written.
  virtual Result<std::string> Sign(int64_t seq, std::string_view hash) = 0;
  // Called once the append holding `checkpoint` has committed durably: records the head
  // outside the database (an anchor file), so that cutting the newest events off is seen. An
  // error is returned by the append although its events are committed (the caller then shows
  // nothing: recorded but not shown, never shown but not recorded).
  virtual Status Anchor(const AuditCheckpoint& checkpoint) = 0;
};

// What VerifyAudit found.
struct AuditVerification {
  bool intact = true;
  int64_t events = 0;               // events checked (all of them when intact)
  int64_t first_broken_seq = 0;     // the first event whose hash, link or seq is wrong; 0 if none
  std::string problem;              // why that event is broken
  int64_t head_seq = 0;             // the last event, when intact: record it elsewhere to detect
  std::string head_hash;            // the log being cut short (see the design note)
  int64_t checkpoints = 0;          // checkpoints whose event and hash were checked
  int64_t last_checkpoint_seq = 0;  // the newest checkpoint's seq (0: none)
};

// Filters for SearchAudit; empty or zero means any. Results are by seq.
struct AuditQuery {
  std::string actor;          // exactly this actor
  std::string agency;         // exactly this agency
  std::string action_prefix;  // actions starting with this: "nominal." or "search"
  std::string purpose;
  std::string outcome;
  std::optional<int64_t> from_micros;  // at >= from
  std::optional<int64_t> to_micros;    // at < to
  int64_t nominal_id = 0;              // events that named this nominal
  int64_t after_seq = 0;               // paging: seq > after_seq
  int64_t before_seq = 0;              // paging: seq < before_seq (0: no bound)
  bool newest_first = false;
  int limit = 100;
};

// Events, distinct nominals named and events per outcome, for one group of AuditUsage.
struct AuditUsageCount {
  std::string agency;  // the group's agency ("" for events that named none)
  std::string actor;   // by_actor only
  int64_t events = 0;
  int64_t nominals = 0;                     // distinct nominals the events named
  std::map<std::string, int64_t> outcomes;  // events per outcome ("" for not stated)

  friend bool operator==(const AuditUsageCount&, const AuditUsageCount&) = default;
};

// Use of the hub over a period: AuditUsage(from, to).
struct AuditUsage {
  int64_t events = 0;
  std::map<std::string, int64_t> outcomes;
  std::vector<AuditUsageCount> by_agency;  // most events first, then by agency
  std::vector<AuditUsageCount> by_actor;   // per (actor, agency): most events first, then actor

  friend bool operator==(const AuditUsage&, const AuditUsage&) = default;
};

// ---------------------------------------------------------------------------------------------
// Identity (issue 5): the users of a hub, their password hashes, their sessions and their login
// failures. The store keeps them; src/govern/identity.h decides what they mean (password policy,
// hashing, lockout, session timeouts). Nothing here is a secret in the clear: a password is kept
// only as the encoded hash govern made of it, and a session only as the hash of its token.

struct StoredUser {
  int64_t id = 0;            // assigned by the store
  std::string username;      // as given; unique ignoring ASCII case
  std::string display_name;  // "Alice Smith"
  model::Agency agency = model::Agency::kPolice;
  std::vector<std::string> roles;  // role names (govern's vocabulary); stored sorted, once each
  std::string bound_source;        // a service account's one source id; empty for people
  CivilDate trained_on;            // the last data-protection training
  CivilDate training_expires;      // the first day it no longer counts
  bool enabled = true;
  std::string disabled_reason;  // why it was disabled; empty while enabled
  // Login throttling, written only by SetLoginState (CreateUser starts them at 0 and empty).
  int failed_logins = 0;                       // consecutive failures since the last success
  std::optional<int64_t> locked_until_micros;  // refused until then, when set
  int64_t created_at_micros = 0;               // assigned by the store
  int64_t updated_at_micros = 0;               // assigned by the store: the last CreateUser,
                                               // UpdateUser or SetPasswordHash

  friend bool operator==(const StoredUser&, const StoredUser&) = default;
};

struct StoredSession {
  int64_t id = 0;          // assigned by the store
  std::string token_hash;  // hex SHA-256 of the token; the token itself is never stored
  int64_t user_id = 0;
  int64_t created_at_micros = 0;
  int64_t last_seen_at_micros = 0;
  int64_t expires_at_micros = 0;             // the absolute end of its life, however active it is
  std::optional<int64_t> revoked_at_micros;  // set by the store when it is revoked
  std::string revoke_reason;                 // "logout", "user disabled", "password reset"

  friend bool operator==(const StoredSession&, const StoredSession&) = default;
};

// ---------------------------------------------------------------------------------------------
// Governance (issue 5): the purposes catalogue, versioned sharing agreements, restrictions and
// break-glass grants. The store keeps them; src/govern/agreements.h and policy.h decide what
// they mean. Nothing here is ever deleted: agreements gain versions, purposes are deactivated,
// restrictions are lifted and break-glass grants end, so that "what was allowed when" stays
// answerable.

struct StoredPurpose {
  std::string code;  // "child_safeguarding": lower-case letters, digits and '_'
  std::string name;  // "Child safeguarding"
  std::string description;
  bool active = true;
  std::string updated_by;         // assigned by the caller: "cli:alice", "user:12"
  int64_t updated_at_micros = 0;  // assigned by the store

  friend bool operator==(const StoredPurpose&, const StoredPurpose&) = default;
};

struct StoredAgreement {
  std::string code;  // "ISA-T2-CS-01"
  int version = 0;   // assigned by the store: 1, 2, ... per code
  int tier = 2;      // 1 (organisation level) or 2 (use case)
  std::string body;  // the agreement as JSON (govern's format)
  std::string author;
  int64_t created_at_micros = 0;  // assigned by the store

  friend bool operator==(const StoredAgreement&, const StoredAgreement&) = default;
};

struct StoredRestriction {
  int64_t id = 0;                     // assigned by the store
  std::string kind;                   // "sealed", "objection", "field_exclusion"
  std::string target;                 // "nominal", "record" (source_id + record_key) or "dataset"
  int64_t nominal_id = 0;             // with target "nominal"
  std::string source_id;              // with target "record" or "dataset"
  std::string record_key;             // with target "record"
  std::vector<std::string> fields;    // with kind "field_exclusion": field paths
  std::vector<std::string> purposes;  // empty: every purpose; else only these
  std::string reason;
  std::string created_by;
  int64_t created_at_micros = 0;  // assigned by the store
  std::string lifted_by;          // empty while in force
  std::optional<int64_t> lifted_at_micros;
  std::string lift_reason;

  friend bool operator==(const StoredRestriction&, const StoredRestriction&) = default;
};

struct StoredBreakGlass {
  int64_t id = 0;  // assigned by the store
  int64_t user_id = 0;
  int64_t session_id = 0;
  std::string purpose;
  std::string reason;
  int64_t started_at_micros = 0;  // assigned by the store
  int64_t expires_at_micros = 0;
  std::optional<int64_t> ended_at_micros;  // ended early (logout, revoked)

  friend bool operator==(const StoredBreakGlass&, const StoredBreakGlass&) = default;
};

// Changes whenever the rules change (rules: bumped by every governance write above), a source
// record version is added (restrictions name records by key) or a nominal changes
// (restrictions name nominals, which merge).
struct GovernanceStamp {
  int64_t rules = 0;
  int64_t max_source_record_id = 0;
  int64_t max_nominal_change_seq = 0;

  friend bool operator==(const GovernanceStamp&, const GovernanceStamp&) = default;
};

// ---------------------------------------------------------------------------------------------
// Single view reads (issue 5): what the person and address pages read, a few statements per page
// rather than a few per linked record.

// A person record with what a view needs to judge it and cite it, read together.
struct PersonRecordDetail {
  model::PersonRecord person;  // with source_id filled in
  // Its source record version without the payload (left empty): views never show the payload,
  // and it is most of the row.
  model::SourceRecord source;
  std::optional<model::NominalId> nominal_id;  // the nominal it is attached to, if any
  // With events: the events it is involved in, by date then id, each with its involvements
  // (as ListEventsForPersonRecord). Empty otherwise.
  std::vector<model::Event> events;
};

// ---------------------------------------------------------------------------------------------
// Housekeeping

// A saved risk model version in the registry (issue 7). Scores are shown only from an
// "approved" version; "disabled" is the kill switch.
struct StoredRiskModel {
  std::string version;  // "v3": the directory under HUB/models/risk/
  std::string outcome;  // "cp_plan_escalation"
  std::string training_data_sha256;
  std::string metadata;           // parameters and metrics, as JSON
  std::string state = "pending";  // "pending", "approved" or "disabled"
  int64_t created_at_micros = 0;  // assigned by the store
  std::string decided_by;         // who approved or disabled it last ("" while pending)
  int64_t decided_at_micros = 0;
  std::string reason;  // why, in their words
};

// A stored score (issue 7): one nominal's score from one model version, as of a day.
struct StoredRiskScore {
  std::string version;
  model::NominalId nominal_id = 0;
  CivilDate as_of;
  double probability = 0;        // calibrated
  double margin = 0;             // log-odds, before calibration
  int64_t rank = 0;              // 1 = the highest probability among the version's scores
  std::string explanation;       // JSON: bias, features, contributions (src/risk)
  int64_t scored_at_micros = 0;  // assigned by the store
};

// A practitioner's decision on a shown score: "agree", "disagree" or "action".
struct StoredRiskDecision {
  int64_t id = 0;  // assigned by the store
  model::NominalId nominal_id = 0;
  std::string version;
  double probability = 0;  // the score shown when deciding
  std::string decision;
  std::string reason;
  std::string actor;  // "user:alice"
  std::string agency;
  std::string purpose;
  int64_t decided_at_micros = 0;  // assigned by the store
};

// A cohort definition: a named rule set (JSON, src/analytics cohort rules).
struct StoredCohort {
  int64_t id = 0;  // assigned by the store
  std::string name;
  std::string description;
  std::string definition;                                // JSON
  std::string owner;                                     // "user:alice"
  int64_t created_at_micros = 0, updated_at_micros = 0;  // assigned by the store
};

// One evaluation of a cohort, under one scope (a hash of the purpose, agreements and
// restrictions it was computed under).
struct StoredCohortRun {
  int64_t id = 0;  // assigned by the store
  int64_t cohort_id = 0;
  int64_t run_at_micros = 0;  // assigned by the store
  CivilDate as_of;
  std::string actor;
  std::string scope;
  std::string definition;  // the definition as run
  int64_t members = 0;     // set by the store from the members given
};

struct StoredCohortMember {
  int64_t rank = 0;  // 1 first
  model::NominalId nominal_id = 0;
  std::optional<double> score;
  std::string reasons;  // JSON
};

// One event for aggregate analytics (ListEventFacts).
struct EventFact {
  model::EventId id = 0;
  model::SourceRecordId source_record_id = 0;
  std::string source_id;
  model::Agency agency = model::Agency::kPolice;
  std::string category;
  std::string type;
  std::string reference;  // the partner's event reference ("" without one)
  CivilDate date;
  std::string postcode;           // of the event's location; "" without one
  std::string postcode_district;  // "M11"; "" without one
  // The address district of the first person record named in it (by id) that has one.
  std::string person_district;
  std::vector<model::NominalId> nominals;
  // Each nominal's roles in it (by nominal, then role; distinct): what role-matching indicator
  // rules need (src/view/cohort.h).
  struct Involvement {
    model::NominalId nominal = 0;
    model::Role role = model::Role::kSubject;
    friend bool operator==(const Involvement&, const Involvement&) = default;
  };
  std::vector<Involvement> involvements;
};

struct AppliedMigration {
  int version = 0;
  int64_t applied_at_micros = 0;
  std::string description;
};

// Row counts, for `tessera status`, reports and tests.
struct StoreCounts {
  int64_t loads = 0;
  int64_t source_records = 0;          // current, not deleted
  int64_t source_record_versions = 0;  // every version, tombstones included
  int64_t person_records = 0;
  int64_t events = 0;
  int64_t locations = 0;
  int64_t objects = 0;
  int64_t quarantined = 0;
  int64_t nominals = 0;     // live nominals only: not merged, not retired
  int64_t review_open = 0;  // review pairs waiting for a decision
};

// ---------------------------------------------------------------------------------------------
// The store

class Store {
 public:
  virtual ~Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // --- schema

  // The schema version of the open hub (after migrations).
  virtual int SchemaVersion() = 0;
  // Every migration applied to this hub, oldest first.
  virtual Result<std::vector<AppliedMigration>> ListAppliedMigrations() = 0;

  // --- transactions

  // Opens a write transaction, waiting for another writer up to the busy timeout.
  // FailedPrecondition if this Store already has one open.
  //
  // kPerCall: each write call is atomic on its own; after a failed call the transaction can
  // carry on. kAllOrNothing (bulk loads): write calls are not individually atomic, which saves a
  // savepoint per call (~15% of a load); after a failed write that may have been partly applied
  // the transaction is poisoned: further writes and Commit fail, and only Rollback is left.
  //
  // Durability: by default a commit survives the process crashing at once, and a machine
  // crash or power loss after the storage's next sync (SQLite: WAL with synchronous=NORMAL).
  // kSynced makes Commit return only once the commit is on stable storage (an fsync of the
  // WAL): what a caller that tells someone "done" (the resolver's group commit, the audit
  // log) needs.
  enum class TransactionMode { kPerCall, kAllOrNothing };
  enum class Durability { kDefault, kSynced };
  virtual Result<std::unique_ptr<Transaction>> Begin(
      TransactionMode mode = TransactionMode::kPerCall,
      Durability durability = Durability::kDefault) = 0;

  // --- loads

  virtual Result<model::LoadId> BeginLoad(Transaction& txn, std::string_view source_id,
                                          std::string_view file, std::string_view file_hash,
                                          LoadMode mode) = 0;
  // Marks a running load completed with its counts. InvalidArgument if the counts do not
  // reconcile or are negative; FailedPrecondition if the load is already completed.
  virtual Status FinishLoad(Transaction& txn, model::LoadId load_id, const LoadCounts& counts) = 0;
  virtual Result<LoadSummary> GetLoad(model::LoadId load_id) = 0;
  // The latest completed load of this exact file from this source, if any: a file loaded
  // before is not loaded again. Running (uncommitted or abandoned) loads are not returned.
  virtual Result<std::optional<LoadSummary>> FindCompletedLoadByFileHash(
      std::string_view source_id, std::string_view file_hash) = 0;
  // Newest first. An empty `source_id` lists every source.
  virtual Result<std::vector<LoadSummary>> ListLoads(std::string_view source_id, int limit) = 0;

  // --- source records (exactly once, versioned by record key)

  // Writes `record` as the current version of (source_id, record_key), unless the current
  // version has the same content hash. The previous version is kept as history. Needs
  // source_id, record_key, content_hash and provenance.load_id; the id, version and deleted
  // fields of `record` are ignored; provenance.source_id, if set, must equal source_id; a
  // zero provenance.received_at_micros means now.
  virtual Result<PutOutcome> PutSourceRecord(Transaction& txn,
                                             const model::SourceRecord& record) = 0;
  // Writes a tombstone version (deleted, empty payload) for a current record. Deleting a key
  // that is already deleted is kUnchanged; one never seen is NotFound.
  virtual Result<PutOutcome> DeleteSourceRecord(Transaction& txn, std::string_view source_id,
                                                std::string_view record_key,
                                                model::LoadId load_id) = 0;
  virtual Result<model::SourceRecord> GetSourceRecord(model::SourceRecordId id) = 0;
  // The current version, which is a tombstone (deleted == true) if the record was deleted.
  virtual Result<std::optional<model::SourceRecord>> GetCurrentSourceRecord(
      std::string_view source_id, std::string_view record_key) = 0;
  // Every version, oldest first; empty if the key was never seen.
  virtual Result<std::vector<model::SourceRecord>> GetSourceRecordHistory(
      std::string_view source_id, std::string_view record_key) = 0;
  // Keys of the source's current, not deleted records, sorted: what a full refresh compares
  // the file against.
  virtual Result<std::vector<std::string>> ListCurrentRecordKeys(std::string_view source_id) = 0;

  // --- person records

  // Stores a person mentioned by a source record version (record.source_record_id).
  // AlreadyExists if that version already has a person with the same mention_key.
  virtual Result<model::PersonRecordId> PutPersonRecord(Transaction& txn,
                                                        const model::PersonRecord& record) = 0;
  virtual Result<model::PersonRecord> GetPersonRecord(model::PersonRecordId id) = 0;
  // In id order.
  virtual Result<std::vector<model::PersonRecord>> ListPersonRecordsForSourceRecord(
      model::SourceRecordId source_record_id) = 0;
  // Person records of current, not deleted source record versions with id > `after`, in id
  // order, at most `limit`, each with its source_id filled in: how the resolver pages through
  // the store. Start with after = 0.
  virtual Result<std::vector<model::PersonRecord>> ListPersonRecordsAfter(
      model::PersonRecordId after, int limit) = 0;

  // --- events

  // Stores an event with its involvements (each naming a stored person record).
  virtual Result<model::EventId> PutEvent(Transaction& txn, const model::Event& event) = 0;
  virtual Result<model::Event> GetEvent(model::EventId id) = 0;
  // Events a person record is involved in, by date then id.
  virtual Result<std::vector<model::Event>> ListEventsForPersonRecord(
      model::PersonRecordId person_record_id) = 0;

  // --- locations and objects

  // Returns the id of the matching stored location, or stores a new one. Locations match on
  // UPRN when `location.uprn` is set, otherwise on normalised address text plus postcode
  // (case, punctuation and spacing ignored). On a match, fields the stored location lacks
  // (coordinates with their geo_precision, postcode parts) are filled from `location`;
  // nothing is overwritten.
  // InvalidArgument if the location has no UPRN, address or postcode.
  virtual Result<model::LocationId> UpsertLocation(Transaction& txn,
                                                   const model::Location& location) = 0;
  virtual Result<model::Location> GetLocation(model::LocationId id) = 0;
  // Sets a stored location's coordinates and their geo_precision, whatever it had: geocoding
  // (`tessera geocode`), which decides when a point may be replaced. NotFound if there is no
  // such location.
  virtual Status SetLocationPosition(Transaction& txn, model::LocationId id, double latitude,
                                     double longitude, std::string_view precision) = 0;

  // Returns the id of the stored object with the same kind and value, or stores a new one.
  virtual Result<model::ObjectId> UpsertObject(Transaction& txn, const model::Object& object) = 0;
  virtual Result<model::Object> GetObject(model::ObjectId id) = 0;

  // --- quarantine

  virtual Result<int64_t> AddQuarantined(Transaction& txn, const QuarantinedRow& row) = 0;
  virtual Result<std::vector<QuarantinedRow>> ListQuarantined(const QuarantineQuery& query) = 0;
  // One quarantined row; NotFound if there is none with this id.
  virtual Result<QuarantinedRow> GetQuarantined(int64_t id) = 0;
  // Current person records with quality flags (loaded, but with values set aside).
  virtual Result<std::vector<FlaggedRecord>> ListFlagged(const FlaggedQuery& query) = 0;

  // --- nominals (each change below also appends to the change feed)
  //
  // A nominal is live, merged or retired (NominalStatus). Only a live nominal can be updated
  // or given records; writing to a merged or retired one is FailedPrecondition.

  // Stores a new, live nominal from its summary attributes (nominal.records is ignored;
  // attach records with AttachPersonRecord).
  virtual Result<model::NominalId> CreateNominal(Transaction& txn,
                                                 const model::Nominal& nominal) = 0;
  // Replaces the summary attributes of nominal.id (nominal.records is ignored).
  virtual Status UpdateNominal(Transaction& txn, const model::Nominal& nominal) = 0;
  // Makes `person_record_id` part of `nominal_id`, moving it from its previous nominal if it
  // had one (both nominals get a kRecordsChanged change). Attaching it where it already is
  // changes nothing. A record attached for the first time costs one insert and one change:
  // the batch resolver attaches every record this way.
  virtual Status AttachPersonRecord(Transaction& txn, model::NominalId nominal_id,
                                    model::PersonRecordId person_record_id) = 0;
  // AttachPersonRecord for each of `person_record_ids`, with one kRecordsChanged change for
  // `nominal_id` (if any record came to it) and one for each nominal records moved away from,
  // rather than one per record: how the resolver writes a group. A record attached for the
  // first time costs one insert. Atomic as a whole; NotFound if a record does not exist.
  virtual Status AttachPersonRecords(Transaction& txn, model::NominalId nominal_id,
                                     std::span<const model::PersonRecordId> person_record_ids) = 0;
  // Removes `person_record_id` from its nominal (a kRecordsChanged change on that nominal).
  // Detaching a record that is not attached changes nothing; NotFound if the person record
  // does not exist.
  virtual Status DetachPersonRecord(Transaction& txn, model::PersonRecordId person_record_id) = 0;
  // The nominal with its person records (in id order) in `records`. A merged or retired
  // nominal is returned too, as it was left (a merged one has no records): ask
  // ResolveNominalId for the nominal an id means now.
  virtual Result<model::Nominal> GetNominal(model::NominalId id) = 0;
  virtual Result<NominalStatus> GetNominalStatus(model::NominalId id) = 0;
  virtual Result<std::optional<model::NominalId>> FindNominalForPersonRecord(
      model::PersonRecordId person_record_id) = 0;
  // Changes with seq > `after_seq`, oldest first, at most `limit`. Start with after_seq = 0.
  virtual Result<std::vector<NominalChange>> ListNominalChangesAfter(int64_t after_seq,
                                                                     int limit) = 0;

  // --- resolution state (issue 4): what the resolver reads in bulk and how it records merges,
  // splits and retirements.

  // Every attached person record with its nominal, in person record id order. It includes
  // records that are no longer current until the resolver detaches them (see below).
  virtual Result<std::vector<NominalAssignment>> ListNominalAssignments() = 0;
  // Assignments of person records that are no longer current (their source record has a
  // newer version, or was deleted), in person record id order: what an incremental resolver
  // must take away (DetachPersonRecord) before it resolves the new versions.
  virtual Result<std::vector<NominalAssignment>> ListRetiredAssignments() = 0;
  // Locations with id > `after`, in id order, at most `limit`: bulk loading for the resolver.
  virtual Result<std::vector<model::Location>> ListLocationsAfter(model::LocationId after,
                                                                  int limit) = 0;
  // The person records ListPersonRecordsAfter returns, but without raw values and quality
  // flags (PersonRecord::raw and ::flags are left empty): the resolver's fast path.
  virtual Result<std::vector<model::PersonRecord>> ListPersonRecordsForResolution(
      model::PersonRecordId after, int limit) = 0;
  // Merges `absorbed` into `survivor`: `absorbed` becomes a redirect to `survivor` (status
  // merged), with `reason` in both nominals' lineage and a kMerged change on `absorbed`. The
  // resolver first moves every record of `absorbed` with AttachPersonRecord (which records
  // kRecordsChanged on both). InvalidArgument if the two are the same or the reason is empty;
  // NotFound if either does not exist; FailedPrecondition if either is not live, or
  // `absorbed` still holds records.
  virtual Status MergeNominals(Transaction& txn, model::NominalId survivor,
                               model::NominalId absorbed, std::string_view reason) = 0;
  // Records that `from` was split and `to` (a nominal created for the split-off records, which
  // the resolver has attached to it) took some of its records, with why; a kSplit change on
  // both. InvalidArgument if the two are the same or the reason is empty; NotFound if either
  // does not exist; FailedPrecondition if either is not live.
  virtual Status RecordSplit(Transaction& txn, model::NominalId from, model::NominalId to,
                             std::string_view reason) = 0;
  // Retires a live nominal left with no records (all of them retired) that was not merged:
  // its status becomes retired, with a kRetired change and `reason` in its lineage.
  // InvalidArgument if the reason is empty; NotFound if it does not exist; FailedPrecondition
  // if it is not live or still holds records.
  virtual Status RetireNominal(Transaction& txn, model::NominalId id, std::string_view reason) = 0;
  // Follows merge redirects: the nominal `id` means now, which is `id` itself if it is live. A
  // retired nominal (or a chain of merges ending in one) resolves to the retired id, whose
  // status says there is no live nominal. NotFound if the id never existed.
  virtual Result<model::NominalId> ResolveNominalId(model::NominalId id) = 0;
  // The merges, splits and retirement of one nominal, whichever side of them it was on,
  // oldest first. NotFound if the id never existed.
  virtual Result<std::vector<NominalLineage>> ListNominalLineage(model::NominalId id) = 0;

  // --- households (issue 4)

  // Every current, not deleted person record with its nominal, address and event dates, in
  // person record id order: household resolution's one bulk read of the evidence.
  virtual Result<std::vector<PersonAddressEvidence>> ListPersonAddressEvidence() = 0;
  // Every parent-or-carer and child pair of current person records (see FamilyLink), each
  // pair once, ordered by adult then child.
  virtual Result<std::vector<FamilyLink>> ListFamilyLinks() = 0;
  // Makes `households` the hub's live households. A household with id 0 is new and gets an id
  // (never one used before); one with an id keeps it (a live or dissolved household: a
  // dissolved one comes back to life), and is rewritten only if its address, period or members
  // changed. Live households not given are dissolved: they keep their last members and stay
  // readable by id. members[].household_id and members[].location_id are ignored (they are the
  // household's); `dissolved` must be false. InvalidArgument if a household has no members,
  // names a nominal twice, has from after to, or two households give the same id; NotFound if
  // an id, a location or a nominal does not exist. Atomic: on error nothing is written.
  virtual Result<HouseholdWrite> ReplaceHouseholds(
      Transaction& txn, const std::vector<model::Household>& households) = 0;
  // A household (live or dissolved) with its members. NotFound if the id never existed.
  virtual Result<model::Household> GetHousehold(model::HouseholdId id) = 0;
  // Every live household with its members, by id: what household resolution matches against.
  virtual Result<std::vector<model::Household>> ListHouseholds() = 0;
  // The live households a nominal belongs to, by from date (undated last) then id. NotFound if
  // the nominal never existed; empty if it is in none (or was merged: ask ResolveNominalId).
  virtual Result<std::vector<model::Household>> ListHouseholdsForNominal(model::NominalId id) = 0;
  // The live households at a location, by from date (undated last) then id. NotFound if the
  // location does not exist.
  virtual Result<std::vector<model::Household>> ListHouseholdsAtLocation(model::LocationId id) = 0;

  // --- clerical review

  // Queues the pair of person records `a` and `b` (in either order; stored with a < b) for
  // review, and returns its id. A pair already queued keeps its id: if it is open its scores
  // are updated; if it is stale it is opened again with the new scores; if it was decided
  // nothing changes (a human decision stands). InvalidArgument if a == b or probability is
  // not within [0, 1]; NotFound if either record does not exist.
  virtual Result<int64_t> PutReviewPair(Transaction& txn, model::PersonRecordId a,
                                        model::PersonRecordId b, double probability,
                                        double match_weight) = 0;
  // An open pair that no longer scores between the thresholds becomes stale (a stale one stays
  // so). NotFound if there is no such pair; FailedPrecondition if it was decided.
  virtual Status MarkReviewPairStale(Transaction& txn, int64_t id) = 0;
  // Pairs by id, filtered and paged as `query` says.
  virtual Result<std::vector<ReviewPair>> ListReviewPairs(const ReviewQuery& query) = 0;
  // NotFound if there is no such pair.
  virtual Result<ReviewPair> GetReviewPair(int64_t id) = 0;
  // Accepts or rejects an open (or stale) pair, recording who and why. `decision` must be
  // kAccepted or kRejected, and actor and reason are required (InvalidArgument otherwise).
  // NotFound if there is no such pair; FailedPrecondition if it was already decided. It does
  // not add a LinkDecision: the caller adds one (with review_pair_id) in the same transaction.
  virtual Status DecideReviewPair(Transaction& txn, int64_t id, ReviewStatus decision,
                                  std::string_view actor, std::string_view reason) = 0;

  // --- link decisions

  // Stores a decision (decision.a and .b in either order; stored with a < b; id and at_micros
  // are assigned) and returns its id. InvalidArgument if a == b, actor or reason is empty, or
  // review_pair_id names a pair of other records; NotFound if a record or the review pair does
  // not exist.
  virtual Result<int64_t> AddLinkDecision(Transaction& txn, const LinkDecision& decision) = 0;
  // Every decision, oldest first. A later decision on the same pair supersedes the earlier
  // ones, which are kept as history: the resolver applies the latest one per pair.
  virtual Result<std::vector<LinkDecision>> ListLinkDecisions() = 0;

  // --- resolver bookkeeping: a small key/value store (cursors, the last run's model hash)

  // The value stored under `key`, or an empty optional.
  virtual Result<std::optional<std::string>> GetResolverState(std::string_view key) = 0;
  // Stores `value` under `key`, replacing any earlier value. InvalidArgument if key is empty.
  virtual Status PutResolverState(Transaction& txn, std::string_view key,
                                  std::string_view value) = 0;

  // --- data quality

  // Stores the data-quality statistics of a load, in the load's transaction (so a load that
  // never commits leaves none). AlreadyExists if the load has them already; NotFound if the
  // load does not exist.
  virtual Status PutLoadQuality(Transaction& txn, model::LoadId load_id,
                                const LoadQuality& quality) = 0;
  // The statistics of a load; empty when none were kept (loads made before schema version 2).
  // NotFound if the load does not exist.
  virtual Result<std::optional<LoadQuality>> GetLoadQuality(model::LoadId load_id) = 0;
  // Duplicates among the source's current, not deleted records (see SourceDuplicates).
  virtual Result<SourceDuplicates> CountDuplicates(std::string_view source_id) = 0;

  // --- audit log

  // Appends `event` (see ValidateAuditEvent) and returns it as stored, with seq, at_micros,
  // encoding, prev_hash and hash filled in. It always runs in a transaction of its own,
  // committed with a full sync before it returns, so a caller that shows data after an OK
  // knows the event is on disk; and no later rollback of other work can take it back. So it is
  // FailedPrecondition while a Transaction is open on this Store. Writers take turns (as in
  // Begin()), so concurrent appends from several processes still form one chain. With a
  // signer set, the same transaction writes a checkpoint for the event.
  virtual Result<AuditEvent> AppendAudit(const AuditEvent& event) = 0;
  // AppendAudit for several events in one transaction and one sync (group commit): all are
  // appended, consecutively and in order, or none (InvalidArgument naming the first invalid
  // event). With a signer set, one checkpoint vouches for the last of them. An empty batch
  // appends nothing.
  virtual Result<std::vector<AuditEvent>> AppendAuditBatch(
      const std::vector<AuditEvent>& events) = 0;
  // Signs a checkpoint with every append from now on (nullptr: none). The signer must be
  // usable from whichever thread uses this Store.
  virtual void SetAuditSigner(std::shared_ptr<AuditSigner> signer) = 0;
  // Events with seq > `after_seq`, oldest first, at most `limit`.
  virtual Result<std::vector<AuditEvent>> ListAudit(int64_t after_seq, int limit) = 0;
  // Checkpoints with seq > `after_seq`, oldest first, at most `limit`.
  virtual Result<std::vector<AuditCheckpoint>> ListAuditCheckpoints(int64_t after_seq,
                                                                    int limit) = 0;
  // Recomputes the chain from the first event: every seq follows the one before, every
  // prev_hash is the previous event's hash, every hash matches the event's contents (in the
  // encoding it was written with), every checkpoint names an event and carries its hash, and
  // the nominal index (ListAuditForNominal) matches the events. It cannot check checkpoint
  // MACs (govern::VerifyAuditLog does, with the key). A broken chain is a result (intact =
  // false), not an error.
  virtual Result<AuditVerification> VerifyAudit() = 0;
  // Who has seen this nominal: the events that named `nominal_id` or a nominal merged into it,
  // with seq > `after_seq`, oldest first, at most `limit`.
  virtual Result<std::vector<AuditEvent>> ListAuditForNominal(int64_t nominal_id, int64_t after_seq,
                                                              int limit) = 0;
  // The events that pass every filter of `query`. InvalidArgument if the limit is not positive.
  virtual Result<std::vector<AuditEvent>> SearchAudit(const AuditQuery& query) = 0;
  // Counts of the events with from_micros <= at < to_micros, by agency and by actor.
  virtual Result<AuditUsage> GetAuditUsage(int64_t from_micros, int64_t to_micros) = 0;

  // --- identity (issue 5): users, password hashes, sessions, login failures

  // Stores a new user with its encoded password hash and returns its id. `user.id`, the login
  // state and the times are ignored (failures start at 0, unlocked); roles are stored sorted
  // and once each. InvalidArgument if the username, display name, a role name or the hash is
  // empty, or a training date is not valid; AlreadyExists if the username is taken, ignoring
  // ASCII case ("Alice" and "alice" are one user).
  virtual Result<int64_t> CreateUser(Transaction& txn, const StoredUser& user,
                                     std::string_view password_hash) = 0;
  // Replaces user.id's display name, agency, roles, bound source, training dates, enabled flag
  // and disabled reason. The username, the login state and the password hash are left as they are.
  // NotFound if there is no such user; InvalidArgument as in CreateUser.
  virtual Status UpdateUser(Transaction& txn, const StoredUser& user) = 0;
  // NotFound if there is no such user.
  virtual Result<StoredUser> GetUser(int64_t id) = 0;
  // The user with this username, ignoring ASCII case; empty if there is none.
  virtual Result<std::optional<StoredUser>> FindUserByUsername(std::string_view username) = 0;
  // Every user, by username ignoring case.
  virtual Result<std::vector<StoredUser>> ListUsers() = 0;
  // The user's encoded password hash: read only to verify a password. NotFound if there is no
  // such user.
  virtual Result<std::string> GetPasswordHash(int64_t user_id) = 0;
  // Replaces the user's password hash. InvalidArgument if it is empty; NotFound if there is no
  // such user.
  virtual Status SetPasswordHash(Transaction& txn, int64_t user_id,
                                 std::string_view password_hash) = 0;
  // Records the user's consecutive login failures and lock. InvalidArgument if failed_logins
  // is negative; NotFound if there is no such user.
  virtual Status SetLoginState(Transaction& txn, int64_t user_id, int failed_logins,
                               std::optional<int64_t> locked_until_micros) = 0;

  // Stores a new session and returns its id (session.id and revocation are ignored).
  // InvalidArgument if the token hash is empty or expires_at is not after created_at;
  // AlreadyExists if the token hash is already stored; NotFound if the user does not exist.
  virtual Result<int64_t> CreateSession(Transaction& txn, const StoredSession& session) = 0;
  // The session with this token hash, revoked or expired ones too; empty if there is none.
  virtual Result<std::optional<StoredSession>> FindSessionByTokenHash(
      std::string_view token_hash) = 0;
  // Records activity on a session. NotFound if there is no such session.
  virtual Status TouchSession(Transaction& txn, int64_t session_id,
                              int64_t last_seen_at_micros) = 0;
  // Revokes a session, now, for `reason`. Revoking a revoked session changes nothing.
  // InvalidArgument if the reason is empty; NotFound if there is no such session.
  virtual Status RevokeSession(Transaction& txn, int64_t session_id, std::string_view reason) = 0;
  // Revokes every session of the user that is not revoked yet (expired ones too, so that none
  // can be revived) and returns how many. InvalidArgument if the reason is empty; NotFound if
  // the user does not exist.
  virtual Result<int64_t> RevokeUserSessions(Transaction& txn, int64_t user_id,
                                             std::string_view reason) = 0;
  // The user's sessions, newest first, revoked and expired ones too.
  virtual Result<std::vector<StoredSession>> ListUserSessions(int64_t user_id) = 0;

  // --- governance (issue 5): purposes, agreements, restrictions, break-glass

  // Creates or replaces the purpose with this code. InvalidArgument if the code or name is
  // empty.
  virtual Status PutPurpose(Transaction& txn, const StoredPurpose& purpose) = 0;
  // Every purpose, by code.
  virtual Result<std::vector<StoredPurpose>> ListPurposes() = 0;
  // Stores a new version of the agreement `agreement.code` and returns the version number (1
  // for a new code). InvalidArgument if the code, body or author is empty or the tier is not 1
  // or 2, or the tier differs from the code's earlier versions.
  virtual Result<int> AddAgreementVersion(Transaction& txn, const StoredAgreement& agreement) = 0;
  // The latest version of every agreement, by code (all_versions: every version, by code then
  // version).
  virtual Result<std::vector<StoredAgreement>> ListAgreements(bool all_versions) = 0;
  // One version (0: the latest). NotFound if there is none.
  virtual Result<StoredAgreement> GetAgreement(std::string_view code, int version) = 0;
  // Stores a restriction in force and returns its id. InvalidArgument if the kind, target or
  // reason is missing or the target's fields do not fit it.
  virtual Result<int64_t> AddRestriction(Transaction& txn, const StoredRestriction& r) = 0;
  // Lifts a restriction. NotFound if there is none; FailedPrecondition if already lifted.
  virtual Status LiftRestriction(Transaction& txn, int64_t id, std::string_view by,
                                 std::string_view reason) = 0;
  // Restrictions by id: only those in force, or every one.
  virtual Result<std::vector<StoredRestriction>> ListRestrictions(bool include_lifted) = 0;
  // Every version id of the source record (source_id, record_key), oldest first.
  virtual Result<std::vector<model::SourceRecordId>> ListSourceRecordVersionIds(
      std::string_view source_id, std::string_view record_key) = 0;
  // Starts a break-glass grant and returns its id. NotFound if the user or session is unknown.
  virtual Result<int64_t> AddBreakGlass(Transaction& txn, const StoredBreakGlass& grant) = 0;
  // The newest grant of the session that has not ended nor expired at `now_micros`.
  virtual Result<std::optional<StoredBreakGlass>> FindActiveBreakGlass(int64_t session_id,
                                                                       int64_t now_micros) = 0;
  // Ends a session's grants in force (at logout). Returns how many.
  virtual Result<int64_t> EndBreakGlass(Transaction& txn, int64_t session_id) = 0;
  // Where governance and the things restrictions name stand: a cache of rules built at one
  // stamp is current while the stamp is the same.
  // --- the risk model registry (issue 7)

  // Registers a new version as "pending". AlreadyExists if the version is registered.
  virtual Status PutRiskModel(Transaction& txn, const StoredRiskModel& model) = 0;
  // Moves a version to "approved" or "disabled", saying who and why. NotFound for an unknown
  // version; FailedPrecondition if it is already in that state; InvalidArgument for another
  // state or an empty actor or reason.
  virtual Status SetRiskModelState(Transaction& txn, std::string_view version,
                                   std::string_view state, std::string_view by,
                                   std::string_view reason) = 0;
  // Every registered version, oldest first.
  virtual Result<std::vector<StoredRiskModel>> ListRiskModels() = 0;

  // --- scores, decisions and cohorts (issue 7)

  // Replaces every stored score of `version` with `scores` (each with that version). NotFound
  // if the version is not registered; InvalidArgument for a score of another version, a
  // duplicate nominal or an empty explanation.
  virtual Status ReplaceRiskScores(Transaction& txn, std::string_view version,
                                   std::span<const StoredRiskScore> scores) = 0;
  // The score of `nominal` from `version`, if stored.
  virtual Result<std::optional<StoredRiskScore>> GetRiskScore(std::string_view version,
                                                              model::NominalId nominal) = 0;
  // How many scores `version` has and the day they are as of (nullopt with none): an indexed
  // count, for pages that show "rank 12 of 11,490".
  struct RiskScoreBatch {
    int64_t count = 0;
    std::optional<CivilDate> as_of;
  };
  virtual Result<RiskScoreBatch> GetRiskScoreBatch(std::string_view version) = 0;
  // Every score of `version`, by rank, without explanations (left empty).
  virtual Result<std::vector<StoredRiskScore>> ListRiskScores(std::string_view version) = 0;
  // Records a decision; returns its id. InvalidArgument for an unknown decision kind or an
  // empty reason or actor.
  virtual Result<int64_t> AddRiskDecision(Transaction& txn, const StoredRiskDecision& d) = 0;
  // Decisions on `nominal` (0: every nominal), newest first, at most `limit`.
  virtual Result<std::vector<StoredRiskDecision>> ListRiskDecisions(model::NominalId nominal,
                                                                    int limit) = 0;
  // Creates (id 0) or updates (by id) a cohort; returns its id. AlreadyExists if another cohort
  // has the name; NotFound for an unknown id; InvalidArgument for an empty name, definition or
  // owner.
  virtual Result<int64_t> PutCohort(Transaction& txn, const StoredCohort& cohort) = 0;
  virtual Result<std::optional<StoredCohort>> GetCohort(int64_t id) = 0;
  virtual Result<std::vector<StoredCohort>> ListCohorts() = 0;  // by name
  // Stores a run and its members (ranks 1..n in order); returns the run id. NotFound for an
  // unknown cohort.
  virtual Result<int64_t> AddCohortRun(Transaction& txn, const StoredCohortRun& run,
                                       std::span<const StoredCohortMember> members) = 0;
  // The cohort's runs of `scope`, newest first, at most `limit`.
  virtual Result<std::vector<StoredCohortRun>> ListCohortRuns(int64_t cohort_id,
                                                              std::string_view scope,
                                                              int limit) = 0;
  virtual Result<std::optional<StoredCohortRun>> GetCohortRun(int64_t run_id) = 0;
  // A run's members by rank.
  virtual Result<std::vector<StoredCohortMember>> ListCohortMembers(int64_t run_id) = 0;

  virtual Result<GovernanceStamp> GetGovernanceStamp() = 0;

  // --- single view reads (issue 5)

  // GetSourceRecord without the payload (left empty): what a view needs to judge and cite a
  // record version, without reading most of the row. NotFound if there is no such version.
  virtual Result<model::SourceRecord> GetSourceRecordMeta(model::SourceRecordId id) = 0;
  // The person records `ids` (in any order; each once however often given), in id order, each
  // with its source record version (no payload), its nominal and, with `with_events`, its
  // events: a nominal's records in three statements whatever their number. Records of any
  // version, current or not, as GetPersonRecord. NotFound, naming it, if an id does not exist.
  virtual Result<std::vector<PersonRecordDetail>> ListPersonRecordDetails(
      std::span<const model::PersonRecordId> ids, bool with_events) = 0;
  // The events of current, not deleted source record versions of `source_id` that carry the
  // event reference `event_ref` (the rows of one crime or one referral, one row per person),
  // each with its involvements, by date then id, at most `limit`. InvalidArgument if source_id
  // or event_ref is empty (an empty reference joins nothing) or the limit is not positive.
  virtual Result<std::vector<model::Event>> ListEventsByReference(std::string_view source_id,
                                                                  std::string_view event_ref,
                                                                  int limit) = 0;
  // Person records of current, not deleted source record versions that give `location_id` as
  // their address, newest stored first (by id, descending), at most `limit`, each with its
  // source_id filled in. NotFound if the location does not exist; InvalidArgument if the limit
  // is not positive.
  virtual Result<std::vector<model::PersonRecord>> ListPersonRecordsAtLocation(
      model::LocationId location_id, int limit) = 0;
  // Events of current, not deleted source record versions at `location_id`, each with its
  // involvements, newest first (by date, then id, descending), at most `limit`. NotFound if
  // the location does not exist; InvalidArgument if the limit is not positive.
  virtual Result<std::vector<model::Event>> ListEventsAtLocation(model::LocationId location_id,
                                                                 int limit) = 0;
  // Events of current, not deleted source record versions dated `from` to `to` (inclusive),
  // by id, each with its location's postcode and district ("" without a location), the
  // nominals its involved person records are in now (sorted, distinct; empty if none) and their
  // roles in it: the one
  // pass aggregate analytics make (demand, duplicate intervention; src/view/demand.h). A full
  // read of the events in the period; InvalidArgument if from is after to.
  virtual Result<std::vector<EventFact>> ListEventFacts(const CivilDate& from,
                                                        const CivilDate& to) = 0;

  // --- housekeeping

  virtual Result<StoreCounts> Counts() = 0;
  // Copies what the write-ahead log holds into the database as far as readers allow, without
  // waiting for them (SQLite's PASSIVE checkpoint). Safe while other Store instances on the hub
  // read and write. FailedPrecondition while a Transaction is open on this Store.
  virtual Status Checkpoint() = 0;
  // Writes consistent, compacted copies of the store's database files into the existing
  // directory `dir` (the audit log's first, then the rest), as BackupHub describes. Readers and
  // writers on other Stores carry on. FailedPrecondition while a Transaction is open on this
  // Store; AlreadyExists if `dir` holds a file of the same name.
  virtual Status BackupTo(const std::string& dir) = 0;

 protected:
  Store() = default;
};

}  // namespace tessera::store
