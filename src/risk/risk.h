// A predictive risk model (issue 7, part 2): leakage-safe timeline features on resolved
// nominals, labels from the synthetic world's future outcomes, a gradient-boosted model trained
// through XGBoost's C API, Platt calibration, SHAP contributions, and an evaluation report that
// is honest about error and fairness and compares the model with a transparent rule.
//
// Scores are advisory. This module knows nothing of governance: it reads the whole store and
// the synthetic truth, for training and evaluation only (the CLI, not the API, calls it).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/dates.h"
#include "core/status.h"
#include "model/model.h"

namespace tessera::store {
class Store;
struct StoredRiskModel;
struct StoredRiskScore;
}  // namespace tessera::store

namespace tessera::risk {

// ---------------------------------------------------------------------------------------------
// What the features are computed from

// One occurrence on a nominal's timeline: rows of one source sharing an event reference are one.
struct HistoryEvent {
  CivilDate date;
  model::Agency agency = model::Agency::kPolice;
  std::string source_id;
  std::string category;
};

// A household the nominal belonged to, with its co-members and the dates household resolution
// gave the membership.
struct HouseholdTie {
  model::NominalId member = 0;
  std::optional<CivilDate> from;
  std::optional<CivilDate> to;
};

struct NominalHistory {
  model::NominalId id = 0;
  std::optional<CivilDate> dob;
  std::vector<HistoryEvent> events;  // by date
  // Co-members, the tie dated from the later of the two memberships' starts to the earlier end.
  std::vector<HouseholdTie> household;
};

struct HubHistory {
  std::map<model::NominalId, NominalHistory> nominals;
  // (source id, record key) -> the nominals its person records are attached to.
  std::map<std::pair<std::string, std::string>, std::vector<model::NominalId>> record_nominals;
};

// Reads every live nominal's events (deduplicated by source and reference), date of birth and
// household ties, and which nominal each current source record's people are attached to. With
// `datasets`, events only of those sources count (a model's input datasets); empty: every one.
Result<HubHistory> LoadHubHistory(store::Store& store, std::span<const std::string> datasets = {});

// ---------------------------------------------------------------------------------------------
// Features

// The fixed, named feature vector, in order.
const std::vector<std::string>& FeatureNames();
// A feature in plain words: "category.child_protection_plan.12m" -> "Child-protection plan
// events in the last 12 months".
std::string FeatureLabel(std::string_view feature);
std::vector<std::string> FeatureLabels();  // FeatureLabel of each of FeatureNames()
// The outcomes a model can be trained to predict: the synthetic world's outcome labels
// (docs/formats/synthetic-world.md). One entry per outcome, so that its title, its plain-words
// description and the event categories that mark it on a timeline are written once.
struct OutcomeDefinition {
  std::string_view id;     // "cp_plan_escalation"
  std::string_view title;  // "A child-protection plan starts within 12 months"
  // For the transparency record: "a child with no child-protection plan in the past year
  // becoming the subject of one within the next year".
  std::string_view words;
  // The event categories that mean the outcome happened (decisions against outcomes).
  std::span<const std::string_view> categories;
};
std::span<const OutcomeDefinition> Outcomes();
const OutcomeDefinition* FindOutcome(std::string_view id);  // nullptr if unknown
// "a, b or c": the outcome ids, for help text and errors.
std::string OutcomeIdList();
// An outcome in plain words: its title, or the code itself for an unknown outcome.
std::string OutcomeTitle(std::string_view outcome);

// The features of `nominal` as of `cutoff`: only events dated strictly before `cutoff` count,
// for the nominal and for its household co-members alike. Household ties count only when the
// membership began before the cutoff (or is undated).
std::vector<float> ComputeFeatures(const HubHistory& hub, const NominalHistory& nominal,
                                   const CivilDate& cutoff);

// The transparent baseline: the nominal's own children's social care occurrences (referral,
// child in need, child-protection plan) in the 12 months before the cutoff.
double BaselineScore(std::span<const float> features);

// ---------------------------------------------------------------------------------------------
// Labels from the synthetic truth

struct TruthPerson {
  model::Sex sex = model::Sex::kUnknown;
  std::optional<CivilDate> dob;
  // (from, to, deprivation decile) of each address the person lived at.
  struct Stay {
    std::optional<CivilDate> from, to;
    int decile = 0;
  };
  std::vector<Stay> stays;
  int DecileOn(const CivilDate& day) const;  // 0 when unknown
};

struct Truth {
  std::map<std::string, TruthPerson> people;
  // outcome -> observed ("in_landing" / "future") -> person -> label
  std::map<std::string, std::map<std::string, std::map<std::string, int>>> labels;
  std::map<std::string, CivilDate> window_start;  // observed -> first day of the window
  // (source, record id) -> person id
  std::map<std::pair<std::string, std::string>, std::string> record_person;
};

Result<Truth> LoadTruth(const std::string& truth_dir);

struct LabelledRow {
  model::NominalId nominal = 0;
  std::string person_id;
  int label = 0;
};

struct LabelledSet {
  CivilDate cutoff;
  std::vector<LabelledRow> rows;        // by nominal id
  int64_t nominals_several_people = 0;  // excluded: their records are of several truth people
  int64_t nominals_no_person = 0;       // excluded: no truth person
  int64_t nominals_not_eligible = 0;    // one person, but not in the outcome's window
  int64_t people_not_in_hub = 0;        // eligible people no nominal maps to
};

// The rows of `outcome` for the window `observed`, at cutoff = the window's first day.
Result<LabelledSet> BuildLabelledSet(const HubHistory& hub, const Truth& truth,
                                     std::string_view outcome, std::string_view observed);

// ---------------------------------------------------------------------------------------------
// Metrics (scores: higher means more likely positive)

double RocAuc(std::span<const double> scores, std::span<const int> labels);
double AveragePrecision(std::span<const double> scores, std::span<const int> labels);

struct ReliabilityBin {
  double lo = 0, hi = 0;
  int64_t n = 0;
  double mean_predicted = 0, observed_rate = 0;
};
std::vector<ReliabilityBin> ReliabilityTable(std::span<const double> probabilities,
                                             std::span<const int> labels, int bins = 10);
double ExpectedCalibrationError(std::span<const double> probabilities, std::span<const int> labels,
                                int bins = 10);
struct Interval {
  double lo = 0, hi = 0;
};
Interval BootstrapEceInterval(std::span<const double> probabilities, std::span<const int> labels,
                              int replicates, uint64_t seed, int bins = 10);

// The k highest scores (ties broken by position, earlier first) are flagged.
std::vector<bool> TopK(std::span<const double> scores, int64_t k);
struct TopKMetrics {
  int64_t k = 0, true_positives = 0, positives = 0;
  double precision = 0, recall = 0;
};
TopKMetrics PrecisionRecallAtK(std::span<const double> scores, std::span<const int> labels,
                               int64_t k);

// Platt scaling: p = 1 / (1 + exp(-(a * margin + b))), fitted by Newton's method.
struct PlattCalibration {
  double a = 1, b = 0;
  double Apply(double margin) const;
};
PlattCalibration FitPlatt(std::span<const double> margins, std::span<const int> labels);

// ---------------------------------------------------------------------------------------------
// The model (XGBoost C API)

struct TrainParams {
  uint64_t seed = 1;
  int rounds = 200;
  int max_depth = 4;
  double eta = 0.05;
  double subsample = 0.8;
  double colsample_bytree = 0.8;
  double min_child_weight = 5;
  int nthread = 2;
};

class RiskModel {
 public:
  ~RiskModel();
  RiskModel(RiskModel&&) noexcept;
  RiskModel& operator=(RiskModel&&) noexcept;

