// The Store on SQLite. Private to the store module: callers reach it through OpenSqliteStore()
// in store.h.
//
// One sqlite3 connection per SqliteStore, in WAL mode, so that readers (other SqliteStores on
// the same hub, in this process or another) are not blocked while a load writes. Write
// transactions are BEGIN IMMEDIATE: a writer takes the write lock up front and waits for
// another writer for up to the busy timeout, instead of failing half way through a load.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "store/sqlite/connection.h"
#include "store/store.h"

namespace tessera::store::sqlite {

class SqliteTransaction;

class SqliteStore final : public Store {
 public:
  // Opens the database file at `db_path` (creating it when `create`) and the audit log's file
  // at `audit_path` (audit_db.h), sets them up (WAL, foreign keys...) and applies migrations as
  // `options` say. No hub checks: see OpenSqliteStore() for those.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& db_path,
                                                   const std::string& audit_path,
                                                   const Clock& clock, const OpenOptions& options,
                                                   bool create);
  ~SqliteStore() override;

  int SchemaVersion() override { return schema_version_; }
  Result<std::vector<AppliedMigration>> ListAppliedMigrations() override;

  Result<std::unique_ptr<Transaction>> Begin(TransactionMode mode, Durability durability) override;

  Result<model::LoadId> BeginLoad(Transaction& txn, std::string_view source_id,
                                  std::string_view file, std::string_view file_hash,
                                  LoadMode mode) override;
  Status FinishLoad(Transaction& txn, model::LoadId load_id, const LoadCounts& counts) override;
  Result<LoadSummary> GetLoad(model::LoadId load_id) override;
  Result<std::optional<LoadSummary>> FindCompletedLoadByFileHash(
      std::string_view source_id, std::string_view file_hash) override;
  Result<std::vector<LoadSummary>> ListLoads(std::string_view source_id, int limit) override;

  Result<PutOutcome> PutSourceRecord(Transaction& txn, const model::SourceRecord& record) override;
  Result<PutOutcome> DeleteSourceRecord(Transaction& txn, std::string_view source_id,
                                        std::string_view record_key,
                                        model::LoadId load_id) override;
  Result<model::SourceRecord> GetSourceRecord(model::SourceRecordId id) override;
  Result<std::optional<model::SourceRecord>> GetCurrentSourceRecord(
      std::string_view source_id, std::string_view record_key) override;
  Result<std::vector<model::SourceRecord>> GetSourceRecordHistory(
      std::string_view source_id, std::string_view record_key) override;
  Result<std::vector<std::string>> ListCurrentRecordKeys(std::string_view source_id) override;

  Result<model::PersonRecordId> PutPersonRecord(Transaction& txn,
                                                const model::PersonRecord& record) override;
  Result<model::PersonRecord> GetPersonRecord(model::PersonRecordId id) override;
  Result<std::vector<model::PersonRecord>> ListPersonRecordsForSourceRecord(
      model::SourceRecordId source_record_id) override;
  Result<std::vector<model::PersonRecord>> ListPersonRecordsAfter(model::PersonRecordId after,
                                                                  int limit) override;

  Result<model::EventId> PutEvent(Transaction& txn, const model::Event& event) override;
  Result<model::Event> GetEvent(model::EventId id) override;
  Result<std::vector<model::Event>> ListEventsForPersonRecord(
      model::PersonRecordId person_record_id) override;

  Result<model::LocationId> UpsertLocation(Transaction& txn,
                                           const model::Location& location) override;
  Result<model::Location> GetLocation(model::LocationId id) override;
  Status SetLocationPosition(Transaction& txn, model::LocationId id, double latitude,
                             double longitude, std::string_view precision) override;
  Result<model::ObjectId> UpsertObject(Transaction& txn, const model::Object& object) override;
  Result<model::Object> GetObject(model::ObjectId id) override;

  Result<int64_t> AddQuarantined(Transaction& txn, const QuarantinedRow& row) override;
  Result<std::vector<QuarantinedRow>> ListQuarantined(const QuarantineQuery& query) override;
  Result<std::vector<FlaggedRecord>> ListFlagged(const FlaggedQuery& query) override;
  Result<QuarantinedRow> GetQuarantined(int64_t id) override;

