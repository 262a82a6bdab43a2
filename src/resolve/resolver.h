// The resolver: keeps a hub's golden nominals in step with its person records.
//
// This is where a match is decided. The resolver holds every current person record in memory
// (RecordTable), indexed for blocking (BlockingIndex), with the scored links among them. A
// run takes what changed in the store since the last one (new person records, and records
// retired by a new version or a deletion), finds the records whose grouping could change (the
// linked neighbourhood of the changes, plus the whole nominals they touch), clusters that
// neighbourhood again, and writes the difference: nominals created, records moved, merges
// (the surviving nominal keeps its id, absorbed ids redirect to it), splits (new ids, with the
// reason) and retirements, each on the store's change feed. The first run has nothing to keep,
// so it clusters everything: one mechanism, batch and incremental.
//
// One resolver owns a hub at a time: Open takes HUB/resolver.lock and holds it until the
// Resolver is destroyed.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "resolve/blocking.h"
#include "resolve/cluster.h"
#include "resolve/linkage_model.h"
#include "resolve/records.h"
#include "resolve/train.h"
#include "store/store.h"

namespace tessera::resolve {

// How far a reader of the store's person records and locations has got.
struct ReadCursors {
  model::PersonRecordId record = 0;
  model::LocationId location = 0;
};

struct ResolverOptions {
  int threads = 2;
};

struct ResolveSummary {
  bool batch = false;   // nothing had been resolved before: everything was clustered
  int64_t records = 0;  // current person records held
  int64_t new_records = 0;
  int64_t retired_records = 0;
  int64_t candidate_pairs = 0;      // pairs compared
  std::vector<RuleStats> blocking;  // per rule (batch scoring only)
  int64_t links = 0;                // pairs at or above the link threshold
  int64_t borderline = 0;           // pairs between the review and link thresholds
  int64_t reclustered_records = 0;
  int64_t nominals_created = 0;
  int64_t nominals_merged = 0;
  int64_t nominals_split = 0;
  int64_t nominals_retired = 0;
  int64_t records_moved = 0;  // attachments written (new records included)
  int64_t refused_links = 0;  // links clustering refused (conflicting evidence)
  std::map<std::string, int64_t> refused_by_reason;  // "nhs_number", "date_of_birth", "decision"
  int64_t review_queued = 0;
  int64_t nominals = 0;  // live nominals after the run
  double load_seconds = 0;
  double score_seconds = 0;
  double cluster_seconds = 0;
  double persist_seconds = 0;
};

// A record set against a nominal: the pair waterfall with each of the nominal's records,
// strongest first.
struct NominalExplanation {
  model::PersonRecordId record = 0;
  model::NominalId nominal = 0;
  std::vector<std::pair<model::PersonRecordId, Waterfall>> pairs;
};

class Resolver {
 public:
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // Takes the hub's resolver lock: FailedPrecondition if another resolver holds it.
  static Result<std::unique_ptr<Resolver>> Open(const std::string& hub_dir, store::Store& store,
                                                LinkageModel model, ResolverOptions options = {});

  // Brings the nominals up to date with the store's current person records.
  Result<ResolveSummary> Run();

  const RecordTable& table() const { return table_; }
  const LinkageModel& model() const { return model_; }
  // The nominal a record is in (0 if none), by table index.
  model::NominalId NominalOf(uint32_t index) const { return nominal_of_[index]; }

 private:
  Resolver(store::Store& store, LinkageModel model, ResolverOptions options, int lock_fd);

  struct Neighbour {
    uint32_t other;
    float weight;
  };

  Status Load(ResolveSummary& summary);
  Status AddNewRecords(ResolveSummary& summary, std::vector<uint32_t>& added);
  void AddEdge(uint32_t a, uint32_t b, double weight);
  Result<std::vector<uint32_t>> RetireRecords(ResolveSummary& summary,
                                              std::vector<model::NominalId>& touched);
  Status LoadDecisions();
  std::vector<uint32_t> Neighbourhood(const std::vector<uint32_t>& seeds,
                                      const std::vector<model::NominalId>& touched) const;
  Status Recluster(const std::vector<uint32_t>& records,
                   const std::vector<store::NominalAssignment>& retired, ResolveSummary& summary);
  model::Nominal Summarise(const std::vector<uint32_t>& members) const;