  // Rows of `columns` features, row-major.
  static Result<RiskModel> Train(std::span<const float> matrix, size_t columns,
                                 std::span<const int> labels, const TrainParams& params);
  static Result<RiskModel> LoadJson(const std::string& path);
  Status SaveJson(const std::string& path) const;

  // The raw margins (log-odds), one per row.
  Result<std::vector<double>> Margins(std::span<const float> matrix, size_t columns) const;
  // SHAP contributions: per row, `columns` feature contributions then the bias; they add up
  // to the row's margin.
  Result<std::vector<double>> Contributions(std::span<const float> matrix, size_t columns) const;

 private:
  RiskModel() = default;
  struct Handle;
  std::unique_ptr<Handle> handle_;
};

// ---------------------------------------------------------------------------------------------
// Training and evaluation end to end

struct GroupRates {
  std::string group;
  int64_t n = 0, positives = 0;
  double fpr = 0, fnr = 0;
  // Enough rows to say: FPR with >= 20 negatives, FNR with >= 20 positives.
  bool fpr_assessed = false, fnr_assessed = false;
};
struct FairnessAxis {
  std::string axis;  // "sex", "age band", "deprivation decile"
  std::vector<GroupRates> groups;
  // max - min among assessed groups; NaN when fewer than two groups could be assessed.
  double fpr_gap = 0, fnr_gap = 0;
  bool flagged = false;  // a gap above 5 percentage points
};

struct ScoreEvaluation {
  std::string name;
  double auc = 0, average_precision = 0, ece = 0;
  Interval ece_ci;
  std::vector<ReliabilityBin> reliability;
  TopKMetrics at_k;
  std::vector<FairnessAxis> fairness;
};

struct EvaluationReport {
  std::string outcome;
  int64_t rows = 0, positives = 0;
  CivilDate cutoff;
  ScoreEvaluation model, baseline;
};

EvaluationReport Evaluate(const std::string& outcome, const LabelledSet& set, const Truth& truth,
                          std::span<const double> model_probabilities,
                          std::span<const double> baseline_probabilities, int64_t k, uint64_t seed);
std::string FormatReport(const EvaluationReport& report);
std::string ReportJson(const EvaluationReport& report);

// A score's explanation: SHAP contributions by readable feature, largest magnitude first. The
// contributions plus the bias add up to the margin; the probability is the calibrated one.
struct Factor {
  std::string feature;
  float value = 0;
  double contribution = 0;
};
struct Explanation {
  double margin = 0, bias = 0, probability = 0;
  std::vector<Factor> factors;  // every feature with a non-zero contribution
};
Result<Explanation> Explain(const RiskModel& model, const PlattCalibration& calibration,
                            std::span<const float> features);

// Training end to end: features at the in_landing window's start labelled by that year's
// outcome; one slice of it (by nominal, seeded) held out to fit the calibration; evaluation on
// the future window with features at its start. Saved under `models_dir`/<version>/.
struct TrainOptions {
  std::string outcome = "cp_plan_escalation";
  // The datasets the features were read from (LoadHubHistory's), recorded in the metadata:
  // a score may be shown only to those who may see all of them. Empty: every dataset.
  std::vector<std::string> input_datasets;
  TrainParams params;
  int64_t k = 100;
  int calibration_percent = 20;
};
struct TrainingRun {
  std::string version;
  std::string dir;
  std::string data_hash;
  int64_t train_rows = 0, calibration_rows = 0;
  LabelledSet train_set, test_set;
  EvaluationReport report;
  std::string example;  // the top-scored test row's explanation, as text
};
Result<TrainingRun> TrainAndSave(const HubHistory& hub, const Truth& truth,
                                 const TrainOptions& options, const std::string& models_dir,
                                 const std::string& created_at);
// Registers a saved version in the store's model registry as "pending": scores from it are not
// to be shown until an information-governance officer approves it (store::SetRiskModelState).
Status RegisterVersion(store::Store& store, const TrainingRun& run);

// Re-evaluates the newest saved version on the hub's current data.
Result<TrainingRun> EvaluateLatest(const HubHistory& hub, const Truth& truth,
                                   const std::string& models_dir, int64_t k);

// The version's transparency record (markdown, after the UK Algorithmic Transparency Recording
// Standard) from its metadata.json text and its registry entry (nullptr: not registered).
// InvalidArgument if the metadata is not a saved model's.
Result<std::string> TransparencyRecord(std::string_view metadata_json,
                                       const store::StoredRiskModel* registry);

// A saved version, loaded for scoring.
struct SavedVersion {
  std::string version, dir, outcome;
  std::vector<std::string> input_datasets;  // empty: every dataset
  std::optional<RiskModel> model;
  PlattCalibration calibration;
};
// What a version's metadata.json says (written by TrainAndSave; docs/formats/risk.md), read
// once here for the scorer, the views and the API. A field that is absent or of the wrong type
// is left empty, so that a damaged file shows as missing figures rather than a failed page.
struct ModelMetadata {
  std::string outcome;
  std::string outcome_title;  // OutcomeTitle(outcome) when the file has none
  std::vector<std::string> input_datasets;
  double base_rate = 0;
  std::vector<std::string> feature_names, feature_labels;
  std::optional<PlattCalibration> calibration;  // when calibration.a and .b are numbers
  // The evaluation's headline figures ("metrics": "model", "baseline", "top_k"), each absent
  // when the file lacks it or holds something other than a number there.
  struct Summary {
    std::optional<double> roc_auc, pr_auc, ece, baseline_roc_auc, baseline_pr_auc;
    std::optional<double> precision_at_k, recall_at_k;
    std::optional<int64_t> k, rows, positives;
    // The fairness axes the report flagged, with their error-rate gaps (fractions).
    struct FairnessFlag {
      std::string axis;
      std::optional<double> fpr_gap, fnr_gap;
    };
    std::vector<FairnessFlag> fairness_flags;
  } summary;
};
// Corruption naming `where` when `text` is not a JSON object.
Result<ModelMetadata> ParseModelMetadata(std::string_view text, std::string_view where);

// Loads HUB/models/risk/<version>/ ("": the newest). NotFound for a missing version;
// FailedPrecondition if it was trained on other features.
Result<SavedVersion> LoadVersion(const std::string& models_dir, std::string_view version);

// Scores every nominal of `hub` as of `as_of` (features from events before it): calibrated
// probability, margin, rank (1 = highest probability, ties by nominal id) and the explanation
// as compact JSON {"bias", "factors": [[feature index, value, contribution]...], "other"}: the
// 10 largest contributions by magnitude, the rest summed in "other", so that bias +
// contributions + other = margin (to 1e-5: each is rounded to 1e-6). Feature indexes are into
// the metadata's "feature_names" and "feature_labels".
Result<std::vector<store::StoredRiskScore>> ScoreAll(const HubHistory& hub,
                                                     const SavedVersion& saved,
                                                     const CivilDate& as_of);

// Features of every row of `set` at its cutoff, row-major.
std::vector<float> FeatureMatrix(const HubHistory& hub, const LabelledSet& set);
// Hex SHA-256 over the matrix's bytes and the labels.
Result<std::string> TrainingDataHash(std::span<const float> matrix, std::span<const int> labels);

}  // namespace tessera::risk