  Result<model::NominalId> CreateNominal(Transaction& txn, const model::Nominal& nominal) override;
  Status UpdateNominal(Transaction& txn, const model::Nominal& nominal) override;
  Status AttachPersonRecords(Transaction& txn, model::NominalId nominal_id,
                             std::span<const model::PersonRecordId> person_record_ids) override;
  Status AttachPersonRecord(Transaction& txn, model::NominalId nominal_id,
                            model::PersonRecordId person_record_id) override;
  Result<model::Nominal> GetNominal(model::NominalId id) override;
  Result<std::optional<model::NominalId>> FindNominalForPersonRecord(
      model::PersonRecordId person_record_id) override;
  Result<std::vector<NominalChange>> ListNominalChangesAfter(int64_t after_seq, int limit) override;
  Status DetachPersonRecord(Transaction& txn, model::PersonRecordId person_record_id) override;
  Result<NominalStatus> GetNominalStatus(model::NominalId id) override;

  Result<std::vector<NominalAssignment>> ListNominalAssignments() override;
  Result<std::vector<NominalAssignment>> ListRetiredAssignments() override;
  Result<std::vector<model::Location>> ListLocationsAfter(model::LocationId after,
                                                          int limit) override;
  Result<std::vector<model::PersonRecord>> ListPersonRecordsForResolution(
      model::PersonRecordId after, int limit) override;
  Status MergeNominals(Transaction& txn, model::NominalId survivor, model::NominalId absorbed,
                       std::string_view reason) override;
  Status RecordSplit(Transaction& txn, model::NominalId from, model::NominalId to,
                     std::string_view reason) override;
  Status RetireNominal(Transaction& txn, model::NominalId id, std::string_view reason) override;
  Result<model::NominalId> ResolveNominalId(model::NominalId id) override;
  Result<std::vector<NominalLineage>> ListNominalLineage(model::NominalId id) override;

  Result<int64_t> PutReviewPair(Transaction& txn, model::PersonRecordId a, model::PersonRecordId b,
                                double probability, double match_weight) override;
  Status MarkReviewPairStale(Transaction& txn, int64_t id) override;
  Result<std::vector<ReviewPair>> ListReviewPairs(const ReviewQuery& query) override;
  Result<ReviewPair> GetReviewPair(int64_t id) override;
  Status DecideReviewPair(Transaction& txn, int64_t id, ReviewStatus decision,
                          std::string_view actor, std::string_view reason) override;

  Result<int64_t> AddLinkDecision(Transaction& txn, const LinkDecision& decision) override;
  Result<std::vector<LinkDecision>> ListLinkDecisions() override;

  Result<std::optional<std::string>> GetResolverState(std::string_view key) override;
  Status PutResolverState(Transaction& txn, std::string_view key, std::string_view value) override;

  Result<std::vector<PersonAddressEvidence>> ListPersonAddressEvidence() override;
  Result<std::vector<FamilyLink>> ListFamilyLinks() override;
  Result<HouseholdWrite> ReplaceHouseholds(
      Transaction& txn, const std::vector<model::Household>& households) override;
  Result<model::Household> GetHousehold(model::HouseholdId id) override;
  Result<std::vector<model::Household>> ListHouseholds() override;
  Result<std::vector<model::Household>> ListHouseholdsForNominal(model::NominalId id) override;
  Result<std::vector<model::Household>> ListHouseholdsAtLocation(model::LocationId id) override;
  Status PutLoadQuality(Transaction& txn, model::LoadId load_id,
                        const LoadQuality& quality) override;
  Result<std::optional<LoadQuality>> GetLoadQuality(model::LoadId load_id) override;
  Result<SourceDuplicates> CountDuplicates(std::string_view source_id) override;

  Result<int64_t> CreateUser(Transaction& txn, const StoredUser& user,
                             std::string_view password_hash) override;
  Status UpdateUser(Transaction& txn, const StoredUser& user) override;
  Result<StoredUser> GetUser(int64_t id) override;
  Result<std::optional<StoredUser>> FindUserByUsername(std::string_view username) override;
  Result<std::vector<StoredUser>> ListUsers() override;
  Result<std::string> GetPasswordHash(int64_t user_id) override;
  Status SetPasswordHash(Transaction& txn, int64_t user_id,
                         std::string_view password_hash) override;
  Status SetLoginState(Transaction& txn, int64_t user_id, int failed_logins,
                       std::optional<int64_t> locked_until_micros) override;
  Result<int64_t> CreateSession(Transaction& txn, const StoredSession& session) override;
  Result<std::optional<StoredSession>> FindSessionByTokenHash(std::string_view token_hash) override;
  Status TouchSession(Transaction& txn, int64_t session_id, int64_t last_seen_at_micros) override;
  Status RevokeSession(Transaction& txn, int64_t session_id, std::string_view reason) override;
  Result<int64_t> RevokeUserSessions(Transaction& txn, int64_t user_id,
                                     std::string_view reason) override;
  Result<std::vector<StoredSession>> ListUserSessions(int64_t user_id) override;