  store::Store& store_;
  LinkageModel model_;
  ResolverOptions options_;
  int lock_fd_ = -1;
  bool loaded_ = false;

  RecordTable table_;
  std::unique_ptr<BlockingIndex> index_;
  std::unique_ptr<Scorer> scorer_;
  std::vector<std::vector<Neighbour>> links_;  // per record: pairs at or above review weight
  std::vector<model::NominalId> nominal_of_;   // per record (0: none yet)
  std::unordered_map<model::NominalId, std::vector<uint32_t>> members_;
  std::unordered_map<model::PersonRecordId, model::NominalId> retired_nominal_;
  std::vector<std::pair<uint32_t, uint32_t>> must_link_;
  std::vector<std::pair<uint32_t, uint32_t>> cannot_link_;
  ReadCursors cursors_;
  std::vector<uint32_t> pending_;  // read by a run whose writes failed: retried next run
  std::vector<int32_t> position_;  // scratch for Recluster: a record's place in the region
  std::string fingerprint_;        // of the model, recorded with each run's writes
};

// Trains a model on the hub's current person records, starting from `start` (its settings,
// blocking rules and thresholds are kept). Clerical decisions are used as labels.
Result<LinkageModel> TrainFromStore(store::Store& store, const LinkageModel& start,
                                    const TrainingOptions& options);

// Where a hub keeps its linkage model.
std::string LinkageModelPath(const std::string& hub_dir);

// Explanations that need no loaded resolver: the two records (or the record and the nominal's
// records) are read from the store and scored under `model`.
Result<Waterfall> ExplainPair(store::Store& store, const LinkageModel& model,
                              model::PersonRecordId a, model::PersonRecordId b);
Result<NominalExplanation> ExplainRecordAgainstNominal(store::Store& store,
                                                       const LinkageModel& model,
                                                       model::PersonRecordId record,
                                                       model::NominalId nominal);

// Clerical decisions (`tessera review accept|reject`, `tessera nominal merge|split` and the
// API's review routes) as store writes only. A Resolver applies them at its next Run (the latest
// decision on a pair stands, and the nominals it names are reclustered), so whoever holds the
// hub's resolver runs it afterwards: the CLI at once, the server by waking its worker. Nothing
// here takes the resolver lock.

// Who decided, and why (both required: the store refuses a decision without them).
struct DecisionAuthor {
  std::string actor;   // "cli:alice as user:bob", "user:sw"
  std::string reason;  // in their words, kept with the decision
};

// The writes one decision makes: link decisions and, for a review pair, its outcome.
struct ClericalDecision {
  std::vector<store::LinkDecision> links;
  std::optional<int64_t> review_pair_id;
  store::ReviewStatus review_outcome = store::ReviewStatus::kAccepted;  // with review_pair_id
};

// Accepting a review pair is a must-link between its records, rejecting it a cannot-link.
// NotFound if there is no such pair.
Result<ClericalDecision> ReviewPairDecision(store::Store& store, int64_t review_pair_id,
                                            bool accept, const DecisionAuthor& by);
// Merging `from` into `into` is a must-link between a record of each: the first in id order
// that `eligible` accepts (any, when it is empty). Merged ids mean their live nominal.
// InvalidArgument if the two are one already; FailedPrecondition if either has no eligible
// record.
Result<ClericalDecision> MergeDecision(
    store::Store& store, model::NominalId into, model::NominalId from, const DecisionAuthor& by,
    const std::function<bool(model::PersonRecordId)>& eligible = nullptr);
// Splitting `records` off `nominal` is a cannot-link between each of them and each record that
// stays, and a must-link among them (they are one person together). InvalidArgument if a record
// is not in the nominal, or if none or all of its records would be split off.
Result<ClericalDecision> SplitDecision(store::Store& store, model::NominalId nominal,
                                       const std::vector<model::PersonRecordId>& records,
                                       const DecisionAuthor& by);
// Writes the decision in one transaction and returns the link decisions' ids.
// FailedPrecondition if its review pair was decided already.
Result<std::vector<int64_t>> RecordClericalDecision(store::Store& store,
                                                    const ClericalDecision& decision);

}  // namespace tessera::resolve
