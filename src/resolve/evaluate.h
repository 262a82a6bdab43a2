// Evaluation: how close the resolver's clusters are to a known truth.
//
// A truth CSV names, for each (source, record id), the true entity; the resolver's output names,
// for each record, its predicted cluster (the nominal). Every figure comes from the contingency
// table of cluster x entity counts, never from enumerating pairs, so a million records in
// clusters of thousands cost one sort. Pure: no store, no resolver; the caller maps its person
// records to EvaluatedRecord and adds explanations for the worst items.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace tessera::resolve {

// ---------------------------------------------------------------------------------------------
// The truth file: a CSV (RFC 4180; a header row; quoted fields may hold commas, quotes and line
// breaks; blanks around unquoted fields are ignored) with columns `source`, `record_id` and an
// entity column (default `person_id`); other columns are ignored.

inline constexpr std::string_view kDefaultEntityColumn = "person_id";

struct TruthRecord {
  std::string source;
  std::string record_id;
  std::string entity;
  int64_t line = 0;  // where the row starts in the file, for messages
};

struct GroundTruth {
  std::string path;
  std::string entity_column;
  // One per (source, record_id), in file order: a row repeated with the same entity is kept
  // once (and counted), one repeated with a different entity is an error.
  std::vector<TruthRecord> records;
  int64_t repeated_rows = 0;
};

// Errors are InvalidArgument naming the file, the line and the field:
//   "truth.csv:14: person_id: empty value", "truth.csv:1: no column 'person_id' in the header",
//   "truth.csv:9: febrl/rec-1-org is entity 3 here but entity 1 at line 4".
Result<GroundTruth> ReadTruthCsv(const std::string& path,
                                 std::string_view entity_column = kDefaultEntityColumn);
// The same over text already in memory; `path` is only used in messages.
Result<GroundTruth> ParseTruthCsv(std::string_view text, const std::string& path,
                                  std::string_view entity_column = kDefaultEntityColumn);

// ---------------------------------------------------------------------------------------------
// What the resolver predicted, one per record.

struct EvaluatedRecord {
  std::string source;
  std::string record_id;
  int64_t predicted_cluster = 0;  // the nominal id
};

// A record in the report: its index in the `predictions` given to Evaluate, and its ids.
struct RecordRef {
  size_t index = 0;
  std::string source;
  std::string record_id;
};

// Scores in [0, 1]. Conventions for empty denominators (documented in the report output too):
// precision is 1 when nothing was predicted linked (no claim, so no wrong claim), recall is 1
// when nothing is truly linked, and F1 is 0 when precision and recall are both 0.
struct Scores {
  double precision = 1;
  double recall = 1;
  double f1 = 1;
};

struct PairwiseCounts {
  int64_t true_positives = 0;   // pairs in the same cluster and the same entity
  int64_t false_positives = 0;  // pairs in the same cluster, different entities
  int64_t false_negatives = 0;  // pairs of the same entity, different clusters
};

// A predicted cluster holding several true entities. Records are grouped by entity, largest
// group first: at most EvaluationOptions::listed_groups groups, each listing at most
// EvaluationOptions::listed_records records (sizes are always whole).
struct FalseMerge {
  int64_t cluster = 0;
  int64_t size = 0;
  int64_t false_pairs = 0;  // pairs within the cluster whose records are different entities
  int64_t entity_count = 0;
  struct EntityGroup {
    std::string entity;
    int64_t size = 0;
    std::vector<RecordRef> records;  // smallest index first
  };
  std::vector<EntityGroup> entities;
  // The first record of each of the two largest entity groups: the pair whose link to explain.
  std::pair<RecordRef, RecordRef> representative_pair;
  // Filled in by the caller (the resolver's explanation of the representative pair): text for
  // the text report, and a JSON document embedded as is in the JSON report. Either may be empty.
  std::string explanation;
  std::string explanation_json;
};

// A true entity spread over several predicted clusters, largest cluster first, listed as
// FalseMerge lists its entities.
struct FalseSplit {
  std::string entity;
  int64_t size = 0;
  int64_t missed_pairs = 0;  // pairs of the entity's records that are in different clusters
  int64_t cluster_count = 0;
  struct ClusterGroup {
    int64_t cluster = 0;
    int64_t size = 0;
    std::vector<RecordRef> records;  // smallest index first
  };
  std::vector<ClusterGroup> clusters;
  // The first record of each of the two largest clusters: the pair whose non-link to explain.
  std::pair<RecordRef, RecordRef> representative_pair;
  std::string explanation;
  std::string explanation_json;
};

struct EvaluationOptions {
  int worst = 10;             // false merges and false splits reported, each
  int listed_groups = 10;     // entity groups per merge, cluster groups per split (2 at least)
  int listed_records = 20;    // records per group (1 at least)
  int listed_unmatched = 10;  // examples of predictions without truth and truth without predictions
};

struct EvaluationReport {
  std::string truth_path;
  std::string entity_column;

  // Records: evaluated = in both. Truth rows without a prediction are left out (quarantined
  // records never reach the resolver); predictions without a truth row are left out too.
  int64_t truth_records = 0;
  int64_t predicted_records = 0;
  int64_t evaluated_records = 0;
  int64_t truth_without_prediction = 0;
  int64_t predictions_without_truth = 0;
  std::vector<RecordRef> truth_without_prediction_examples;  // index: the truth row's
  std::vector<RecordRef> predictions_without_truth_examples;

  // Over the evaluated records.
  int64_t predicted_clusters = 0;
  int64_t predicted_singletons = 0;
  int64_t true_entities = 0;
  int64_t true_singletons = 0;

  PairwiseCounts pairs;
  Scores pairwise;
  // Amigó et al. (2009): per record, precision is the share of its cluster that is its entity
  // and recall the share of its entity that is in its cluster; both averaged over records, F1
  // their harmonic mean.
  Scores b_cubed;

  int64_t clusters_with_false_merges = 0;
  int64_t entities_with_false_splits = 0;
  std::vector<FalseMerge> worst_false_merges;  // most false pairs first
  std::vector<FalseSplit> worst_false_splits;  // most missed pairs first
};

// InvalidArgument if a (source, record_id) is predicted twice with different clusters (a
// repeat with the same cluster counts once).
Result<EvaluationReport> Evaluate(const GroundTruth& truth,
                                  const std::vector<EvaluatedRecord>& predictions,
                                  const EvaluationOptions& options = {});

// Aligned text for a terminal; partner bytes in ids are escaped.
std::string FormatEvaluationReport(const EvaluationReport& report);
// A JSON document (2-space indent, trailing newline).
std::string EvaluationReportJson(const EvaluationReport& report);

}  // namespace tessera::resolve