  Status PutPurpose(Transaction& txn, const StoredPurpose& purpose) override;
  Result<std::vector<StoredPurpose>> ListPurposes() override;
  Result<int> AddAgreementVersion(Transaction& txn, const StoredAgreement& agreement) override;
  Result<std::vector<StoredAgreement>> ListAgreements(bool all_versions) override;
  Result<StoredAgreement> GetAgreement(std::string_view code, int version) override;
  Result<int64_t> AddRestriction(Transaction& txn, const StoredRestriction& r) override;
  Status LiftRestriction(Transaction& txn, int64_t id, std::string_view by,
                         std::string_view reason) override;
  Result<std::vector<StoredRestriction>> ListRestrictions(bool include_lifted) override;
  Result<std::vector<model::SourceRecordId>> ListSourceRecordVersionIds(
      std::string_view source_id, std::string_view record_key) override;
  Result<int64_t> AddBreakGlass(Transaction& txn, const StoredBreakGlass& grant) override;
  Result<std::optional<StoredBreakGlass>> FindActiveBreakGlass(int64_t session_id,
                                                               int64_t now_micros) override;
  Result<int64_t> EndBreakGlass(Transaction& txn, int64_t session_id) override;
  Status PutRiskModel(Transaction& txn, const StoredRiskModel& model) override;
  Status SetRiskModelState(Transaction& txn, std::string_view version, std::string_view state,
                           std::string_view by, std::string_view reason) override;
  Result<std::vector<StoredRiskModel>> ListRiskModels() override;
  Status ReplaceRiskScores(Transaction& txn, std::string_view version,
                           std::span<const StoredRiskScore> scores) override;
  Result<std::optional<StoredRiskScore>> GetRiskScore(std::string_view version,
                                                      model::NominalId nominal) override;
  Result<std::vector<StoredRiskScore>> ListRiskScores(std::string_view version) override;
  Result<RiskScoreBatch> GetRiskScoreBatch(std::string_view version) override;
  Result<int64_t> AddRiskDecision(Transaction& txn, const StoredRiskDecision& d) override;
  Result<std::vector<StoredRiskDecision>> ListRiskDecisions(model::NominalId nominal,
                                                            int limit) override;
  Result<int64_t> PutCohort(Transaction& txn, const StoredCohort& cohort) override;
  Result<std::optional<StoredCohort>> GetCohort(int64_t id) override;
  Result<std::vector<StoredCohort>> ListCohorts() override;
  Result<int64_t> AddCohortRun(Transaction& txn, const StoredCohortRun& run,
                               std::span<const StoredCohortMember> members) override;
  Result<std::vector<StoredCohortRun>> ListCohortRuns(int64_t cohort_id, std::string_view scope,
                                                      int limit) override;
  Result<std::optional<StoredCohortRun>> GetCohortRun(int64_t run_id) override;
  Result<std::vector<StoredCohortMember>> ListCohortMembers(int64_t run_id) override;
  Result<GovernanceStamp> GetGovernanceStamp() override;

  Result<model::SourceRecord> GetSourceRecordMeta(model::SourceRecordId id) override;
  Result<std::vector<PersonRecordDetail>> ListPersonRecordDetails(
      std::span<const model::PersonRecordId> ids, bool with_events) override;
  Result<std::vector<model::Event>> ListEventsByReference(std::string_view source_id,
                                                          std::string_view event_ref,
                                                          int limit) override;
  Result<std::vector<model::PersonRecord>> ListPersonRecordsAtLocation(
      model::LocationId location_id, int limit) override;
  Result<std::vector<model::Event>> ListEventsAtLocation(model::LocationId location_id,
                                                         int limit) override;
  Result<std::vector<EventFact>> ListEventFacts(const CivilDate& from,
                                                const CivilDate& to) override;

  Result<StoreCounts> Counts() override;
  Status Checkpoint() override;
  Status BackupTo(const std::string& dir) override;

  Result<AuditEvent> AppendAudit(const AuditEvent& event) override;
  Result<std::vector<AuditEvent>> AppendAuditBatch(const std::vector<AuditEvent>& events) override;
  void SetAuditSigner(std::shared_ptr<AuditSigner> signer) override;
  Result<std::vector<AuditEvent>> ListAudit(int64_t after_seq, int limit) override;
  Result<std::vector<AuditCheckpoint>> ListAuditCheckpoints(int64_t after_seq, int limit) override;
  Result<AuditVerification> VerifyAudit() override;
  Result<std::vector<AuditEvent>> ListAuditForNominal(int64_t nominal_id, int64_t after_seq,
                                                      int limit) override;
  Result<std::vector<AuditEvent>> SearchAudit(const AuditQuery& query) override;
  Result<AuditUsage> GetAuditUsage(int64_t from_micros, int64_t to_micros) override;

