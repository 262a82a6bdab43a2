// The Fellegi-Sunter match model: what each comparison level says about whether two records
// are the same person, as a weight, and how the weights add up to a probability.
//
// For each comparison level, m is the probability of that level among pairs that are the same
// person and u among pairs that are not; the level's Bayes factor is m/u and its match weight
// log2(m/u). A pair's match weight is the prior weight log2(lambda / (1 - lambda)), lambda being
// the probability that two records drawn at random are the same person, plus the weights of
// its levels; its match probability is 2^w / (1 + 2^w). Term-frequency levels (an exact given or
// family name) use the frequency of the shared value in place of u, so that two SMITHs count
// for less than two ZBIGNIEWs.
//
// The model is saved as readable JSON (HUB/models/linkage.json): `tessera linkage train` writes
// it, `tessera linkage show` prints it, and resolution reads it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "resolve/blocking.h"
#include "resolve/comparisons.h"
#include "resolve/records.h"

namespace tessera::resolve {

struct LevelParameters {
  double m = 0.0;
  double u = 0.0;
};

struct ComparisonParameters {
  ComparisonKind kind = ComparisonKind::kGivenName;
  std::vector<LevelParameters> levels;  // as ComparisonLevels(kind)
  bool m_estimated = false;             // m came from EM (false: the starting values were kept)
};

// How the model was trained, kept in the file for the record.
struct TrainingSummary {
  std::string trained_at;  // ISO 8601 UTC
  int64_t records = 0;
  int64_t random_pairs = 0;
  int64_t blocked_pairs = 0;
  double expected_matches = 0.0;
  struct Session {
    std::string rule;
    int64_t pairs = 0;
    int iterations = 0;
    bool converged = false;
    double lambda = 0.0;  // share of the rule's pairs that are matches
  };
  std::vector<Session> sessions;
  int64_t labelled_pairs = 0;  // clerical decisions used
};

struct LinkageModel {
  static constexpr int kFormatVersion = 1;

  double lambda = 1e-6;           // probability two random records are the same person
  double link_threshold = 0.95;   // at or above: link automatically
  double review_threshold = 0.5;  // at or above (and below link): clerical review
  ComparisonSettings settings;
  std::vector<BlockingRule> blocking = DefaultBlockingRules();
  int max_block_size = 2000;
  std::array<ComparisonParameters, kComparisonCount> comparisons;
  // Frequencies of given and family names among the training records (values seen at least
  // twice); others get `term_frequency_floor` (one in the number of training records).
  std::unordered_map<std::string, double> given_frequencies;
  std::unordered_map<std::string, double> family_frequencies;
  double term_frequency_floor = 1e-6;
  TrainingSummary training;

  // Starting values: plausible m and u for every level, before any training.
  static LinkageModel Defaults();

  std::string ToJson() const;
  // `origin` names the file in errors.
  static Result<LinkageModel> FromJson(std::string_view json, std::string_view origin);
  static Result<LinkageModel> Load(const std::string& path);
  Status Save(const std::string& path) const;  // atomically (write then rename)
  // SHA-256 of the JSON: resolution records which model made its links.
  std::string Fingerprint() const;
};

// One comparison's part of a pair's score.
struct WaterfallStep {
  ComparisonKind kind = ComparisonKind::kGivenName;
  std::string comparison;  // "given_name"
  std::string level;       // "exact", or "null" when either record lacks the value
  std::string description;
  std::string value_a;  // the values compared, as stored
  std::string value_b;
  double m = 0.0;
  double u = 0.0;  // the term frequency on a term-frequency level
  bool term_frequency = false;
  double bayes_factor = 1.0;
  double weight = 0.0;      // log2(bayes_factor); 0 for null
  double cumulative = 0.0;  // match weight after this step
};

struct Waterfall {
  double prior_weight = 0.0;
  std::vector<WaterfallStep> steps;
  double match_weight = 0.0;
  double probability = 0.0;
  std::string decision;  // "link", "review" or "no link", by the model's thresholds
};

double WeightToProbability(double weight);
double ProbabilityToWeight(double probability);

// Scores pairs of one RecordTable under a model. Call Refresh() after records are added (new
// values need their term frequencies); Score may then run on several threads at once.
class Scorer {
 public:
  Scorer(const RecordTable& table, const LinkageModel& model);

  void Refresh();
  const Comparer& comparer() const { return comparer_; }
  const LinkageModel& model() const { return model_; }

  double Weight(const LinkageRecord& a, const LinkageRecord& b) const;
  double Weight(const LinkageRecord& a, const LinkageRecord& b, const LevelVector& v) const;
  Waterfall Explain(const LinkageRecord& a, const LinkageRecord& b) const;

  double link_weight() const { return link_weight_; }
  double review_weight() const { return review_weight_; }

 private:
  double TermWeight(int comparison, uint32_t value) const;

  const RecordTable& table_;
  const LinkageModel& model_;
  Comparer comparer_;
  double prior_weight_ = 0.0;
  double link_weight_ = 0.0;
  double review_weight_ = 0.0;
  // [comparison][level] -> weight
  std::array<std::array<double, 16>, kComparisonCount> weights_{};
  // Per pool id: log2 of 1/frequency for given (0) and family (1) names.
  std::array<std::vector<float>, 2> term_log_inverse_;
};

}  // namespace tessera::resolve