 private:
  friend class SqliteTransaction;
  class ReadSnapshot;

  SqliteStore(std::unique_ptr<Connection> db, std::unique_ptr<Connection> audit_db,
              const Clock& clock, int schema_version, int64_t audit_period_events)
      : db_(std::move(db)),
        audit_db_(std::move(audit_db)),
        clock_(clock),
        schema_version_(schema_version),
        audit_period_events_(audit_period_events) {}

  // Marks the governance rules changed (GovernanceStamp::rules), inside the caller's write.
  Status BumpGovernanceVersion(std::string_view operation);
  // OK if `txn` is this store's open transaction and is still usable.
  Status CheckWritable(const Transaction& txn, std::string_view operation) const;
  // Runs `body` (returning Status or Result<T>) inside a savepoint, so that a write call
  // that fails part way leaves none of its rows behind.
  template <typename Body>
  auto Atomically(std::string_view operation, Body body) -> decltype(body());

  Result<LoadSummary> ReadLoad(Query& query) const;
  // Reads the columns of kPersonColumns; with `with_raw` false, those of
  // kPersonColumnsForResolution (no raw values, no flags).
  Result<model::PersonRecord> ReadPersonRecord(Query& query, bool with_raw = true) const;
  Result<std::vector<model::PersonRecord>> ListCurrentPersonRecords(model::PersonRecordId after,
                                                                    int limit, bool with_raw,
                                                                    std::string_view operation);
  // The status of a nominal; NotFound if it does not exist.
  Result<NominalStatus> ReadNominalStatus(model::NominalId id, std::string_view operation);
  // OK if the nominal exists and is live: NotFound or FailedPrecondition otherwise.
  Status RequireLiveNominal(model::NominalId id, std::string_view operation);
  Status AppendLineage(std::string_view kind, model::NominalId from, std::optional<int64_t> to,
                       std::string_view reason, int64_t at);
  Status ReadInvolvements(model::Event& event);
  // Households selected by `where` (a condition on households h, binding ?1 to `key` unless
  // `key` is 0), ordered by `order`, each with its members.
  Result<std::vector<model::Household>> ReadHouseholds(std::string_view where, int64_t key,
                                                       std::string_view order,
                                                       std::string_view operation);
  Status AppendNominalChange(model::NominalId id, NominalChangeKind kind, int64_t at);
  // The users selected by `where` (a condition on users u; `bind` binds its parameters), by
  // username ignoring case, each with its roles.
  Result<std::vector<StoredUser>> ReadUsers(std::string_view where,
                                            const std::function<void(Query&)>& bind,
                                            std::string_view operation);
  // Replaces the user's roles with `roles` (validated, sorted, once each).
  Status WriteUserRoles(int64_t user_id, const std::vector<std::string>& roles,
                        std::string_view operation);
  // AppendAuditBatch's body, inside its own BEGIN IMMEDIATE ... COMMIT, with the checkpoint it
  // wrote (if a signer is set).
  Result<std::vector<AuditEvent>> AppendAuditInOwnTransaction(
      const std::vector<AuditEvent>& events, std::optional<AuditCheckpoint>& checkpoint);
  // Inside an append's transaction, with `head_seq` its last event: seals every period of
  // audit_period_events_ events that has closed (its rows of audit_subjects copied, sorted by
  // nominal, into audit_nominal_index, and its range into audit_periods).
  Status SealAuditPeriods(int64_t head_seq);
  // VerifyAudit's checks of the sealed periods, once the events and audit_subjects have
  // verified up to `head_seq`: the periods follow one another from seq 1 and end by the head,
  // and each one's index rows are exactly its events' rows of audit_subjects.
  Status VerifyAuditPeriods(int64_t head_seq, AuditVerification& out);

  // hub.db, with the audit log attached read-only as schema `audit`: every read.
  std::unique_ptr<Connection> db_;
  // The audit log's own file, audit.db: its appends only (audit_db.h).
  std::unique_ptr<Connection> audit_db_;
  const Clock& clock_;
  int schema_version_;
  const int64_t audit_period_events_;
  SqliteTransaction* open_txn_ = nullptr;
  bool all_or_nothing_ = false;  // the open transaction's mode
  bool poisoned_ = false;        // an all-or-nothing write failed
  bool synced_ = false;          // the open transaction commits with synchronous = FULL
  std::shared_ptr<AuditSigner> audit_signer_;
};

}  // namespace tessera::store::sqlite
